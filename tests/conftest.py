"""Shared fixtures: the real plans of data/raw, by a short name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from policygraph import load_document, load_rules

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
# A copy of ../shared/gold, so the suite does not depend on what lies beside the clone.
GOLD = Path(__file__).resolve().parent / "fixtures" / "gold"

PLANS = {
    "services_draft": "urumqi-2026-2028-tech-services-action-plan-draft.txt",
    "ten_actions": "urumqi-2025-tech-innovation-ten-actions.txt",
    "hitech_zone": "urumqi-hitech-zone-2021-2023-innovation-base-plan.txt",
    "changji": "changji-2021-2023-tech-innovation-action-plan.txt",
    "measures_draft": "urumqi-universities-innovation-measures-draft.txt",
}
# The names the seed plans had in ../shared/seeds (gold files refer to these).
SEED_NAMES = {
    "services_draft": "000_86223951ae577ce6.txt",
    "ten_actions": "001_2ed63ccba89ccd5c.txt",
    "hitech_zone": "002_00042470639d7258.txt",
    "changji": "003_053fecb476c7a117.txt",
    "measures_draft": "004_81b5b327c271bba8.txt",
}


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory):
    """data/raw under the seed names the gold files use."""
    d = tmp_path_factory.mktemp("seeds")
    for name, seed in SEED_NAMES.items():
        (d / seed).write_bytes((RAW / PLANS[name]).read_bytes())
    return d


@pytest.fixture(scope="session")
def extractions(docs, rules):
    from policygraph.extract import extract

    return {name: extract(doc, rules) for name, doc in docs.items()}


@pytest.fixture(scope="session")
def docs(rules):
    return {name: load_document(RAW / file, rules) for name, file in PLANS.items()}


@pytest.fixture
def raw_copy(tmp_path):
    """A copy of data/raw that a test may edit."""
    d = tmp_path / "raw"
    shutil.copytree(RAW, d)
    return d


def raise_changji_target(raw_dir: Path) -> None:
    """Raise the high-tech enterprise target of the Changji plan from 50 to 60."""
    path = raw_dir / PLANS["changji"]
    text = path.read_text(encoding="utf-8")
    assert text.count("高新技术企业超过50家") == 1
    path.write_text(text.replace("高新技术企业超过50家", "高新技术企业超过60家"), encoding="utf-8")


def as_sets(g) -> tuple[set, set]:
    """A graph's nodes and edges with their properties, comparable across stores (a graph
    read back from node-link JSON keeps a node's id as its key only)."""
    nodes = {(n, json.dumps({k: v for k, v in d.items() if k != "id"}, sort_keys=True))
             for n, d in g.nodes(data=True)}
    edges = {(a, b, k, json.dumps(d, sort_keys=True))
             for a, b, k, d in g.edges(keys=True, data=True)}
    return nodes, edges


def plan_path(name: str) -> Path:
    return RAW / PLANS[name]


# ---------------------------------------------------------------- the real Bolt server
@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory):
    """One FalkorDB server for the session (see tests/bolt_server.py); its log must show
    no crash when the session ends."""
    from tests.bolt_server import BoltServer

    server = BoltServer(tmp_path_factory.mktemp("falkordb")).start()
    yield server
    server.stop()
    assert not server.problems(), f"the Bolt server crashed: {server.problems()[:3]}"


@pytest.fixture(scope="session")
def bolt_driver(bolt_server):
    """One driver for the whole session: the test server can hang a handshake that
    follows a closed connection."""
    from policygraph.store.neo4j import connect

    driver = connect(bolt_server.uri, retry_seconds=2)
    yield driver
    driver.close()


@pytest.fixture
def empty_db(bolt_driver):
    """The session's database, emptied label by label."""
    from policygraph.graph import LABELS

    with bolt_driver.session() as s:
        for label in LABELS:
            s.run(f"MATCH (n:`{label}`) DETACH DELETE n").consume()
    return bolt_driver


# ------------------------------------------------------------ Neo4j itself (5.26 LTS)
@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """One Neo4j Community server for the session, auth on (see tests/neo4j_server.py)."""
    from tests.neo4j_server import Neo4jServer

    server = Neo4jServer(tmp_path_factory.mktemp("neo4j")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server):
    from policygraph.store.neo4j import connect

    driver = connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password,
                     retry_seconds=5)
    yield driver
    driver.close()


@pytest.fixture
def neo4j_db(neo4j_driver):
    """The Neo4j database, emptied (its constraints stay: the loader creates them once)."""
    with neo4j_driver.session() as s:
        s.run("MATCH (n) DETACH DELETE n").consume()
    return neo4j_driver


@pytest.fixture(params=["falkordb", "neo4j"])
def db(request):
    """An emptied database on each server: the behaviour the loader promises everywhere."""
    return request.getfixturevalue("empty_db" if request.param == "falkordb" else "neo4j_db")


@pytest.fixture(scope="session")
def corpus_graph():
    """The graph of data/raw, as `make run` builds it."""
    from policygraph.build import build

    return build(RAW).graph


# A 若干措施 in the layout such measures are printed in (numbered articles, money promised
# with caps and shares, 责任单位 tails), written for the tests: the seed plans promise none.
MEASURES = """临沂市人民政府办公室关于印发临沂市支持数字经济发展若干措施的通知
临政办字〔2024〕7号
各区县人民政府：
现将《临沂市支持数字经济发展若干措施》印发给你们，请认真贯彻执行。
临沂市支持数字经济发展若干措施
一、支持数字基础设施建设
1.支持数据中心建设。对新建的数据中心，按照投资额的6%给予补贴，最高不超过500万元。（责任单位：市大数据局、财政局）
2.培育数字经济企业。对年营业收入首次超过10亿元的企业，给予一次性100万元奖励。到2025年，数字经济核心产业企业达到300家。（责任单位：市工信局）
二、强化人才支撑
3.引进数字人才。对新引进的领军人才，给予每人最高50万元安家补助；对企业技术改造给予50-100%补贴。（责任单位：市人社局）
"""


def write_measures(folder: Path) -> Path:
    path = folder / "linyi-digital-economy-measures.txt"
    path.write_text(MEASURES, encoding="utf-8")
    return path


def hidden_files(out: Path) -> list[str]:
    """Files a store holds that no build should leave: temporaries of interrupted writes."""
    return sorted(str(p.relative_to(out)) for p in out.rglob(".*") if p.name != ".lock")


def graph_of(out: Path):
    """A store's corpus graph as comparable values: node ids, edges, node properties."""
    from policygraph.store.files import CORPUS_JSON, read_json

    g = read_json(out / CORPUS_JSON)
    return set(g.nodes), sorted(g.edges(keys=True)), {n: d for n, d in g.nodes(data=True)}
