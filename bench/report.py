"""Write the bench's report: ``report.json`` (every figure) and ``report.md`` (for people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _mark(check: dict[str, Any] | None) -> str:
    if not check:
        return "n/a"
    if not check.get("applies", True):
        return ("pass" if check["pass"] else "over") + f" ({check['note']})"
    mark = "pass" if check["pass"] else "**MISS**"
    return mark + (f" ({check['note']})" if check.get("note") else "")


def _missed(targets: dict[str, Any]) -> list[str]:
    return [
        name
        for name, check in targets.items()
        if check and check.get("applies", True) and not check["pass"]
    ]


def collect_misses(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every missed target of the run, each with the cause the run measured."""
    sections = report.get("sections", {})
    misses: list[dict[str, Any]] = []
    for name, section in sections.items():
        if "error" in section:
            misses.append(
                {"where": name, "target": "section ran", "value": None, "cause": section["error"]}
            )
    for key, row in sections.get("pages", {}).get("pages", {}).items():
        for check in _missed(row["targets"]):
            misses.append(
                {
                    "where": f"pages.{key}",
                    "target": f"{check} {row['targets'][check]['target']}",
                    "value": row["targets"][check]["value"],
                    "cause": _page_cause(row, check),
                }
            )
    webhooks = sections.get("webhooks", {})
    for check in _missed(webhooks.get("targets", {})):
        c = webhooks.get("cause") or {}
        misses.append(
            {
                "where": "webhooks",
                "target": f"{check} {webhooks['targets'][check]['target']}",
                "value": webhooks["targets"][check]["value"],
                "cause": f"one invoice.paid costs {c.get('queries_per_event')} queries and "
                f"{c.get('one_event_ms_in_process')} ms in-process; top: "
                + "; ".join(c.get("profile_cumulative", [])[:3])
                + _waits(webhooks),
            }
        )
    race = sections.get("race", {})
    for check in _missed(race.get("targets", {})):
        misses.append(
            {
                "where": "race",
                "target": f"{check} {race['targets'][check]['target']}",
                "value": race["targets"][check]["value"],
                "cause": f"{race.get('server_ms_per_signup')} ms of server time per sign-up "
                f"x {race.get('clients')} clients released together; "
                f"statuses {race.get('load', {}).get('statuses')}; the same clients posting "
                f"to an empty view: p95 {(race.get('empty_post') or {}).get('p95_ms')} ms"
                + _waits(race),
            }
        )
    sweep = sections.get("sweep", {})
    for check in _missed(sweep.get("targets", {})):
        batch = (sweep.get("cause") or {}).get("batch") or {}
        misses.append(
            {
                "where": "sweep",
                "target": f"{check} {sweep['targets'][check]['target']}",
                "value": sweep["targets"][check]["value"],
                "cause": f"{sweep.get('messages_per_s')} messages/s; a batch of "
                f"{batch.get('messages')} reminders (one task) costs {batch.get('queries')} "
                f"queries and {batch.get('ms_per_message')} ms per message in-process under "
                "cProfile; top: "
                + "; ".join((batch.get("profile_cumulative") or [])[:3])
                + _waits(sweep),
            }
        )
    return misses


def _waits(section: dict[str, Any], limit: int = 2) -> str:
    top = (section.get("db_activity") or {}).get("top") or []
    return ("; database sessions mostly: " + " / ".join(top[:limit])) if top else ""


def _activity(section: dict[str, Any]) -> list[str]:
    activity = section.get("db_activity") or {}
    if not activity.get("top"):
        return []
    return [
        f"What the database sessions were doing during the load ({activity['note']}, "
        f"{activity['rounds']} rounds):",
        "",
        *[f"- `{row}`" for row in activity["top"]],
        "",
    ]


def _page_cause(row: dict[str, Any], check: str) -> str:
    if check == "same_queries_both_scales":
        diff = row.get("queries_diff") or {}
        return (
            f"{row['queries']} queries here, {row['queries_other_scale']} at the other scale; "
            f"SELECTs only here (by table): {diff.get('only_here') or 'none'}; only at the "
            f"other scale: {diff.get('only_other_scale') or 'none'} (a repeated table is a "
            "query per row; a table in one list only is a query that depends on the data)"
        )
    slow = row.get("slowest_query") or {}
    prof = row.get("profile") or {}
    parts = [
        f"p50 {row['latency']['p50_ms']} ms vs SQL floor {row['floor']['p50_ms']} ms: "
        f"{int((row.get('share_outside_sql') or 0) * 100)}% of the time is outside SQL "
        f"({_fmt(row.get('ratio_page_floors'))}x the floor plus an empty page)"
    ]
    if slow:
        parts.append(
            f"slowest query {slow['median_ms']} ms ({int(slow['share_of_floor'] * 100)}% of "
            f"the floor): {_plan_head(slow.get('explain', ''))}"
        )
    if prof and "error" not in prof:
        parts.append(
            f"in-process under cProfile {prof['total_ms']} ms, of which SQL {prof['sql_ms']} ms, "
            f"templates {prof['template_ms']} ms; top project code: "
            + "; ".join(prof.get("project_cumulative", [])[:3])
        )
    return ". ".join(parts)


def _plan_head(explain: str) -> str:
    """The plan's top node and its most expensive scan, in one line."""
    lines = [line.strip() for line in explain.splitlines() if line.strip()]
    if not lines:
        return ""
    scans = [line for line in lines if "Scan" in line]
    return lines[0][:160] + (f" ... {scans[0][:160]}" if scans else "")


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
    caps = report.get("caps")
    if caps:
        lines += [
            "Every measurement is time-capped (seconds): "
            + ", ".join(f"{k} {v}" for k, v in caps.items())
            + ". A capped measurement keeps the figures of what was done and counts as a miss.",
            "",
        ]
    if report.get("harness_error"):
        lines += [
            f"**The harness failed:** `{report['harness_error']}`",
            "",
            "```",
            report.get("harness_traceback", ""),
            "```",
            "",
        ]
    misses = report.get("misses")
    if misses is not None:
        lines += ["## Missed targets and their causes", ""]
        if not misses:
            lines += ["None.", ""]
        else:
            lines += ["| where | target | measured | cause (measured in this run) |"]
            lines += ["|---|---|---|---|"]
            for miss in misses:
                cause = str(miss["cause"]).replace("|", "\\|").replace("\n", " ")
                lines.append(
                    f"| {miss['where']} | {miss['target']} | {_fmt(miss['value'])} | {cause} |"
                )
            lines.append("")
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
        f"Latency: 1 client, up to {next(iter(pages.values()))['latency']['requested']} "
        "requests each (keep-alive, through gunicorn on loopback, load generator in its own "
        "process); n is the number done within the time cap. Throughput: 8 concurrent clients. "
        "Floor: the page's own SELECTs replayed alone with psycopg. Admin: Django admin's "
        "changelist for the same model and filter. "
        f"Queries at the other scale ({other}): {section.get('other_scale_note') or 'measured'}.",
        "",
        "| page | queries (this / other scale) | n | p50 ms | p95 ms | req/s @8 | floor p50 ms | "
        "page/floor | outside SQL | page/(floor + empty page) | admin p50 ms (queries) | "
        "page/admin | same queries | p95 < 150 ms | <= 3x floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    empty = section.get("empty_page") or {}
    for row in pages.values():
        t = row["targets"]
        lat = row["latency"]
        n = f"{lat['requests']}" + (" (capped)" if lat.get("capped") else "")
        thr = row["throughput_8"]
        share = row.get("share_outside_sql")
        lines.append(
            f"| {row['title']} | {row['queries']} / {_fmt(row['queries_other_scale'])} | {n} | "
            f"{_fmt(lat['p50_ms'])} | {_fmt(lat['p95_ms'])} | "
            f"{_fmt(thr['per_s'])}{' (capped)' if thr.get('capped') else ''} | "
            f"{_fmt(row['floor']['p50_ms'])} | {_fmt(row['ratio_page_floor'])} | "
            f"{row.get('ms_outside_sql')} ms"
            f"{f' ({int(share * 100)}%)' if share is not None else ''} | "
            f"{_fmt(row.get('ratio_page_floors'))} | "
            f"{_fmt(row['admin_latency']['p50_ms'])} ({row['admin_queries']}, "
            f"n={row['admin_latency']['requests']}) | {_fmt(row['ratio_page_admin'])} | "
            f"{_mark(t['same_queries_both_scales'])} | {_mark(t['p95_ms'])} | "
            f"{_mark(t['ratio_page_floor'])} |"
        )
    lines += [
        "",
        "Outside SQL = page p50 minus floor p50 (Python: view, templates, middleware, "
        "and the HTTP round trip).",
        "",
    ]
    if empty.get("error"):
        lines += [f"Empty page baseline: not measured ({empty['error']}).", ""]
    elif empty:
        lines += [
            f"Empty page (baseline of the fixed cost of a request): a view that does nothing "
            f"for a logged-in volunteer, through the same gunicorn, middleware, session and "
            f"user lookup: p50 {_fmt(empty.get('p50_ms'))} ms, p95 {_fmt(empty.get('p95_ms'))} "
            f"ms (n={empty.get('requests')}); "
            f"{_fmt((empty.get('throughput_8') or {}).get('per_s'))} requests/s at 8 clients. "
            "A page whose SQL floor is a few milliseconds "
            "cannot be within 3x of it, since this much is spent before any view code runs; "
            "page/(floor + empty page) is how many times the page costs what its SQL and an "
            "empty request cost together (its own view and templates are the rest).",
            "",
        ]
    for row in pages.values():
        prof = row.get("profile")
        if not prof:
            continue
        if "error" in prof:
            lines += [f"**{row['title']}**: profiling failed: {prof['error']}", ""]
            continue
        lines += [
            f"**{row['title']}**, one request in-process under cProfile: {prof['total_ms']} ms, "
            f"SQL {prof['sql_ms']} ms ({prof['queries']} queries), templates "
            f"{prof['template_ms']} ms, outside SQL {int((prof['share_outside_sql'] or 0) * 100)}%"
            f" ({prof['note']}). Project code by cumulative time:",
            "",
            *[f"- `{item}`" for item in prof["project_cumulative"]],
            "",
            "Hottest functions by own time:",
            "",
            *[f"- `{item}`" for item in prof["hottest_own_time"]],
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
        missed = _missed(row["targets"])
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
            ("" if slow.get("analyzed", True) else "(EXPLAIN only: ANALYZE ran past its cap)\n")
            + slow["explain"][:3000],
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
        f"| events/s (8 clients, {s.get('posts_sent', s['posts'])} of {s['posts']} posts "
        f"sent{' (capped)' if s.get('capped') else ''}, "
        f"{s.get('distinct_events_sent', s['distinct_events'])} distinct) | "
        f"{_fmt(s['events_per_s'])} | >= 300 | {_mark(t['events_per_s'])} |",
        f"| donations created | {s['donations_created']} | == "
        f"{s.get('distinct_events_sent', s['distinct_events'])} | "
        f"{_mark(t['donations_equal_distinct_events'])} |",
        f"| p50 / p95 ms | {s['load']['p50_ms']} / {s['load']['p95_ms']} | | |",
        "",
        f"HTTP statuses: {s['load']['statuses']}; stored events by status: "
        f"{s['stored_events_by_status']}. Baseline: {s['baseline']}.",
        "",
    ]
    if s.get("empty_page_per_s_8"):
        lines += [
            f"Baseline in the same run: an empty page through the same gunicorn at 8 clients "
            f"served {_fmt(s['empty_page_per_s_8'])} requests/s (the ceiling of any view on "
            f"this machine); events/s / that = {_fmt(s.get('ratio_to_empty_page'))}.",
            "",
        ]
    lines += [
        *_activity(s),
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
    empty = s.get("empty_post") or {}
    if empty.get("error"):
        lines += [f"Empty-POST baseline: not measured ({empty['error']}).", ""]
    elif empty:
        lines += [
            f"Baseline in the same run: the same {s['clients']} clients, cookies and CSRF "
            f"tokens posting at once to an empty view (log-in check, CSRF, a redirect): p50 "
            f"{_fmt(empty.get('p50_ms'))} ms, p95 {_fmt(empty.get('p95_ms'))} ms, statuses "
            f"{empty.get('statuses')}; race p95 / empty p95 = "
            f"{_fmt(s.get('ratio_p95_to_empty_post'))}.",
            "",
        ]
    lines += [
        *_activity(s),
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
        f"(measured {_fmt(s['seconds_measured'])}, complete: {s['complete']}"
        f"{', capped at ' + str(s.get('time_limit_s')) + ' s' if s.get('capped') else ''}) | | |",
        f"| messages/s | {_fmt(s['messages_per_s'])} | redis-benchmark LPUSH "
        f"{_fmt(s['redis_lpush_per_s'])}/s | {_fmt(s['ratio_to_lpush'])} |",
        f"| messages/s | {_fmt(s['messages_per_s'])} | pgbench simple-update "
        f"{_fmt(s['pgbench_simple_update_tps'])} tps | {_fmt(s['ratio_to_pgbench'])} |",
        f"| 100,000 within 120 s ({next(iter(s['targets']))}) | {_fmt(target['value'])} s | "
        f"<= 120 | {_mark(target)} |",
        "",
        f"By status: {s['by_status']}; {s['sweeps']} sweeps. {s['note']}",
        "",
        *_activity(s),
    ]
    c = s.get("cause") or {}
    if c.get("error"):
        lines += [f"Cost of one reminder: not measured ({c['error']}).", ""]
    elif c:
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
        batch = c.get("batch") or {}
        if batch:
            lines += [
                f"Cost of one batch as a worker's task sends it ({batch['messages']} reminders, "
                f"in-process under cProfile): {batch['queries']} queries, "
                f"{batch['ms_in_process']} ms, {batch['ms_per_message']} ms per message; "
                f"outcomes {batch['outcomes']}. Where its time goes:",
                "",
                *[f"- `{row}`" for row in batch.get("profile_cumulative", [])],
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
    c = s.get("cause") or {}
    if c.get("error"):
        lines += [f"Cost of one statement: not measured ({c['error']}).", ""]
    elif c:
        lines += [
            f"Cost of one statement (one more, in-process): {c['queries_per_statement']} "
            f"queries ({c['sql_ms']} ms of SQL), {c['one_statement_ms_in_process']} ms in all; "
            f"slowest statement {c['slowest_statement_ms']} ms: `{c['slowest_statement'][:200]}`."
            " Where its time goes (cProfile, cumulative, project code):",
            "",
            *[f"- `{row}`" for row in c.get("profile_cumulative", [])],
            "",
        ]
    return lines
