"""The HTML report, opened in headless Chromium (Debian's chromium and chromium-driver)."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from typer.testing import CliRunner

from policygraph.cli import app
from policygraph.report import render

from .conftest import RAW

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
    return path, g.nodes[plan]["title"]


def test_the_report_renders_tables_chart_and_graph(browser, hostile_report, tmp_path):
    from selenium.webdriver.common.by import By

    path, title = hostile_report
    browser.get(path.as_uri())
    assert len(browser.find_elements(By.CSS_SELECTOR, "#plans tbody tr")) == 5
    assert len(browser.find_elements(By.CSS_SELECTOR, "#owners tbody tr")) > 10
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")
    assert len(bars) >= 2 and all(float(b.get_attribute("width")) > 0 for b in bars)
    graph = browser.find_element(By.ID, "graph")
    circles = browser.find_elements(By.CSS_SELECTOR, "#graph circle.node")
    assert int(graph.get_attribute("data-rendered")) == len(circles) > 100

    plan_dot = next(c for c in circles if c.get_attribute("data-id").startswith("plan:")
                    and title in c.get_attribute("textContent"))
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", plan_dot)
    assert title in browser.find_element(By.ID, "detail").text

    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_document_text_with_a_script_shows_as_text(browser, hostile_report):
    from selenium.webdriver.common.by import By

    path, _ = hostile_report
    browser.get(path.as_uri())
    assert browser.execute_script("return document.body.getAttribute('data-pwned')") is None
    assert HOSTILE in browser.find_element(By.ID, "plans").text
    assert HOSTILE in browser.find_element(By.ID, "owners").text
    assert "<script>document.body" not in path.read_text(encoding="utf-8")


def test_report_command_writes_the_page(tmp_path):
    runner = CliRunner()
    runner.invoke(app, ["build", str(RAW), "--out", str(tmp_path)])
    result = runner.invoke(app, ["report", "-g", str(tmp_path), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""\b(src|href)\s*=|@import|url\(""", page)  # nothing to fetch


def test_the_report_lists_money_promised_with_its_quote(tmp_path, rules):
    """A plan that promises money shows each amount, cap and share with its owners."""
    from policygraph.build import build

    from .conftest import write_measures

    raw = tmp_path / "raw"
    raw.mkdir()
    write_measures(raw)
    page = render(build(raw).graph)
    table = page[page.index('<table id="incentives">'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == 7  # the header and the six amounts
    assert "最高不超过500万元" in table and "市大数据局、市财政局" in table


def test_a_graph_view_of_over_500_nodes_is_laid_out(corpus_graph):
    """networkx lays out 500 nodes or more with scipy's sparse arrays (about 16 plans)."""
    import json

    import networkx as nx

    twice = nx.compose(corpus_graph, nx.relabel_nodes(corpus_graph, lambda n: f"{n}:copy"))
    page = render(twice)
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', page).group(1))
    assert len(data["nodes"]) >= 500
    assert all(0 <= n["x"] <= 900 and 0 <= n["y"] <= 700 for n in data["nodes"])


def test_counts_are_named_for_what_they_count(corpus_graph, tmp_path):
    """The plans table's units are the units that own the plan's tasks (not every unit of
    its region), and the build table's are distinct units (not unit–task links)."""
    from policygraph.build import PlanSummary
    from policygraph.extract import extract
    from policygraph.pipeline import load_document
    from policygraph.queries import GraphEngine, owners

    from .conftest import plan_path

    page = render(corpus_graph)
    table = page[page.index('<table id="plans">'):]
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
