"""docs/ARCHITECTURE.md stays true: a row for every rule of the policy, naming a function that
exists and a test file that exists and names the rule; and the import graph has no cycle."""

from __future__ import annotations

import ast
import importlib
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
#: The policy lives beside the project (``../shared``), as CI lays it out.
POLICY = ROOT.parent / "shared" / "POLICY.md"
_RULE = re.compile(r"\*\*(P\d+[a-z]?)\*\*")
_ROW = re.compile(r"^\| (P\d+[a-z]?) \| [^|]+ \| `([\w.]+)` \| `([\w/.]+)` \|$", re.M)


def _rows() -> dict[str, tuple[str, str]]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return {rule: (function, test) for rule, function, test in _ROW.findall(text)}


def _policy_rules() -> list[str]:
    if not POLICY.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{POLICY} is missing")
        pytest.skip(f"{POLICY} is not beside the project")
    return _RULE.findall(POLICY.read_text(encoding="utf-8"))


def test_every_rule_of_the_policy_has_its_row() -> None:
    rules = _policy_rules()
    assert len(rules) >= 29
    missing = [rule for rule in rules if rule not in _rows()]
    assert missing == []


def _resolve(dotted: str) -> object:
    """The object a dotted name names: the longest importable module, then its attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


@pytest.mark.parametrize("rule", sorted(_rows()))
def test_each_row_names_a_real_function_and_a_test_of_its_rule(rule: str) -> None:
    function, test = _rows()[rule]
    assert _resolve(function) is not None
    test_file = ROOT / test
    assert test_file.is_file(), test
    # The test file says which rule it proves: by a test's name or a "# P7" comment.
    named = re.compile(rf"\b{rule}\b|test_{rule.lower()}_")
    assert named.search(test_file.read_text(encoding="utf-8")), f"{test} never names {rule}"


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """The project's modules that ``path`` imports when it is imported (imports inside
    functions are late on purpose and cannot make a cycle at import time)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found.update(name for name in names if name in modules)
    return found


def test_the_import_graph_has_no_cycle() -> None:
    paths = [path for folder in ("app", "ui") for path in (ROOT / folder).rglob("*.py")]
    modules = {_module_of(path) for path in paths}
    graph = {_module_of(path): _top_level_imports(path, modules) for path in paths}
    # A package imports its own modules to re-export them: that is not a cycle.
    for module, imported in graph.items():
        imported -= {name for name in imported if name.startswith(module + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
