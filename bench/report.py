"""Write the bench's report: ``report.json`` (every figure) and ``report.md`` (for people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _mark(check: dict[str, Any] | None) -> str:
    if not check:
        return "n/a"
    if check.get("note"):
        return ("pass" if check["pass"] else "miss") + f" ({check['note']})"
    return "pass" if check["pass"] else "**miss**"


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_reports(report: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    js = folder / "report.json"
    md = folder / "report.md"
    js.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    md.write_text(markdown(report), encoding="utf-8")
    return md, js


def markdown(report: dict[str, Any]) -> str:
    m = report.get("machine", {})
    lines = [
        f"# Benchmark report: scale `{report['scale']}`",
        "",
        f"Date {report.get('date')}; host {m.get('hostname')}; {m.get('cpu_count')} CPUs "
        f"({m.get('cpu')}); {m.get('platform')}.",
        f"Python {m.get('python')}, Django {m.get('django')}, PostgreSQL {m.get('postgresql')}, "
        f"Redis {m.get('redis')}. Server: {report.get('server')}. "
        f"Total {report.get('total_seconds')} s.",
        "",
        "All figures below were measured in this run (bench/run.py); none is typed in. "
        "Targets are the issue's.",
        "",
    ]
    db = report.get("database", {})
    if db.get("seeded_in_this_run"):
        lines += [f"Seeded {db['database']} in this run: {db.get('seed_output')}", ""]
    else:
        lines += [f"Database {db.get('database')} was already seeded for this scale.", ""]
    sections = report.get("sections", {})
    lines += _pages(sections.get("pages", {}))
    lines += _sweep(sections.get("sweep", {}))
    lines += _webhooks(sections.get("webhooks", {}))
    lines += _race(sections.get("race", {}))
    lines += _statements(sections.get("statements", {}))
    return "\n".join(lines) + "\n"


def _error(section: dict[str, Any]) -> list[str]:
    if "error" in section:
        return [
            f"**The section failed:** `{section['error']}`",
            "",
            "```",
            section.get("traceback", ""),
            "```",
            "",
        ]
    return []


def _pages(section: dict[str, Any]) -> list[str]:
    lines = ["## 1. Pages", "", *_error(section)]
    pages: dict[str, Any] = section.get("pages", {})
    if not pages:
        return lines
    other = section.get("other_scale")
    lines += [
        f"Latency: 1 client, {next(iter(pages.values()))['latency']['requests']} requests each "
        "(keep-alive, through gunicorn on loopback, load generator in its own process). "
        "Throughput: 8 concurrent clients. Floor: the page's own SELECTs replayed alone with "
        "psycopg. Admin: Django admin's changelist for the same model and filter. "
        f"Queries at the other scale ({other}): {section.get('other_scale_note') or 'measured'}.",
        "",
        "| page | queries (this / other scale) | p50 ms | p95 ms | req/s @8 | floor p50 ms | "
        "page/floor | admin p50 ms (queries) | page/admin | same queries | p95 < 150 ms | "
        "<= 3x floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in pages.values():
        t = row["targets"]
        lines.append(
            f"| {row['title']} | {row['queries']} / {_fmt(row['queries_other_scale'])} | "
            f"{_fmt(row['latency']['p50_ms'])} | {_fmt(row['latency']['p95_ms'])} | "
            f"{_fmt(row['throughput_8']['per_s'])} | {_fmt(row['floor']['p50_ms'])} | "
            f"{_fmt(row['ratio_page_floor'])} | {_fmt(row['admin_latency']['p50_ms'])} "
            f"({row['admin_queries']}) | {_fmt(row['ratio_page_admin'])} | "
            f"{_mark(t['same_queries_both_scales'])} | {_mark(t['p95_ms'])} | "
            f"{_mark(t['ratio_page_floor'])} |"
        )
    lines += [
        "",
        "Time outside SQL (page p50 minus floor p50, ms): "
        + ", ".join(f"{row['title']} {row.get('ms_outside_sql')}" for row in pages.values())
        + ". Where a page misses the 3x-floor target, this is the cause: Python (view, "
        "template rendering, middleware), not the database.",
        "",
    ]
    bad = [
        row
        for row in pages.values()
        if row["status"] != 200 or row["admin_status"] != 200 or _bad_statuses(row)
    ]
    for row in bad:
        lines.append(
            f"Note: {row['title']} answered {row['status']} in-process, "
            f"admin {row['admin_status']}, "
            f"load statuses {row['latency']['statuses']} / {row['admin_latency']['statuses']}."
        )
    lines += [
        "",
        "### Slowest query of each page (where a target is missed, this is the cause named)",
        "",
    ]
    for row in pages.values():
        slow = row.get("slowest_query")
        if not slow:
            continue
        missed = [name for name, check in row["targets"].items() if check and not check["pass"]]
        lines += [
            f"**{row['title']}**: {slow['median_ms']} ms median, "
            f"{int(slow['share_of_floor'] * 100)}% of the floor"
            + (f"; missed: {', '.join(missed)}" if missed else "; no target missed")
            + ".",
            "",
            "```sql",
            slow["sql"][:1500],
            "```",
            "",
            "```",
            slow["explain"][:3000],
            "```",
            "",
        ]
    return lines


def _bad_statuses(row: dict[str, Any]) -> bool:
    for run in (row["latency"], row["throughput_8"], row["admin_latency"]):
        if set(run["statuses"]) != {"200"}:
            return True
    return False


def _webhooks(s: dict[str, Any]) -> list[str]:
    lines = ["## 3. Webhooks (signed Stripe invoice.paid, 30% duplicates)", "", *_error(s)]
    if "load" not in s:
        return lines
    t = s["targets"]
    lines += [
        "| figure | measured | target | result |",
        "|---|---|---|---|",
        f"| events/s (8 clients, {s['posts']} posts, {s['distinct_events']} distinct) | "
        f"{_fmt(s['events_per_s'])} | >= 300 | {_mark(t['events_per_s'])} |",
        f"| donations created | {s['donations_created']} | == {s['distinct_events']} | "
        f"{_mark(t['donations_equal_distinct_events'])} |",
        f"| p50 / p95 ms | {s['load']['p50_ms']} / {s['load']['p95_ms']} | | |",
        "",
        f"HTTP statuses: {s['load']['statuses']}; stored events by status: "
        f"{s['stored_events_by_status']}. Baseline: {s['baseline']}.",
        "",
    ]
    if s.get("cause"):
        c = s["cause"]
        lines += [
            f"Cause: one invoice.paid costs {c.get('queries_per_event')} queries and "
            f"{c.get('one_event_ms_in_process')} ms in-process (slowest statement "
            f"{c.get('slowest_statement_ms')} ms: `{c.get('slowest_statement', '')[:200]}`). "
            "Where its time goes (cProfile, cumulative, project code):",
            "",
            *[f"- `{row}`" for row in c.get("profile_cumulative", [])],
            "",
        ]
    return lines


def _race(s: dict[str, Any]) -> list[str]:
    lines = ["## 4. Signup race", "", *_error(s)]
    if "load" not in s:
        return lines
    t = s["targets"]
    lines += [
        "| figure | measured | target | result |",
        "|---|---|---|---|",
        f"| confirmed of {s['clients']} clients | {s['confirmed']} | == 20 | "
        f"{_mark(t['exactly_20_confirmed'])} |",
        f"| p95 ms | {s['p95_ms']} | < 500 | {_mark(t['p95_ms'])} |",
        "",
        f"Statuses: {s['load']['statuses']}; sign-ups: {s['signups_by_status']}; "
        f"p50 {s['load']['p50_ms']} ms, max {s['load']['max_ms']} ms; the server spent "
        f"{s.get('server_ms_per_signup')} ms per sign-up (wall time / clients). {s['note']}",
        "",
    ]
    return lines


def _sweep(s: dict[str, Any]) -> list[str]:
    lines = ["## 2. Reminder sweep", "", *_error(s)]
    if "reminders" not in s:
        return lines
    target = next(iter(s["targets"].values()))
    lines += [
        "| figure | measured | baseline | ratio |",
        "|---|---|---|---|",
        f"| reminders due at once | {s['reminders']:,} | | |",
        f"| seconds from due to all sent | {_fmt(s['seconds_due_to_all_sent'])} "
        f"(measured {_fmt(s['seconds_measured'])}, complete: {s['complete']}) | | |",
        f"| messages/s | {_fmt(s['messages_per_s'])} | redis-benchmark LPUSH "
        f"{_fmt(s['redis_lpush_per_s'])}/s | {_fmt(s['ratio_to_lpush'])} |",
        f"| messages/s | {_fmt(s['messages_per_s'])} | pgbench simple-update "
        f"{_fmt(s['pgbench_simple_update_tps'])} tps | {_fmt(s['ratio_to_pgbench'])} |",
        f"| 100,000 within 120 s ({next(iter(s['targets']))}) | {_fmt(target['value'])} s | "
        f"<= 120 | {_mark(target)} |",
        "",
        f"By status: {s['by_status']}; {s['sweeps']} sweeps. {s['note']}",
        "",
    ]
    c = s.get("cause") or {}
    if c:
        lines += [
            f"Cost of one reminder (measured on one more, in-process): "
            f"{c['queries_per_message']} queries, {c['one_message_ms_in_process']} ms "
            f"({c['one_message_outcome']}). Statements:",
            "",
            *[f"- `{q}`" for q in c["statements"]],
            "",
            "Where its time goes (cProfile, cumulative, project code):",
            "",
            *[f"- `{row}`" for row in c.get("profile_cumulative", [])],
            "",
        ]
    return lines


def _statements(s: dict[str, Any]) -> list[str]:
    lines = ["## 5. Year-end statements", "", *_error(s)]
    if "done" not in s:
        return lines
    lines += [
        "| figure | measured |",
        "|---|---|",
        f"| donors with gifts in {s['year']} | {s['donors']:,} |",
        f"| statements made / e-mailed | {s['done']:,} / {s['emailed']:,} ({s['status']}) |",
        f"| seconds (start to run finished{'' if s.get('complete') else ', time limit hit'}) "
        f"| {_fmt(s['seconds'])} |",
        f"| statements/s | {_fmt(s['statements_per_s'])} |",
        "",
        s["note"] + (f" Error: {s['run_error']}" if s.get("run_error") else ""),
        "",
    ]
    return lines
