"""The house rules of DESIGN.md, checked on the source: no import cycles, presenters never compute."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "corridor"
#: modules that hold analyses: a presenter (webmap) must take their results, never call them
ANALYSES = ("corridor.transit", "corridor._graph", "corridor.timemodel", "corridor.bottlenecks",
            "corridor.coldchain.reach", "corridor.scenarios.edit", "corridor.scenarios.compare",
            "corridor.modes.compare", "corridor.calibration")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports(path: Path, modules: set[str], typing_too: bool = False) -> set[str]:
    """corridor modules a file imports (top level or in functions; TYPE_CHECKING ones if asked)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if typing_too else _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("corridor")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("corridor"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return {m for m in found if m in modules}


def _import_graph(typing_too: bool) -> nx.DiGraph:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    g = nx.DiGraph()
    g.add_nodes_from(files)
    for name, path in files.items():
        for target in imports(path, set(files), typing_too):
            if target != name and not name.startswith(target + "."):  # a package's own parent
                g.add_edge(name, target)
    return g


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return _import_graph(typing_too=False)


def _without_package_inits(g: nx.DiGraph) -> nx.DiGraph:
    """Edges into a package's ``__init__`` (re-exports) are not cycles of logic."""
    packages = {n for n in g if (PACKAGE.parent / n.replace(".", "/") / "__init__.py").is_file()}
    return g.subgraph(n for n in g if n not in packages).copy()


def test_no_import_cycles(graph):
    cycles = list(nx.simple_cycles(_without_package_inits(graph)))
    assert cycles == [], f"import cycles: {cycles[:5]}"


def test_no_import_cycles_even_through_type_annotations():
    """Modules never depend on each other both ways, not even for type hints."""
    cycles = list(nx.simple_cycles(_without_package_inits(_import_graph(typing_too=True))))
    assert cycles == [], f"import cycles through type hints: {cycles[:5]}"


def test_the_ground_floor_imports_no_analysis(graph):
    ground = ["corridor.errors", "corridor.schema", "corridor.geodesy", "corridor.datafiles",
              "corridor.lookup", "corridor.validation", "corridor.frames", "corridor.episodes",
              "corridor.network", "corridor.timemodel"]
    for module in ground:
        reached = nx.descendants(graph, module)
        bad = sorted(m for m in reached if m.startswith(("corridor.transit", "corridor.bottlenecks",
                                                          "corridor.coldchain", "corridor.scenarios",
                                                          "corridor.webmap", "corridor.cli")))
        assert bad == [], f"{module} reaches {bad}"


def test_map_builders_never_call_analyses(graph):
    webmap = [m for m in graph if m.startswith("corridor.webmap")]
    offenders = {m: sorted(t for t in graph.successors(m) if t.startswith(ANALYSES))
                 for m in webmap}
    offenders = {m: t for m, t in offenders.items() if t}
    assert offenders == {}, f"map builders import analyses: {offenders}"


#: the time model's rules: only the state graph applies them (scenario edits check ``stops_at``)
RULES = {"run_spread", "dwell_spread", "ferry_wait_spread", "node_components", "link_components",
         "dwell_spreads", "travel_columns",
         "pays_node", "event_kind", "episodes"}


def test_only_the_state_graph_applies_the_time_model_rules():
    """Analyses read durations from the state graph's components; none re-derives them."""
    users = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module == "corridor.timemodel" for a in node.names}
        if names & RULES:
            users[_module_name(path)] = sorted(names & RULES)
    # the osmnx graph's travel_time reads a link's own components (no stop rule involved)
    allowed = {"corridor._graph": sorted(RULES), "corridor.network": ["link_components"]}
    outside = {m: names for m, names in users.items() if not set(names) <= set(allowed.get(m, []))}
    assert outside == {}, f"time-model rules applied outside _graph: {outside}"
    source = (PACKAGE / "coldchain" / "reach.py").read_text(encoding="utf-8")
    assert "% len(sg.link_ids)" not in source  # no index arithmetic on the state graph's internals


def test_map_builders_take_results_and_refuse_to_compute(net):
    """bottleneck_map and whatif_map draw results they are given; nothing is computed for them."""
    import inspect

    from corridor.webmap import bottleneck_map, whatif_map

    for builder in (bottleneck_map, whatif_map):
        source = inspect.getsource(builder)
        for call in ("assign(", "min_cut(", "criticality(", ".apply(", "route(", "alternatives("):
            assert call not in source, f"{builder.__name__} calls {call}"
