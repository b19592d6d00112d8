"""A corpus of bad (and a few valid but unusual) inputs, run through the ``corridor`` command.

Each case is a command line, the exit code expected, and a word its message must contain. A
failing command must print exactly one line on stderr (``corridor: error: ...``) and no
traceback; ``{d}`` in a command is the folder of prepared files (see ``corpus``).
"""

from __future__ import annotations

import copy
import json
import shlex

import pytest
from netfactory import two_crossings, write_network

from corridor.datafiles import builtin_dir


def _features():
    directory = builtin_dir()
    nodes = json.loads((directory / "nodes.geojson").read_text(encoding="utf-8"))["features"]
    links = json.loads((directory / "links.geojson").read_text(encoding="utf-8"))["features"]
    return nodes, links


def _write_raw(folder, nodes, links, nodes_text=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.geojson").write_text(
        nodes_text if nodes_text is not None else
        json.dumps({"type": "FeatureCollection", "features": nodes}), encoding="utf-8")
    (folder / "links.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": links}), encoding="utf-8")


def _broken_networks(root):
    """Networks with one defect each (the built-in one, or the two-crossing fixture)."""
    base_nodes, base_links = _features()

    def variant(name, edit):
        nodes, links = copy.deepcopy(base_nodes), copy.deepcopy(base_links)
        edit(nodes, links)
        _write_raw(root / name, nodes, links)

    def prop(where, index, key, value):
        def edit(nodes, links):
            (nodes if where == "node" else links)[index]["properties"][key] = value
        return edit

    variant("nan_dwell", prop("node", 0, "dwell_h", float("nan")))
    variant("inf_speed", prop("link", 0, "speed_kmh", float("inf")))
    variant("neg_inf_capacity", prop("node", 0, "capacity_trains_day", float("-inf")))
    variant("huge_length", lambda n, k: (k[0]["properties"].update(
        length_km=1e308, note="length from the timetable")))
    variant("tiny_capacity", prop("node", 0, "capacity_trains_day", 1e-300))
    variant("zero_capacity", prop("node", 0, "capacity_trains_day", 0))
    variant("fast_speed", prop("link", 0, "speed_kmh", 5000))
    variant("bool_length", prop("link", 0, "length_km", True))
    variant("text_dwell", prop("node", 0, "dwell_h", "12"))
    variant("alias_numbers", prop("node", 0, "aliases", [1, 2]))
    variant("geometry_property", prop("node", 0, "geometry", "x"))
    variant("coords_text", lambda n, k: n[0]["geometry"].update(coordinates=["87.1", "43.2"]))
    variant("point_no_coords", lambda n, k: n[0]["geometry"].pop("coordinates"))
    variant("geometry_not_object", lambda n, k: n[0].update(geometry="Point(1 2)"))
    variant("geometry_null", lambda n, k: k[0].update(geometry=None))
    variant("line_coords_nested", lambda n, k: k[0]["geometry"].update(coordinates=[[[1, 2]]]))
    variant("properties_list", lambda n, k: n[0].update(properties=[1, 2]))
    variant("id_number", prop("node", 0, "id", 17))
    variant("kind_dict", prop("node", 0, "kind", [{"a": 1}]))
    variant("nan_lat", lambda n, k: n[0]["geometry"].update(coordinates=[80.0, float("nan")]))
    nodes, links = copy.deepcopy(base_nodes), copy.deepcopy(base_links)
    _write_raw(root / "bom", nodes, links, nodes_text="\ufeff" + json.dumps(
        {"type": "FeatureCollection", "features": nodes}))
    _write_raw(root / "not_json", nodes, links, nodes_text="{ not json")
    _write_raw(root / "not_collection", nodes, links, nodes_text="[1, 2, 3]")
    _write_raw(root / "deep_json", nodes, links, nodes_text="[" * 100_000 + "]" * 100_000)
    (root / "dir_nodes" / "nodes.geojson").mkdir(parents=True)
    (root / "dir_nodes" / "links.geojson").write_text("{}", encoding="utf-8")
    (root / "binary").mkdir()
    (root / "binary" / "nodes.geojson").write_bytes(b"\xff\xfe\x00\x01")
    (root / "binary" / "links.geojson").write_bytes(b"\xff\xfe\x00\x01")
    evil_nodes, evil_links = two_crossings()
    evil_nodes[0]["properties"]["name"] = "Evil\x1b[2J\x1b]0;pwned\x07 [bold]town[/bold]"
    write_network(root / "evil", evil_nodes, evil_links)


DEMAND_HEADER = "origin,destination,trains_day,source\n"


def _files(root):
    """Demand tables, scenarios and paths in the way."""
    demand = {
        "demand_bom.csv": "\ufeff" + DEMAND_HEADER + "xian,duisburg_logport,3,test\n",
        "demand_nan.csv": DEMAND_HEADER + "xian,duisburg_logport,nan,test\n",
        "demand_inf.csv": DEMAND_HEADER + "xian,duisburg_logport,inf,test\n",
        "demand_neg.csv": DEMAND_HEADER + "xian,duisburg_logport,-2,test\n",
        "demand_huge.csv": DEMAND_HEADER + "xian,duisburg_logport,1e300,test\n",
        "demand_text.csv": DEMAND_HEADER + "xian,duisburg_logport,many,test\n",
        "demand_nohead.csv": "xian,duisburg_logport,3,test\n",
        "demand_empty.csv": "",
        "demand_beyond.csv": DEMAND_HEADER + "xian,duisburg_logport,9000,test\n",
        "demand_via_unknown.csv": "origin,destination,via,trains_day,source\n"
                                  "xian,duisburg_logport,Atlantis,3,test\n",
    }
    for name, text in demand.items():
        (root / name).write_text(text, encoding="utf-8")
    T = 'name = "a"\n[[scale_tariff]]\ntable = "tariffs"\nkind = "rail_km"\nkey = "KTZ"\n'
    scenarios = {
        "hours_nan.toml": 'name = "a"\n[[delay]]\nid = "dostyk"\nhours = nan\n',
        "hours_inf.toml": 'name = "a"\n[[delay]]\nid = "dostyk"\nhours = inf\n',
        "hours_neg.toml": 'name = "a"\n[[delay]]\nid = "dostyk"\nhours = -5\n',
        "set_nan.toml": 'name = "a"\n[[set]]\nid = "dostyk"\nattribute = "dwell_h"\nvalue = nan\n',
        "set_huge.toml": 'name = "a"\n[[set]]\nid = "dostyk"\nattribute = "dwell_h"\n'
                         'value = 1e300\n',
        "set_tiny_capacity.toml": 'name = "a"\n[[set]]\nid = "dostyk"\n'
                                  'attribute = "capacity_trains_day"\nvalue = 1e-300\n',
        "scale_inf.toml": 'name = "a"\n[[scale]]\nattribute = "speed_kmh"\nfactor = inf\n',
        "scale_zero.toml": 'name = "a"\n[[scale]]\nattribute = "speed_kmh"\nfactor = 0\n',
        "demand_factor_inf.toml": 'name = "a"\n[[demand]]\nfactor = inf\n',
        "demand_trains_nan.toml": 'name = "a"\n[[demand]]\norigin = "xian"\n'
                                  'destination = "duisburg_logport"\ntrains_day = nan\n',
        "add_node_nan.toml": 'name = "a"\n[[add_node]]\nid = "x"\nname = "X"\ncountry = "KZ"\n'
                             'kind = ["junction"]\nlon = nan\nlat = 45.0\nsource = "s"\n',
        "add_link_inf.toml": 'name = "a"\n[[add_link]]\nid = "l"\nfrom = "dostyk"\n'
                             'to = "aktogay"\nmode = "rail"\nsource = "s"\n'
                             'geometry = [[82.5, 45.2], [inf, 46.3]]\n',
        "base_passwd.toml": 'name = "a"\nbase = "/etc/passwd"\n',
        "base_escape.toml": 'name = "a"\nbase = "../../outside.toml"\n',
        "base_missing.toml": 'name = "a"\nbase = "nowhere.toml"\n',
        "loop_a.toml": 'name = "loop-a"\nbase = "loop_b.toml"\n',
        "loop_b.toml": 'name = "loop-b"\nbase = "loop_a.toml"\n',
        "self_loop.toml": 'name = "self-loop"\nbase = "self_loop.toml"\n',
        "deep_arrays.toml": 'name = "a"\nclose = ' + "[" * 2000 + "]" * 2000 + "\n",
        "deep_tables.toml": 'name = "a"\n[' + ".".join(["t"] * 2000) + "]\n",
        "not_toml.toml": "name = \n",
        "bom.toml": '\ufeffname = "bom"\nclose = ["dostyk"]\npairs = ["Chongqing:Duisburg"]\n',
        "unknown_key.toml": 'name = "a"\nclsoe = ["dostyk"]\n',
        "wrong_type.toml": 'name = "a"\nclose = 5\n',
        "tariff_nan.toml": T + "factor = nan\n",
        "tariff_neg.toml": T + "factor = -1\n",
        "tariff_huge.toml": T + "factor = 1e6\n",
        "tariff_text.toml": T + 'factor = "1.25"\n',
        "tariff_table.toml": 'name = "a"\n[[scale_tariff]]\ntable = "fares"\nkind = "rail_km"\nfactor = 2\n',
        "tariff_kind.toml": 'name = "a"\n[[scale_tariff]]\ntable = "tariffs"\nkind = "rail_kmh"\n'
                            'factor = 2\n',
        "tariff_key.toml": 'name = "a"\n[[scale_tariff]]\ntable = "tariffs"\nkind = "rail_km"\nkey = "XYZ"\n'
                           'factor = 2\n',
        "passage_bad.toml": 'name = "a"\n[[close_passage]]\npassage = "panama"\n',
        "passage_number.toml": 'name = "a"\n[[close_passage]]\npassage = 5\n',
    }
    for name, text in scenarios.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "binary.toml").write_bytes(b"\xff\xfe\x00name")
    sub = root / "sub"
    sub.mkdir()
    (sub / "child.toml").write_text('name = "child"\nbase = "parent.toml"\n'
                                    'pairs = ["Chongqing:Duisburg"]\n', encoding="utf-8")
    (sub / "parent.toml").write_text('name = "parent"\nclose = ["dostyk"]\n', encoding="utf-8")
    (root / "a_file").write_text("x", encoding="utf-8")
    (root / "not_a_network.gpkg").write_bytes(b"SQLite format 3\x00 but not really")
    (root / "a_dir").mkdir()
    (root / "gallery_blocked" / "network.html").mkdir(parents=True)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    _broken_networks(root)
    _files(root)
    return root


OK, USER = 0, 2
R = "route Chongqing Duisburg --samples 0"
CASES = [
    # -- geodata: numbers (finite, in range; a note never excuses) ------------------------------
    ("validate {d}/nan_dwell", USER, "finite"),
    ("validate {d}/inf_speed", USER, "finite"),
    ("validate {d}/neg_inf_capacity", USER, "finite"),
    ("validate {d}/huge_length", USER, "length_km"),
    ("validate {d}/tiny_capacity", USER, "capacity_trains_day"),
    ("validate {d}/fast_speed", USER, "<= 300"),
    ("validate {d}/bool_length", USER, "expected number"),
    ("validate {d}/text_dwell", USER, "expected number"),
    ("validate {d}/nan_lat", USER, "finite"),
    (f"{R} --data {{d}}/nan_dwell", USER, "finite"),
    # -- geodata: shapes validate must survive ------------------------------------------------
    ("validate {d}/alias_numbers", USER, "list of strings"),
    ("validate {d}/geometry_property", USER, "reserved"),
    ("validate {d}/coords_text", USER, "coordinate"),
    ("validate {d}/point_no_coords", USER, "position"),
    ("validate {d}/geometry_not_object", USER, "Point"),
    ("validate {d}/geometry_null", USER, "LineString"),
    ("validate {d}/line_coords_nested", USER, "LineString"),
    ("validate {d}/properties_list", USER, "properties"),
    ("validate {d}/id_number", USER, "id"),
    ("validate {d}/kind_dict", USER, "unknown value"),
    ("validate {d}/not_json", USER, "not valid JSON"),
    ("validate {d}/not_collection", USER, "FeatureCollection"),
    ("validate {d}/deep_json", USER, "JSON"),
    ("validate {d}/dir_nodes", USER, "directory"),
    ("validate {d}/binary", USER, "UTF-8"),
    ("validate {d}/nowhere", USER, "not a directory"),
    ("validate {d}/bom", OK, "no problems"),
    # -- CSV tables --------------------------------------------------------------------------
    ("bottlenecks --demand {d}/demand_nan.csv", USER, "finite"),
    ("bottlenecks --demand {d}/demand_inf.csv", USER, "finite"),
    ("bottlenecks --demand {d}/demand_neg.csv", USER, ">= 0"),
    ("bottlenecks --demand {d}/demand_huge.csv", USER, "<= 10000"),
    ("bottlenecks --demand {d}/demand_text.csv", USER, "not a number"),
    ("bottlenecks --demand {d}/demand_nohead.csv", USER, "missing column"),
    ("bottlenecks --demand {d}/demand_empty.csv", USER, "missing column"),
    ("bottlenecks --demand {d}/a_dir", USER, "directory"),
    ("bottlenecks --demand {d}/missing.csv", USER, "not found"),
    ("bottlenecks --demand {d}/demand_bom.csv --top 3 --json", OK, "total_train_hours_day"),
    # issue 13: demand beyond any capacity is a reported condition, not an error
    ("bottlenecks --demand {d}/demand_beyond.csv --top 3 --json", OK, "arrive for a capacity"),
    ("bottlenecks --demand {d}/demand_via_unknown.csv", USER, "unknown place"),
    ("bottlenecks --horizon-days -1", USER, "--horizon-days"),
    ("bottlenecks --horizon-days 0", USER, "--horizon-days"),
    ("bottlenecks --horizon-days nan", USER, "--horizon-days"),
    ("bottlenecks --horizon-days 1e9", USER, "--horizon-days"),
    ("bottlenecks --flow mars", USER, "--flow"),
    ("bottlenecks --full -1", USER, "--full"),
    ("criticality --horizon-days -5", USER, "--horizon-days"),
    ("criticality --flow nowhere", USER, "--flow"),
    ("criticality --flow china-centrl-asia", USER, "did you mean 'china-central-asia'"),
    ("bottlenecks --data {d}/zero_capacity", USER, "capacity_trains_day"),
    # -- transit dependence --------------------------------------------------------------------
    ("dependence --flow europe", USER, "unknown --flow"),
    ("dependence --flow chin-europe", USER, "did you mean 'china-europe'"),
    ("dependence --by region", USER, "unknown --by"),
    ("dependence --demand {d}/demand_nan.csv", USER, "finite"),
    ("dependence --demand {d}/missing.csv", USER, "not found"),
    ("dependence --scenario no-such-scenario", USER, "unknown scenario"),
    ("dependence --map {d}/dependence.png", USER, ".html"),
    # -- scenario files ----------------------------------------------------------------------
    ("whatif {d}/hours_nan.toml", USER, "finite"),
    ("whatif {d}/hours_inf.toml", USER, "finite"),
    ("whatif {d}/hours_neg.toml", USER, ">= 0"),
    ("whatif {d}/set_nan.toml", USER, "finite"),
    ("whatif {d}/set_huge.toml", USER, "<= 2160"),
    ("whatif {d}/set_tiny_capacity.toml", USER, "capacity"),
    ("whatif {d}/scale_inf.toml", USER, "finite"),
    ("whatif {d}/scale_zero.toml", USER, "> 0"),
    ("whatif {d}/demand_factor_inf.toml", USER, "finite"),
    ("whatif {d}/demand_trains_nan.toml", USER, "finite"),
    ("whatif {d}/add_node_nan.toml", USER, "lon"),
    ("whatif {d}/add_link_inf.toml", USER, "geometry"),
    ("whatif {d}/base_passwd.toml", USER, "relative .toml"),
    ("whatif {d}/base_escape.toml", USER, "leaves"),
    ("whatif {d}/base_missing.toml", USER, "not found"),
    ("whatif {d}/loop_a.toml", USER, "loops"),
    ("whatif {d}/self_loop.toml", USER, "loops"),
    ("whatif {d}/deep_arrays.toml", USER, "nest"),
    ("whatif {d}/deep_tables.toml", USER, "nest"),
    ("whatif {d}/not_toml.toml", USER, "TOML"),
    ("whatif {d}/binary.toml", USER, "UTF-8"),
    ("whatif {d}/unknown_key.toml", USER, "did you mean"),
    ("whatif {d}/wrong_type.toml", USER, "expected"),
    ("whatif {d}/a_dir", USER, "unknown scenario"),
    ("whatif dostyk-congestoin", USER, "did you mean"),
    ("whatif {d}/bom.toml --json", OK, "base_days"),
    ("whatif {d}/sub/child.toml --json", OK, "base_days"),
    # -- modes: scenario verbs close_passage / scale_tariff, options -------------------------
    ("whatif {d}/tariff_nan.toml", USER, "finite"),
    ("whatif {d}/tariff_neg.toml", USER, "> 0"),
    ("whatif {d}/tariff_huge.toml", USER, "<= 100"),
    ("whatif {d}/tariff_text.toml", USER, "expected a number"),
    ("whatif {d}/tariff_table.toml", USER, "table 'fares'"),
    ("whatif {d}/tariff_kind.toml", USER, "kind 'rail_kmh'"),
    ("whatif {d}/passage_bad.toml", USER, "expected one of suez"),
    ("whatif {d}/passage_number.toml", USER, "expected a string"),
    ("modes Chongqing Duisburg --scenario {d}/tariff_key.toml", USER, "selects no row"),
    ("modes Chongqing Duisburg --scenario {d}/tariff_nan.toml", USER, "finite"),
    ("modes Chongqing Duisburg --scenario red-sea-closre", USER, "did you mean"),
    ("modes Chongqing Duisburg --month 13", USER, "<= 12"),
    ("modes Chongqing Duisburg --month 0", USER, ">= 1"),
    ("modes Chongqing Duisburg --samples 0", USER, "at least 1"),
    ("modes Chongqing Duisburg --samples -1", USER, ">= 0"),
    ("modes Chongqing Duisburg --container 45", USER, "20 or 40"),
    ("modes Chongqing Duisburg --avoid panama", USER, "suez"),
    ("modes Chongqing Duisburg --payload-t nan", USER, "(0, 30]"),
    ("modes Chongqing Duisburg --cargo-value-usd -1", USER, ">= 0"),
    ("modes Chongqing Duisburg --commodity bananas", USER, "unknown commodity"),
    ("modes Chongqing Duisburg --map {d}/a_file/m.html", USER, "not a directory"),
    # -- options: numbers and amounts of work ---------------------------------------------------
    ("route Chongqing Duisburg --samples nan", USER, "'nan'"),
    ("route Chongqing Duisburg --samples 1e9", USER, "'1e9'"),
    ("route Chongqing Duisburg --samples -5", USER, ">= 0"),
    ("route Chongqing Duisburg --samples 10000000", USER, "<= 100000"),
    ("route Chongqing Duisburg --objective fastest", USER, "objective must be one of"),
    ("matrix --samples -5", USER, ">= 0"),
    ("matrix --samples 100000", USER, "limit"),
    ("map route Chongqing Duisburg --samples -5 --out {d}/r.html", USER, ">= 0"),
    ("reach Kostanay --commodity chilled_beef --samples -5", USER, ">= 0"),
    (f"{R} --alternatives 0", USER, ">= 1"),
    (f"{R} --alternatives 1000", USER, "<= 20"),
    (f"{R} --seed -1", USER, ">= 0"),
    (f"{R} --via Chongqing", USER, "origin"),
    (f"{R} --via duisburg_logport", USER, "destination"),
    (f"{R} --via Nowhereville", USER, "unknown place"),
    ("reach Kostanay --commodity chilled_beef --margin-days nan", USER, "finite"),
    ("reach Kostanay --commodity chilled_beef --margin-days -1", USER, ">= 0"),
    ("reach Kostanay --commodity chilled_beef --autonomy-h inf", USER, "finite"),
    ("reach Kostanay --commodity chilled_beef --autonomy-h 0", USER, "> 0"),
    ("reach Kostanay --commodity chilled_beef --month 13", USER, "month"),
    ("map reach Kostanay --commodity chilled_beef --band-days 1e-9 --out {d}/r.html", USER,
     ">= 0.5"),
    ("map reach Kostanay --commodity chilled_beef --band-days nan --out {d}/r.html", USER,
     "finite"),
    ("criticality --top 0", USER, ">= 1"),
    ("osm {d}/missing.osm --max-snap-km nan", USER, "finite"),
    ("osm network --region atlantis --out {d}/big", USER, "--region"),
    ("osm network --region KZ,XX --out {d}/big", USER, "known gauge"),
    ("osm network --source openrailwaymap --out {d}/big", USER, "world-railways"),
    ("osm network --out {d}/a_file/big", USER, "not a directory"),
    ("sweep --close-each border --workers 0", USER, ">= 1"),
    ("sweep --close-each border --workers -1", USER, ">= 1"),
    ("sweep --close-each border --workers 100000", USER, "<= 16"),
    ("sweep --close-each border --scheduler nonsense", USER, "tcp://"),
    ("sweep --close-each border --scheduler tcp://host:8786;rm", USER, "tcp://"),
    ("sweep --range dostyk.delay_h=0:1e9:1 --workers 1 --out {d}/s.csv", USER, "limit"),
    ("sweep --range dostyk.delay_h=0:nan:1 --workers 1 --out {d}/s.csv", USER, "finite"),
    ("sweep --range dostyk.delay_h=0:10:0 --workers 1 --out {d}/s.csv", USER, "STEP"),
    ("sweep --range dostyk=5 --workers 1 --out {d}/s.csv", USER, "PLACE.ATTRIBUTE"),
    ("sweep --range dostyk.delay_h=0,24 --pairs Chongqing:Duisburg --workers 1 "
     "--out {d}/range.csv", OK, ""),
    # -- outputs -----------------------------------------------------------------------------
    ("matrix --origins Chongqing --destinations Duisburg --out {d}/a_dir", USER, "directory"),
    ("matrix --origins Chongqing --destinations Duisburg --out {d}/a_file/m.csv", USER,
     "not a directory"),
    ("sweep --close-each border --out {d}/a_dir", USER, "directory"),
    ("sweep --close-each border --out {d}/a_file/s.csv", USER, "not a directory"),
    ("map network --out {d}/a_dir", USER, "directory"),
    ("map network --out {d}/net.txt", USER, ".html"),
    ("map network --out {d}/a_file/net.html", USER, "not a directory"),
    (f"{R} --map {{d}}/a_file/r.html", USER, "not a directory"),
    ("gallery --out {d}/a_file", USER, "is a file"),
    ("gallery --out {d}/gallery_blocked", USER, "in the way"),
    # -- command line ------------------------------------------------------------------------
    ("route", USER, "missing argument"),
    ("route Chongqing Duisburg --bogus", USER, "no such option"),
    ("bogus", USER, "no such command"),
    ("route Chongqing Duisbrug", USER, "did you mean"),
    ("route Chongqing Duisburg --avoid KZ,RU,MN --samples 0", USER, "no route"),
    ("route Chongqing Duisburg --data {d}/nowhere", USER, "not a directory"),
    ("reach Kostanay --commodity bananas", USER, "unknown commodity"),
    # -- issue 15: --out, export, --country, validate --data, GeoPackage networks ---------------
    (f"{R} --out {{d}}/r.shp", USER, "unknown file type"),
    (f"{R} --out {{d}}/r", USER, "unknown file type"),
    (f"{R} --out {{d}}/a_dir", USER, "directory"),
    (f"{R} --out {{d}}/a_file/r.csv", USER, "not a directory"),
    ("reach Kostanay --commodity chilled_beef --out {d}/x.xlsx", USER, "unknown file type"),
    ("reach Kostanay --commodity chilled_beef --country XX", USER, "ISO 3166"),
    ("reach Kostanay --commodity chilled_beef --country Kazakhstan", USER, "ISO 3166"),
    ("export network --out {d}/net.shp", USER, "GeoPackage"),
    ("export network --out {d}/a_file/net.gpkg", USER, "not a directory"),
    ("export network", USER, "missing option"),
    ("validate --data {d}/nan_dwell", USER, "finite"),
    ("validate {d}/nan_dwell --data {d}/inf_speed", USER, "name the network once"),
    ("validate {d}/not_a_network.gpkg", USER, "not a readable GeoPackage"),
    # -- issue 15, second round: whatif P50/P90 ---------------------------------------------------
    ("whatif dostyk-congestion --samples -1", USER, "samples"),
    ("whatif dostyk-congestion --samples 100000000", USER, "samples"),
    ("whatif dostyk-congestion --samples 200 --seed -1", USER, "seed"),
    (f"{R} --data {{d}}/not_a_network.gpkg", USER, "not a readable GeoPackage"),
]


@pytest.mark.parametrize(("command", "code", "word"), CASES, ids=[c[0][:60] for c in CASES])
def test_bad_input_gets_one_line_and_exit_code(cli, corpus, command, code, word):
    args = shlex.split(command.replace("{d}", str(corpus)))
    status, out, err = cli(*args)
    assert status == code, (status, out[-500:], err[-500:])
    assert "Traceback" not in out + err
    if code != OK:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert word.lower() in err.lower() or word.lower() in out.lower(), err
    else:
        assert word in out


def test_the_corpus_has_at_least_sixty_cases():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)


def test_escape_codes_from_data_never_reach_the_terminal(cli, corpus):
    status, out, err = cli("route", "a", "e", "--samples", "0",
                           "--data", str(corpus / "evil"))
    assert status == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b" in out and "[bold]town[/bold]" in out  # shown, not interpreted


def test_json_output_is_valid_json_for_extreme_capacities(cli, corpus):
    status, out, err = cli("bottlenecks", "--demand", str(corpus / "demand_bom.csv"), "--json",
                           "--top", "3")
    assert status == 0, err
    assert "NaN" not in out and "Infinity" not in out
    json.loads(out)


def test_unwritable_gallery_leaves_the_target_as_it_was(corpus):
    from corridor.cli.gallery import GalleryMap, render_gallery
    from corridor.errors import CorridorError

    target = corpus / "gallery_partial"
    target.mkdir()
    (target / "keep.png").write_bytes(b"png")

    def broken(net):
        raise CorridorError("cannot build this map")

    maps = [GalleryMap("one.html", "One", "first", lambda net: __import__(
        "corridor.webmap", fromlist=["network_map"]).network_map(net)),
        GalleryMap("two.html", "Two", "second", broken)]
    with pytest.raises(CorridorError, match="cannot build"):
        render_gallery(target, maps=maps)
    assert sorted(p.name for p in target.iterdir()) == ["keep.png"]
    assert not [p for p in corpus.iterdir() if p.name.startswith(".gallery_partial")]


def test_ctrl_c_is_one_line_and_exit_130(cli, monkeypatch):
    from corridor import transit

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(transit, "fastest_paths", interrupted)
    status, _, err = cli("route", "Chongqing", "Duisburg", "--samples", "0")
    assert status == 130 and err.strip() == "corridor: error: interrupted"


@pytest.mark.parametrize("command", ["map network --offline --out {d}/net.html",
                                     "map route Chongqing Duisburg --samples 0 --offline --out {d}/r.html",
                                     "gallery --offline --out {d}/gallery"])
def test_offline_without_the_asset_mirror_is_one_line(cli, tmp_path, monkeypatch, command):
    monkeypatch.setenv("CORRIDOR_WEBASSETS", str(tmp_path / "no-mirror"))
    status, _out, err = cli(*shlex.split(command.replace("{d}", str(tmp_path))))
    assert status == USER
    assert len(err.strip().splitlines()) == 1, err
    assert "python -m corridor.webmap.offline" in err and "no-mirror" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, no work done
