"""Apps in layers, no cycles: the app-level import graph, read from the source, goes one way.

Every import counts: at the top of a module and inside functions (``import x``, ``from x import y``) and
``importlib.import_module("x")`` with a literal name. Tests, the benchmark and migrations are left out (they
may import anything); ``referrals_site`` (settings, URLs, Celery: the wiring) sits on top, and no app imports
it. docs/architecture.md describes the layers.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_APPS = {"tests", "bench"}  # may import anything
WIRING = "referrals_site"

# From the bottom up. An app imports only from the layers below its own (and from itself).
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("core", frozenset({"core"})),
    ("accounts", frozenset({"accounts"})),
    ("sign-in and sessions", frozenset({"security"})),
    ("people and programs", frozenset({"seekers", "programs"})),
    ("goals", frozenset({"goals"})),
    ("data rights", frozenset({"privacy"})),
    ("referral lifecycle", frozenset({"referrals"})),
    ("channels", frozenset({"notifications", "sms", "webhooks", "api", "fhir_api"})),
    ("reports, pages and operations", frozenset({"reports", "organization", "people", "find", "seeker_door", "ops"})),
    ("wiring", frozenset({WIRING})),
)

# Imports that still go against the layers, each with why; empty now, and it only shrinks (a listed import
# that is gone fails the test too, so that it is taken off).
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


def apps() -> list[str]:
    return sorted(path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in NOT_APPS)


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and not node.args[0].value.startswith(".")
        ):
            yield node.lineno, node.args[0].value


def import_graph() -> dict[str, dict[str, list[str]]]:
    """{importing app: {imported app: ["path:line", ...]}} for imports between two apps of the project."""
    names = set(apps())
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for app in names:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or "tests" in relative.parts:
                continue
            for line, module in _imported_modules(ast.parse(path.read_text(), filename=str(path))):
                target = module.split(".")[0]
                if target in names and target != app:
                    graph[app][target].append(f"{relative}:{line}")
    return graph


def _rank() -> dict[str, int]:
    return {app: number for number, (_, members) in enumerate(LAYERS) for app in members}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of apps (Tarjan), as [a, b, ..., a]."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for target in sorted(edges.get(app, ())):
            if target not in index:
                visit(target)
                low[app] = min(low[app], low[target])
            elif target in stack:
                low[app] = min(low[app], index[target])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for app in sorted(edges):
        if app not in index:
            visit(app)
    return [_a_cycle_in(group, edges) for group in groups]


def _a_cycle_in(group: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest way from the group's first app back to itself, through the group."""
    start = group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        app = queue.pop(0)
        for target in sorted(edges.get(app, ())):
            if target == start:
                return paths[app] + [start]
            if target in group and target not in paths:
                paths[target] = paths[app] + [target]
                queue.append(target)
    raise AssertionError(f"no cycle through {group}")  # pragma: no cover: Tarjan's groups have one


def _edges(graph, *, without_known_exceptions: bool) -> dict[str, set[str]]:
    return {
        app: {target for target in targets if not (without_known_exceptions and (app, target) in KNOWN_EXCEPTIONS)}
        for app, targets in graph.items()
    }


def describe_cycles(graph, cycles) -> str:
    lines = []
    for cycle in cycles:
        lines.append(" -> ".join(cycle))
        for app, target in zip(cycle, cycle[1:]):
            lines.append(f"  {app} -> {target}: {', '.join(graph[app][target])}")
    return "\n".join(lines)


def test_the_graph_reads_imports_at_every_level(tmp_path):
    source = (
        "import accounts.models\nfrom programs import selectors\nfrom . import here\n"
        "def later():\n    from referrals.services import x\n    importlib.import_module('goals.models')\n"
    )
    found = [module for _, module in _imported_modules(ast.parse(source))]
    assert found == ["accounts.models", "programs", "referrals.services", "goals.models"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_apps_import_each_other_without_a_cycle():
    graph = import_graph()
    cycles = _cycles(_edges(graph, without_known_exceptions=True))
    assert not cycles, "Apps that import each other in a circle (and the files that do it):\n" + describe_cycles(
        graph, cycles
    )


def test_every_app_has_a_layer():
    placed = set(_rank())
    missing = sorted(set(apps()) - placed)
    assert not missing, f"Apps without a layer (add them to LAYERS and docs/architecture.md): {missing}"
    assert not placed - set(apps()), f"LAYERS names apps that do not exist: {sorted(placed - set(apps()))}"


def test_apps_import_only_from_the_layers_below():
    graph = import_graph()
    rank = _rank()
    upward = []
    for app, targets in sorted(graph.items()):
        for target, places in sorted(targets.items()):
            if rank.get(target, -1) >= rank.get(app, len(LAYERS)) and (app, target) not in KNOWN_EXCEPTIONS:
                upward.append(
                    f"{app} ({LAYERS[rank[app]][0]}) -> {target} ({LAYERS[rank[target]][0]}): " + ", ".join(places)
                )
    assert not upward, "Imports of an app in the same or a higher layer:\n" + "\n".join(upward)


def test_the_known_exceptions_are_still_needed():
    graph = import_graph()
    stale = sorted(edge for edge in KNOWN_EXCEPTIONS if edge[1] not in graph.get(edge[0], {}))
    assert not stale, f"These imports are gone: take them off KNOWN_EXCEPTIONS: {stale}"
