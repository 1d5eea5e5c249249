"""The house plan, as numbers a reviewer would otherwise count by hand (docs/architecture.md).

- no app has more than 12 Python files at its top level (the rest live in its rooms:
  models/, services/, selectors/, forms/, views/, urls/, ...);
- no module of an app is over 500 lines (migrations aside);
- no app imports the benchmark harness (import-linter checks it too; this names the file).

The import direction and the absence of cycles are checked by import-linter in `make lint`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

MAX_TOP_LEVEL_FILES = 12
MAX_MODULE_LINES = 500


def _our_apps() -> list[tuple[str, Path]]:
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.parts:
            found.append((config.label, path))
    return sorted(found)


def _modules(app_path: Path) -> list[Path]:
    return sorted(p for p in app_path.rglob("*.py") if "migrations" not in p.parts)


def test_the_apps_are_found() -> None:
    labels = {label for label, _ in _our_apps()}
    assert {"core", "accounts", "notifications", "volunteers", "donations"} <= labels


@pytest.mark.parametrize(("label", "path"), _our_apps(), ids=lambda v: str(v).rsplit("/", 1)[-1])
def test_an_app_keeps_at_most_twelve_files_at_its_top_level(label: str, path: Path) -> None:
    files = sorted(p.name for p in path.glob("*.py"))
    assert len(files) <= MAX_TOP_LEVEL_FILES, (
        f"{label} has {len(files)} files at its top level ({', '.join(files)}); "
        f"move some into its rooms (services/, selectors/, views/, ...)"
    )


@pytest.mark.parametrize(("label", "path"), _our_apps(), ids=lambda v: str(v).rsplit("/", 1)[-1])
def test_no_module_is_over_five_hundred_lines(label: str, path: Path) -> None:
    too_long = {
        str(module.relative_to(path.parent)): count
        for module in _modules(path)
        if (count := len(module.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}, f"split these modules of {label}: {too_long}"


@pytest.mark.parametrize(("label", "path"), _our_apps(), ids=lambda v: str(v).rsplit("/", 1)[-1])
def test_no_app_imports_the_benchmark_harness(label: str, path: Path) -> None:
    offenders = []
    for module in _modules(path):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif node.level == 0 and node.module:
                names = [node.module]
            if any(name == "bench" or name.startswith("bench.") for name in names):
                offenders.append(f"{module.relative_to(path.parent)}:{node.lineno}")
    assert offenders == []
