"""How each analysis grows with the network: built-in, synthetic ~1k/10k/100k nodes, the OSM network.

Run: ``python tests/benchmarks/bench_scale.py [--sizes builtin,1k,10k,100k] [--osm DIR] [--json]``
(``--markdown`` for README's table; ``--from saved.json`` renders a saved ``--json`` run).
``load_cached`` reads the network back from the ``--data`` cache (:mod:`corridor.cache`);
``reach_first`` includes building the cold-chain edge model, ``reach`` is the next query;
``n1_borders`` is :func:`corridor.transit.closures` (every border node closed in turn for one
journey), ``n1_naive`` the loop that routes again for every border node (small networks only).
Each network is measured in its own process (so ``peak_mb`` is that network's peak resident
memory). Synthetic networks are made by ``corridor.osm.network`` (the builder of
``corridor osm network``) on a jittered grid of track over Eurasia, with the built-in network's
nodes placed on it, so routes run between real place ids. Anchors in the same run: networkx
Dijkstra on the same state graph (up to 10k nodes; the physical graph above) and, when
``scgraph_data`` is installed, scgraph's own shortest path on the world railway graph.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np

#: synthetic grids (columns, rows) over BOX giving about 1k, 10k and 100k network nodes
GRIDS = {"1k": (60, 26), "10k": (190, 80), "100k": (600, 255)}
BOX = (10.0, 36.0, 125.0, 58.0)
ORIGIN, DESTINATION = "xian", "duisburg_logport"
MATRIX_SIZE = 100
TARGETS_S = {"load_cold": 10.0, "load_cached": 2.0, "route": 0.020, "reach": 1.0,
             "matrix_100x100": 10.0, "n1_borders": 30.0}


def _clock(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def make_synthetic(size: str, out: Path) -> dict:
    """Build and write the synthetic network of ``size``; build time and counts."""
    import corridor
    from corridor.osm.network import REGIONS, build_features, synthetic_track, write_network

    curated = corridor.load()
    places = [(p.x, p.y) for p in curated.nodes.geometry]
    columns, rows = GRIDS[size]
    start = time.perf_counter()
    track = synthetic_track(*BOX, columns, rows, seed=1, extra=places)
    nodes, links, _ = build_features(track, REGIONS["eurasia"], curated,
                                          "synthetic grid (benchmark)")
    write_network(out, nodes, links)
    return {"build_s": time.perf_counter() - start, "track_nodes": len(track)}


def measure(directory: Path | None, name: str) -> dict:
    """Time every analysis on one network (in this process)."""
    import corridor
    from corridor.bottlenecks import assign
    from corridor.coldchain import reach
    from corridor.transit import (
        alternatives,
        border_nodes,
        closures,
        matrix,
        route,
        state_graph,
    )

    row: dict = {"network": name}
    row["load_cold"] = _clock(lambda: corridor.load(directory))
    with tempfile.TemporaryDirectory() as cache_dir:  # the --data cache, as a command uses it
        os.environ["CORRIDOR_CACHE_DIR"] = cache_dir
        from corridor.cache import builtin_network, directory_network

        def cached():
            return builtin_network() if directory is None else directory_network(directory)

        row["load_and_store"] = _clock(cached)  # load, state graph, records, pickle
        row["load_cached"] = _clock(cached, repeat=3)
        net = cached()
    row["nodes"], row["links"] = len(net.nodes), len(net.links)
    statuses = frozenset({"operating"})
    row["state_graph"] = _clock(lambda: state_graph(net.replace(), statuses))
    sg = state_graph(net, statuses)
    row["states"], row["edges"] = len(sg.states), len(sg.src)
    route(net, ORIGIN, DESTINATION, samples=0)
    row["route"] = _clock(lambda: route(net, ORIGIN, DESTINATION, samples=0), repeat=5)
    found = route(net, ORIGIN, DESTINATION, samples=0)
    row["route_km"], row["route_days"] = found.distance_km, found.transit_days
    if directory is not None:  # the same journey on the curated network, for the 5 % check
        row["curated_route_km"] = route(corridor.load(), ORIGIN, DESTINATION, samples=0).distance_km
    row["route_mc_10k"] = _clock(lambda: route(net, ORIGIN, DESTINATION, samples=10_000, seed=0))
    row["alternatives_3"] = _clock(lambda: alternatives(net, ORIGIN, DESTINATION, 3, samples=0))
    rng = np.random.default_rng(0)
    ids = np.asarray(net.nodes.index)
    pick = list(rng.choice(ids, size=min(MATRIX_SIZE, len(ids)), replace=False))
    row["matrix_100x100"] = _clock(lambda: matrix(net, pick, pick, samples=1000))
    row["reach_first"] = _clock(lambda: reach(net, ORIGIN, "chilled_beef"))  # + cold-chain model
    row["reach"] = _clock(lambda: reach(net, ORIGIN, "chilled_beef"))
    row["reverse_reach"] = _clock(lambda: reach(net, DESTINATION, "chilled_beef", reverse=True))
    borders = border_nodes(net)
    row["border_nodes"] = len(borders)
    row["n1_borders"] = _clock(lambda: closures(net, ORIGIN, DESTINATION))

    def naive_n1() -> None:  # close each border node in turn and route again
        for node in borders:
            with contextlib.suppress(corridor.errors.NoRouteError):
                route(net, ORIGIN, DESTINATION, avoid=[node], samples=0)

    row["n1_naive"] = _clock(naive_n1) if len(net.nodes) <= 2_000 else float("nan")
    demand = _demand_within(net)
    row["demand_pairs"] = len(demand)
    row["assign_equilibrium"] = _clock(lambda: assign(net, demand))
    row.update(_networkx_anchor(net, sg))
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


#: journeys whose OSM-network distance README sets beside the curated network's
AGREEMENT_PAIRS = [("chongqing_tuanjiecun", "duisburg_logport"), ("xian", "duisburg_logport"),
                   ("chongqing_tuanjiecun", "xian")]


def curated_agreement(net) -> dict:
    """How the network's distances between the curated terminals it holds compare with the
    curated network's (every ordered pair; signed % for :data:`AGREEMENT_PAIRS`)."""
    import corridor
    from corridor.transit import matrix, terminals

    curated = corridor.load()
    ends = [t for t in terminals(curated) if t in net.nodes.index]
    pairs = matrix(net, ends, ends, samples=0).merge(
        matrix(curated, ends, ends, samples=0), on=["origin", "destination"],
        suffixes=("", "_curated")).dropna(subset=["distance_km", "distance_km_curated"])
    change = pairs["distance_km"] / pairs["distance_km_curated"] - 1.0
    out = {"terminals": len(ends), "pairs": len(pairs),
           "within_5pct": int((change.abs() <= 0.05).sum()),
           "median_abs_pct": round(100 * float(change.abs().median()), 1)}
    keyed = pairs.set_index(["origin", "destination"])
    for o, d in AGREEMENT_PAIRS:
        if (o, d) in keyed.index:
            row = keyed.loc[(o, d)]
            out[f"{o}-{d}"] = {"km": round(float(row["distance_km"])),
                               "curated_km": round(float(row["distance_km_curated"])),
                               "pct": round(100 * (row["distance_km"] / row["distance_km_curated"] - 1),
                                            1)}
    return out


def _demand_within(net):
    """The built-in demand rows whose places (and via) the network holds (a regional OSM
    network lacks the Balkan and Iranian ends)."""
    from corridor.bottlenecks import load_demand

    demand = load_demand()  # the project's reader; ids as written, not resolved on this network
    places = set(net.nodes.index)
    inside = (demand["origin"].isin(places) & demand["destination"].isin(places)
              & ((demand["via"] == "") | demand["via"].isin(places)))
    return demand[inside].reset_index(drop=True)


def _networkx_anchor(net, sg) -> dict:
    """The naive way: networkx Dijkstra on the same graph (state graph up to 10k nodes)."""
    out = {}
    if len(net.nodes) <= 20_000:
        graph = nx.DiGraph()
        graph.add_weighted_edges_from(zip(sg.src.tolist(), sg.dst.tolist(), sg.weight.tolist(),
                                          strict=True))
        starts = list(sg.origin_states(ORIGIN))
        out["nx_state_route"] = _clock(lambda: nx.multi_source_dijkstra_path_length(graph, starts))
    physical = nx.Graph()
    physical.add_weighted_edges_from(zip(net.links["from"], net.links["to"], net.links["length_km"],
                                         strict=True))
    out["nx_link_route"] = _clock(lambda: nx.dijkstra_path(physical, ORIGIN, DESTINATION), repeat=3)
    return out


def scgraph_anchor() -> dict:
    """scgraph's own shortest path on the world railway graph (Xi'an to Duisburg)."""
    try:
        from corridor.osm.world import _provide_scgraph_core

        _provide_scgraph_core()
        from scgraph_data.world_railways import world_railways_geograph as geograph
    except ModuleNotFoundError:
        return {}
    ends = {"origin_node": {"latitude": 34.413, "longitude": 109.06},
            "destination_node": {"latitude": 51.42, "longitude": 6.77}}
    geograph.get_shortest_path(**ends)
    seconds = _clock(lambda: geograph.get_shortest_path(**ends), repeat=3)
    km = geograph.get_shortest_path(**ends)["length"]
    return {"network": "scgraph world_railways", "nodes": len(geograph.nodes), "route": seconds,
            "route_km": km}


COLUMNS = ["network", "nodes", "states", "load_cold", "load_cached", "state_graph", "route",
           "route_mc_10k", "alternatives_3", "matrix_100x100", "reach_first", "reach",
           "reverse_reach", "border_nodes", "n1_borders", "n1_naive", "demand_pairs", "assign_equilibrium",
           "nx_state_route", "nx_link_route", "peak_mb"]


def _cell(value) -> str:
    if isinstance(value, float):
        if np.isnan(value):
            return "-"
        return f"{value:.3f}" if value < 100 else f"{value:.0f}"
    return "-" if value is None else str(value)


def print_table(rows: list[dict]) -> None:
    print("times in seconds (median); peak_mb = peak resident memory of that network's process")
    print(" | ".join(COLUMNS))
    for row in rows:
        print(" | ".join(_cell(row.get(c)) for c in COLUMNS))
    print("targets on 100k nodes (s): " + ", ".join(f"{k} <= {v:g}" for k, v in TARGETS_S.items()))


def print_agreement(rows: list[dict]) -> None:
    """The OSM network's distances beside the curated network's (when measured)."""
    for row in rows:
        found = row.get("agreement")
        if not found:
            continue
        named = "; ".join(f"{key} {v['km']:,} km against {v['curated_km']:,} km curated "
                          f"({v['pct']:+.1f} %)" for key, v in found.items() if isinstance(v, dict))
        print(f"{row['network']}: {named}; of {found['pairs']:,} ordered pairs of the "
              f"{found['terminals']} curated terminals it holds, {found['within_5pct']:,} within 5 % "
              f"(median difference {found['median_abs_pct']} %)")


def print_markdown(rows: list[dict]) -> None:
    """The table transposed (one line per figure, one column per network), for README."""
    rows = [r for r in rows if "error" not in r]
    print("| | " + " | ".join(str(r["network"]) for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for column in COLUMNS[1:]:
        if all(r.get(column) is None for r in rows):
            continue
        target = TARGETS_S.get(column)
        label = f"{column} (target ≤ {target:g} s)" if target else column
        print(f"| {label} | " + " | ".join(_cell(r.get(column)) for r in rows) + " |")


def one(size: str, osm: str | None) -> dict:
    if size == "builtin":
        return measure(None, "built-in")
    if size == "osm":
        row = measure(Path(osm), f"OSM {Path(osm).name}")
        from corridor.cache import directory_network

        row["agreement"] = curated_agreement(directory_network(Path(osm)))
        return row
    with tempfile.TemporaryDirectory() as tmp:
        built = make_synthetic(size, Path(tmp) / size)
        row = measure(Path(tmp) / size, f"synthetic {size}")
        row.update(built)
        return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="builtin,1k,10k,100k")
    parser.add_argument("--osm", help="directory written by `corridor osm network`")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="print the table for README")
    parser.add_argument("--from", dest="saved", help="render a saved --json output instead")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.saved:
        rows = json.loads(Path(args.saved).read_text(encoding="utf-8"))
        (print_markdown if args.markdown else print_table)(rows)
        print_agreement(rows)
        return
    if args.one:
        print(json.dumps(one(args.one, args.osm)))
        return
    sizes = [s for s in args.sizes.split(",") if s]
    if args.osm:
        sizes.append("osm")
    rows = []
    for size in sizes:
        command = [sys.executable, __file__, "--one", size] + (["--osm", args.osm] if args.osm else [])
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            rows.append({"network": size, "error": done.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not args.json:
            print(f"measured {size}", file=sys.stderr)
    anchor = scgraph_anchor()
    if anchor:
        rows.append(anchor)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        (print_markdown if args.markdown else print_table)(rows)
        print_agreement(rows)


if __name__ == "__main__":
    main()
