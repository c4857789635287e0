"""The HTML report, opened in headless Chromium (Debian's chromium and chromium-driver).

Screenshots of what each test looked at go to $POLICYGRAPH_SCREENSHOTS when it is set
(the closing notes describe them), else to the test's temporary folder.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policygraph.cli import app
from policygraph.queries import GraphEngine, compare, listing, owners
from policygraph.report import SHOWN, render
from policygraph.store.files import plan_subgraph

from .conftest import PLANS, RAW

HOSTILE = "<script>document.body.setAttribute('data-pwned', '1')</script>"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1300,1800"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver

    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.fail("chromium and chromedriver are missing: `make test` installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"]:
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    yield driver
    driver.quit()


def shoot(browser, element, name: str, tmp_path: Path) -> Path:
    """A screenshot of ``element`` (scrolled into view), checked to be a real PNG."""
    folder = Path(os.environ.get("POLICYGRAPH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.execute_script(  # below the sticky header
        "scrollTo(0, arguments[0].getBoundingClientRect().top + scrollY -"
        " document.querySelector('header').offsetHeight - 10)", element)
    path = folder / f"{name}.png"
    assert element.screenshot(str(path))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2_000
    return path


def visible(browser, css: str) -> list:
    return [e for e in browser.find_elements("css selector", css) if e.is_displayed()]


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory, corpus_graph):
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render(corpus_graph), encoding="utf-8")
    return path


@pytest.fixture
def hostile_report(tmp_path, corpus_graph):
    """The report of the real corpus, with a plan title and a unit name that hold a script."""
    g = corpus_graph.copy()
    plan = next(n for n, d in g.nodes(data=True) if d["label"] == "Plan")
    unit = next(n for n, d in g.nodes(data=True) if d["label"] == "Unit")
    g.nodes[plan]["title"] = HOSTILE + g.nodes[plan]["title"]
    g.nodes[unit]["name"] = HOSTILE
    path = tmp_path / "report.html"
    path.write_text(render(g), encoding="utf-8")
    return path, g.nodes[plan]["title"], plan


def test_the_report_opens_offline_with_its_tables(browser, corpus_report, tmp_path):
    browser.get(corpus_report.as_uri())
    assert browser.get_log("browser") == []  # no script error
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert len(browser.find_elements("css selector", "#plans tbody tr")) == 5
    assert len(browser.find_elements("css selector", "#owners tbody tr")) > 10
    shoot(browser, browser.find_element("id", "plans"), "plans", tmp_path)


def test_a_units_targets_are_found_by_search(browser, corpus_report, corpus_graph, tmp_path):
    """Searching a unit shows its own section, with the targets of the tasks it owns and
    their quotes, and hides the sections of units it has nothing to do with."""
    rows = owners(GraphEngine(corpus_graph))
    targets: dict[str, set[str]] = {}
    for r in rows:
        if r["target_id"]:
            targets.setdefault(r["unit_id"], set()).add(r["target_id"])
    uid = max(targets, key=lambda u: len(targets[u]))
    unit = corpus_graph.nodes[uid]
    query = f"{unit['name']}（{unit['region']}）"

    browser.get(corpus_report.as_uri())
    box = browser.find_element("id", "search")
    box.send_keys(query)
    sections = visible(browser, "section.unit")
    assert [s.find_element("tag name", "h3").text for s in sections] == [query]
    section = sections[0]
    text = section.text
    for t in targets[uid]:
        assert corpus_graph.nodes[t]["quote"][:20] in text
    assert len(section.find_elements("css selector", "h4 + table tbody tr")) >= len(targets[uid])
    assert len(visible(browser, "#unit-index tbody tr")) == 1
    assert "#q=" in browser.current_url  # the search can be shared as a link
    shoot(browser, section, "unit-search", tmp_path)


def test_each_shared_indicator_has_a_chart_with_years_on_its_axis(browser, corpus_report,
                                                                 corpus_graph, tmp_path):
    engine = GraphEngine(corpus_graph)
    shared = {}
    for r in listing(engine, "indicators"):
        rows = [c for c in compare(engine, r["indicator"]) if c["value"] is not None]
        if len({c["plan_id"] for c in rows}) >= 2:
            shared[r["indicator"]] = rows
    assert len(shared) >= 3

    browser.get(corpus_report.as_uri())
    figures = browser.find_elements("css selector", "figure.indicator")
    assert [f.get_attribute("data-indicator") for f in figures] == sorted(shared)
    charts = browser.execute_script(
        "return policygraph.charts.map(c => ({ticks: c.scales.x.ticks.map(t => t.value),"
        " labels: c.data.datasets.map(d => d.label), title: c.scales.x.options.title.text}))")
    assert len(charts) == len(figures)
    for (name, rows), chart in zip(sorted(shared.items()), charts):
        years = {int(r["year"]) for r in rows if r["year"]}
        assert years <= set(chart["ticks"]), (name, chart["ticks"])
        assert all(float(t).is_integer() for t in chart["ticks"])  # one tick a year
        assert "year" in chart["title"]
        assert {r["plan"] for r in rows} == {label.removesuffix("（征求意见稿）")
                                             for label in chart["labels"]}
    shoot(browser, figures[0], "indicator-chart", tmp_path)


def test_a_restated_target_is_drawn_and_listed_once(corpus_graph):
    """A goal that a task restates (same plan, year, value) is one row naming both."""
    page = render(corpus_graph)
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page).group(1))
    for chart in data["charts"]:
        for series in chart["series"]:
            points = [(p["x"], p["y"], p["kind"]) for p in series["points"]]
            assert len(points) == len(set(points)), (chart["indicator"], series["label"])
    assert re.search(r"<td>目标、[^<]*（[^<]*）</td>", page)  # 目标、二.（二）


def test_the_graph_filters_to_one_plan_and_one_unit(browser, corpus_report, corpus_graph,
                                                   tmp_path):
    from selenium.webdriver.support.ui import Select

    plan = next(n for n, d in corpus_graph.nodes(data=True) if d["label"] == "Plan"
                and d["region"] == "昌吉市")
    want = {n for n, d in plan_subgraph(corpus_graph, plan).nodes(data=True)
            if d["label"] in SHOWN}
    browser.get(corpus_report.as_uri())
    graph = browser.find_element("id", "graph")
    everything = int(graph.get_attribute("data-visible"))
    Select(browser.find_element("id", "graph-plan")).select_by_value(plan)
    ids = browser.execute_script(
        "return policygraph.graph.nodes().filter(n => n.visible()).map(n => n.id())")
    assert set(ids) == want and len(want) < everything
    shoot(browser, graph, "graph-one-plan", tmp_path)

    unit = next(u for u in want if corpus_graph.nodes[u]["label"] == "Unit")
    Select(browser.find_element("id", "graph-unit")).select_by_value(unit)
    ids = set(browser.execute_script(
        "return policygraph.graph.nodes().filter(n => n.visible()).map(n => n.id())"))
    tasks = {t for t in corpus_graph.successors(unit) if corpus_graph.nodes[t]["label"] == "Task"}
    assert unit in ids and tasks <= ids and ids < want

    Select(browser.find_element("id", "graph-unit")).select_by_value("")
    Select(browser.find_element("id", "graph-plan")).select_by_value("")
    browser.find_element("css selector", 'input[name="kind"][value="Target"]').click()
    targets = sum(d["label"] == "Target" for _, d in corpus_graph.nodes(data=True))
    assert int(graph.get_attribute("data-visible")) == everything + targets
    browser.find_element("id", "graph-find").send_keys(corpus_graph.nodes[unit]["name"])
    assert int(graph.get_attribute("data-found")) >= 1


def test_tables_sort_numbers_as_numbers_and_tasks_in_document_order(browser, corpus_report):
    browser.get(corpus_report.as_uri())
    header = browser.find_element("css selector", "#plans th:nth-child(5)")  # tasks
    header.click()
    counts = [int(td.text) for td in
              browser.find_elements("css selector", "#plans tbody td:nth-child(5)")]
    assert counts == sorted(counts) and header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert [int(td.text) for td in browser.find_elements(
        "css selector", "#plans tbody td:nth-child(5)")] == sorted(counts, reverse=True)

    table = next(t for t in browser.find_elements("css selector", "section.unit table")
                 if len(t.find_elements("css selector", "tbody tr")) >= 8)
    task_header = table.find_element("css selector", "th:nth-child(2)")
    task_header.click()
    task_header.click()
    task_header.click()  # ascending again, after two reorderings
    keys = [td.text for td in table.find_elements("css selector", "tbody td:nth-child(2)")]
    from policygraph.queries import document_order

    assert keys == sorted(keys, key=document_order) != sorted(keys)


def test_document_text_with_a_script_shows_as_text(browser, hostile_report, tmp_path):
    path, title, plan = hostile_report
    browser.get(path.as_uri())
    assert browser.execute_script("return document.body.getAttribute('data-pwned')") is None
    assert HOSTILE in browser.find_element("id", "plans").text
    assert HOSTILE in browser.find_element("id", "owners").text
    assert browser.find_element("css selector", f'#graph-plan option[value="{plan}"]'
                                ).text == title
    browser.execute_script("policygraph.graph.getElementById(arguments[0]).emit('tap')", plan)
    assert title in browser.find_element("id", "detail").text
    assert "<script>document.body" not in path.read_text(encoding="utf-8")
    shoot(browser, browser.find_element("id", "plans"), "hostile-title", tmp_path)


def test_drafts_are_marked_and_what_the_final_changed_is_shown(raw_copy, tmp_path, browser):
    """A final that raises a draft's target: the draft is marked and superseded, and the
    report's 'changed since the draft' lists the raised target."""
    draft = raw_copy / PLANS["measures_draft"]
    text = draft.read_text(encoding="utf-8")
    assert "每年开展5项左右" in text
    (raw_copy / "measures-final.txt").write_text(
        text.replace("（征求意见稿）", "").replace("每年开展5项左右", "每年开展8项左右"),
        encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(raw_copy), "--out", str(tmp_path / "g")]
                         ).exit_code == 0
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "-g", str(tmp_path / "g"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    browser.get(out.as_uri())
    rows = [[td.text for td in tr.find_elements("tag name", "td")]
            for tr in browser.find_elements("css selector", "#plans tbody tr")]
    draft_row = next(r for r in rows if r[2] == "征求意见稿 draft" and "若干措施" in r[0])
    final_row = next(r for r in rows if r[2] == "final" and "若干措施" in r[0])
    assert draft_row[-1] == final_row[0]  # superseded by the final, named by its title
    changes = browser.find_element("css selector", "#part-changes + h3 + p + table")
    assert "raised target 11" in changes.text and "5项" in changes.text and "8项" in changes.text
    shoot(browser, changes, "changed-since-draft", tmp_path)


def test_report_command_writes_one_page_that_fetches_nothing(tmp_path):
    runner = CliRunner()
    runner.invoke(app, ["build", str(RAW), "--out", str(tmp_path)])
    result = runner.invoke(app, ["report", "-g", str(tmp_path), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # no element that loads something: scripts and styles are inline, links in-page
    assert not re.search(r"<(script|img|iframe|link)\b[^>]*\b(src|href)\s*=", page)
    assert set(re.findall(r'<a href="(.)', page)) == {"#"}


def test_a_damaged_vendored_library_is_refused(tmp_path, monkeypatch, corpus_graph):
    """The inlined libraries are checked against vendor.json: E305 names the file."""
    import policygraph.report as report
    from policygraph.errors import EnvironmentFault

    assets = tmp_path / "assets"
    shutil.copytree(Path(report.__file__).parent / "assets", assets)
    with (assets / "vendor" / "cytoscape.min.js").open("a") as f:
        f.write("/* changed */")
    monkeypatch.setattr(report, "ASSETS", assets)
    report._asset.cache_clear()
    try:
        with pytest.raises(EnvironmentFault) as caught:
            render(corpus_graph)
    finally:
        report._asset.cache_clear()
    assert caught.value.code == "E305" and "cytoscape.min.js" in str(caught.value)


def test_the_report_lists_money_promised_with_its_quote(tmp_path, rules):
    """A plan that promises money shows each amount, cap and share with its owners."""
    from policygraph.build import build

    from .conftest import write_measures

    raw = tmp_path / "raw"
    raw.mkdir()
    write_measures(raw)
    page = render(build(raw).graph)
    table = page[page.index('<table class="data" id="incentives">'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == 7  # the header and the six amounts
    assert "最高不超过500万元" in table and "市大数据局、市财政局" in table
    unit_money = re.findall(r'<section class="unit".*?</section>', page)
    assert any("<h4>money</h4>" in s and "最高不超过500万元" in s for s in unit_money)


def test_a_graph_view_of_over_500_nodes_is_laid_out(corpus_graph):
    """networkx lays out 500 nodes or more with scipy's sparse arrays (about 16 plans)."""
    import networkx as nx

    twice = nx.compose(corpus_graph, nx.relabel_nodes(corpus_graph, lambda n: f"{n}:copy"))
    page = render(twice)
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page).group(1))
    nodes = data["graph"]["nodes"]
    assert len(nodes) == twice.number_of_nodes() >= 500
    assert all(0 <= n["position"]["x"] <= 3000 and 0 <= n["position"]["y"] <= 2000
               for n in nodes)


def test_counts_are_named_for_what_they_count(corpus_graph, tmp_path):
    """The plans table's units are the units that own the plan's tasks (not every unit of
    its region), and the build table's are distinct units (not unit–task links)."""
    from policygraph.build import PlanSummary
    from policygraph.extract import extract
    from policygraph.pipeline import load_document

    from .conftest import plan_path

    page = render(corpus_graph)
    table = page[page.index('<table class="data" id="plans">'):]
    table = table[:table.index("</table>")]
    rows = owners(GraphEngine(corpus_graph), all_versions=True)
    plans = [re.findall(r"<td[^>]*>(.*?)</td>", tr) for tr in table.split("<tr>")[2:]]
    assert len(plans) == 5
    for cells in plans:
        want = len({r["unit_id"] for r in rows if r["plan"] == html.unescape(cells[0])})
        assert int(cells[6]) == want, cells  # 0 for a plan that names no unit
    x = extract(load_document(plan_path("changji")))
    summary = PlanSummary.of(x)
    assert summary.units == len({u.name for u in x.units}) < len(x.units)


def test_a_large_corpus_is_laid_out_in_plan_clusters(corpus_graph):
    """Above SPRING_MAX_NODES (the spring layout took 57 s on 100 plans) each plan gets a
    place on a grid and its tasks sit around it, nearer to it than to any other plan."""
    import math

    import networkx as nx

    from policygraph.report import SPRING_MAX_NODES, graph_data

    copies = []
    for i in range(3):
        copy = nx.relabel_nodes(corpus_graph, lambda n, i=i: f"{n}:{i}")
        for _, d in copy.nodes(data=True):
            if "plan" in d:
                d["plan"] = f"{d['plan']}:{i}"
        copies.append(copy)
    big = nx.compose_all(copies)
    assert big.number_of_nodes() > SPRING_MAX_NODES
    at = {n["data"]["id"]: (n["position"]["x"], n["position"]["y"])
          for n in graph_data(big)["nodes"]}
    assert all(0 <= x <= 3000 and 0 <= y <= 2000 for x, y in at.values())
    plans = [n for n, d in big.nodes(data=True) if d["label"] == "Plan"]
    assert len({at[p] for p in plans}) == len(plans)
    for t, d in big.nodes(data=True):
        if d["label"] == "Task":
            nearest = min(plans, key=lambda p: math.dist(at[p], at[t]))
            assert nearest == d["plan"], t
