// The report's behaviour: search, sortable tables, Chart.js charts, the Cytoscape.js graph.
// Every document string reaches the page as text (textContent, canvas labels), never as HTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const api = (window.policygraph = { charts: [], graph: null });
  const $ = (sel) => document.querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // ---- one search for the page: unit sections and indicator figures show or hide whole,
  // other tables row by row. #q=… in the address opens the page searched.
  const CONTAINERS = "section.unit, figure.indicator";
  const search = $("#search");
  function applySearch() {
    const q = search.value.trim().toLowerCase();
    const shows = (el) => q === "" || el.textContent.toLowerCase().includes(q);
    let blocks = 0, rows = 0;
    $$(CONTAINERS).forEach((el) => { el.hidden = !shows(el); blocks += !el.hidden; });
    $$("table.data").filter((t) => !t.closest(CONTAINERS)).forEach((t) =>
      $$("tbody tr", t).forEach((tr) => { tr.hidden = !shows(tr); rows += !tr.hidden; }));
    $("#hits").textContent = q ? `${blocks} sections and ${rows} table rows match` : "";
    history.replaceState(null, "", q ? "#q=" + encodeURIComponent(q) : location.pathname);
  }
  search.addEventListener("input", applySearch);
  const asked = location.hash.match(/^#q=(.*)$/);
  if (asked) { search.value = decodeURIComponent(asked[1]); applySearch(); }

  // ---- tables sort by a click on a header: numbers as numbers, task keys in document
  // order (data-sort), Chinese text by the zh collation with numerals compared as numbers.
  const collator = new Intl.Collator("zh", { numeric: true });
  const key = (td) => (td ? td.dataset.sort ?? td.textContent : "");
  function order(a, b) {
    const x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) return x - y;
    return collator.compare(a, b);
  }
  $$("table.data").forEach((table) => $$("thead th", table).forEach((th, i) =>
    th.addEventListener("click", () => {
      const dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      $$("thead th", table).forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      const body = table.tBodies[0];
      Array.from(body.rows).sort((a, b) => dir * order(key(a.cells[i]), key(b.cells[i])))
        .forEach((tr) => body.appendChild(tr));
    })));

  // ---- a chart per indicator: each plan's baseline and targets on a year axis.
  const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  $$("figure.indicator").forEach((figure, i) => {
    const spec = data.charts[i];
    const years = spec.series.flatMap((s) => s.points.map((p) => p.x));
    const chart = new Chart(figure.querySelector("canvas"), {
      type: "scatter",
      data: {
        datasets: spec.series.map((s, j) => ({
          label: s.label, data: s.points, showLine: true, pointRadius: 5,
          borderColor: palette[j % palette.length], backgroundColor: palette[j % palette.length],
          pointStyle: s.points.map((p) => (p.kind === "baseline" ? "rect" : "circle")),
        })),
      },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: {
          x: {
            type: "linear", title: { display: true, text: "year（■ baseline ● target）" },
            min: years.length ? Math.min(...years) - 1 : undefined,
            max: years.length ? Math.max(...years) + 1 : undefined,
            ticks: { stepSize: 1, precision: 0, callback: (v) => String(v) },
          },
          y: { beginAtZero: true, title: { display: true, text: spec.measure || spec.indicator } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw.x} ${c.raw.text}` } },
        },
      },
    });
    api.charts.push(chart);
  });

  // ---- the graph: positions computed by the report, labels on plans and units, the rest
  // when zoomed in; filters by kind, plan and unit, and a search that highlights.
  const container = $("#graph"), planSel = $("#graph-plan"), unitSel = $("#graph-unit");
  const find = $("#graph-find"), detail = $("#detail");
  const cy = (api.graph = cytoscape({
    container, elements: data.graph, layout: { name: "preset" }, minZoom: 0.05, maxZoom: 5,
    style: [
      // Cytoscape compares a label's size at the zoom rounded up to a power of two: the
      // overview (zoom about 0.4) shows plans' names, zooming in or filtering the rest.
      { selector: "node", style: { "background-color": "data(colour)", label: "data(short)",
        width: 14, height: 14, "font-size": 9, "min-zoomed-font-size": 9, color: "#333",
        "text-valign": "bottom" } },
      { selector: 'node[kind = "Plan"]', style: { width: 40, height: 40, "font-size": 26,
        "font-weight": "bold", "min-zoomed-font-size": 4, "text-background-color": "#fff",
        "text-background-opacity": 0.7 } },
      { selector: 'node[kind = "Unit"]', style: { width: 22, height: 22, "font-size": 12,
        "min-zoomed-font-size": 8 } },
      { selector: "edge", style: { width: 1, "line-color": "#c8c8c8", "curve-style": "haystack" } },
      { selector: ".off", style: { display: "none" } },
      { selector: ".faded", style: { opacity: 0.12 } },
      { selector: ".found", style: { "border-width": 3, "border-color": "#000", "font-size": 14,
        "min-zoomed-font-size": 1, "z-index": 9 } },
    ],
  }));
  const preset = {};
  cy.nodes().forEach((n) => { preset[n.id()] = { ...n.position() }; });

  function kept() {
    const kinds = new Set($$('input[name="kind"]:checked').map((i) => i.value));
    let nodes = cy.nodes().filter((n) => kinds.has(n.data("kind")));
    if (planSel.value) nodes = nodes.filter((n) => n.data("plans").includes(planSel.value));
    if (unitSel.value) {
      const unit = cy.getElementById(unitSel.value);
      nodes = nodes.intersection(unit.closedNeighborhood().closedNeighborhood().nodes());
    }
    return nodes;
  }
  function applyGraph() {
    const nodes = kept();
    const edges = nodes.connectedEdges().filter((e) => nodes.contains(e.source()) &&
                                                      nodes.contains(e.target()));
    cy.batch(() => {
      cy.elements().addClass("off");
      nodes.union(edges).removeClass("off");
    });
    if (planSel.value || unitSel.value) {
      nodes.union(edges).layout({ name: "cose", animate: false, randomize: false, padding: 30,
        idealEdgeLength: () => 90, nodeRepulsion: () => 600000, componentSpacing: 80 }).run();
    } else {
      cy.nodes().positions((n) => preset[n.id()]);
      cy.fit(nodes, 20);
    }
    container.dataset.visible = nodes.length;
    highlight();
  }
  function highlight() {
    const q = find.value.trim().toLowerCase();
    cy.elements().removeClass("found faded");
    const found = q ? cy.nodes().not(".off").filter((n) => n.data("name").toLowerCase().includes(q))
                    : cy.collection();
    if (q) {
      cy.elements().addClass("faded");
      found.closedNeighborhood().removeClass("faded");
      found.addClass("found");
      if (found.length) cy.fit(found.closedNeighborhood(), 40);
    }
    container.dataset.found = found.length;
  }
  cy.on("tap", "node", (ev) => {
    const d = ev.target.data();
    const near = ev.target.neighborhood("node").map((n) => `${n.data("kind")}: ${n.data("name")}`);
    detail.textContent = `${d.kind}  ${d.id}\n${d.name}` + (d.quote ? `\n“${d.quote}”` : "") +
      (near.length ? `\n\nlinked to (${near.length}):\n` + near.slice(0, 40).join("\n") : "");
  });
  $$('input[name="kind"]').forEach((i) => i.addEventListener("change", applyGraph));
  planSel.addEventListener("change", applyGraph);
  unitSel.addEventListener("change", applyGraph);
  find.addEventListener("input", highlight);
  applyGraph();
})();
