// reconcile report: the events table (filter, sort, pages) and each event's detail.
// Vetted rules: no HTML parsing of data, no eval, no network. Every text is set
// with textContent; links are made only from URLs the generator checked (http/https).
(function () {
  "use strict";
  var PAGE = 50;
  var data = JSON.parse(document.getElementById("events-data").textContent);
  var F = {};
  data.fields.forEach(function (name, i) { F[name] = i; });
  var rows = data.rows;
  var NUMERIC = { low: 1, best: 1, high: 1, confidence: 1, n_independent: 1, priority: 1, n_claims: 1 };
  var state = { sort: "priority", dir: -1, page: 0, shown: rows };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function count(v) {
    if (v === null || v === undefined || v === "") { return ""; }
    return Number(v).toLocaleString("en-US");
  }
  function high(v) { return (v === null || v === undefined || v === "") ? "∞" : count(v); }

  var q = document.getElementById("q");
  var selects = ["status", "grade", "category"].map(function (name) {
    return { name: name, node: document.getElementById("f-" + name) };
  });
  selects.forEach(function (s) {
    var seen = {};
    rows.forEach(function (r) { var v = r[F[s.name]]; if (v) { seen[v] = (seen[v] || 0) + 1; } });
    Object.keys(seen).sort().forEach(function (v) {
      s.node.appendChild(el("option", { value: v }, v + " (" + seen[v] + ")"));
    });
  });

  function matches(r, words) {
    for (var i = 0; i < selects.length; i++) {
      var want = selects[i].node.value;
      if (want && r[F[selects[i].name]] !== want) { return false; }
    }
    if (!words.length) { return true; }
    var hay = [r[F.id], r[F.place], r[F.category], r[F.victims], r[F.sources], r[F.basis],
               r[F.review]].join(" ").toLowerCase();
    return words.every(function (w) { return hay.indexOf(w) >= 0; });
  }

  function compare(a, b) {
    var i = F[state.sort], x = a[i], y = b[i];
    if (NUMERIC[state.sort]) {
      x = (x === null || x === "") ? (state.sort === "high" ? Infinity : -Infinity) : Number(x);
      y = (y === null || y === "") ? (state.sort === "high" ? Infinity : -Infinity) : Number(y);
      if (x !== y) { return (x < y ? -1 : 1) * state.dir; }
    } else {
      x = String(x || ""); y = String(y || "");
      if (x !== y) { return (x < y ? -1 : 1) * state.dir; }
    }
    return a[F.index] - b[F.index];
  }

  function refresh() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    state.shown = rows.filter(function (r) { return matches(r, words); }).sort(compare);
    var pages = Math.max(1, Math.ceil(state.shown.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    draw();
  }

  var tbody = document.getElementById("events-body");
  function cell(tr, text, cls) { var td = el("td", cls ? { "class": cls } : null, text); tr.appendChild(td); return td; }
  function badge(kind, value) { return el("span", { "class": "badge " + kind + "-" + value }, value); }

  function draw() {
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    var start = state.page * PAGE, page = state.shown.slice(start, start + PAGE);
    page.forEach(function (r) {
      var tr = el("tr", { "class": "ev-row", tabindex: "0", "data-index": String(r[F.index]),
                          "data-id": r[F.id] });
      var td = cell(tr, ""); td.appendChild(badge("s", r[F.status]));
      td = cell(tr, ""); if (r[F.grade]) { td.appendChild(badge("g", r[F.grade])); }
      cell(tr, r[F.category]); cell(tr, r[F.victims]); cell(tr, r[F.place]);
      cell(tr, r[F.date_start] === r[F.date_end] ? r[F.date_start] : r[F.date_start] + " – " + r[F.date_end]);
      cell(tr, count(r[F.low]), "num"); cell(tr, count(r[F.best]), "num"); cell(tr, high(r[F.high]), "num");
      cell(tr, r[F.confidence] === null ? "" : Number(r[F.confidence]).toFixed(2), "num");
      cell(tr, r[F.n_independent], "num");
      cell(tr, r[F.basis], "basis");
      tr.addEventListener("click", function () { openEvent(r[F.index]); });
      tr.addEventListener("keydown", function (e) { if (e.key === "Enter") { openEvent(r[F.index]); } });
      tbody.appendChild(tr);
    });
    var pages = Math.max(1, Math.ceil(state.shown.length / PAGE));
    document.getElementById("page-info").textContent = "page " + (state.page + 1) + " of " + pages;
    document.getElementById("shown").textContent = state.shown.length.toLocaleString("en-US") +
      " of " + rows.length.toLocaleString("en-US") + " events";
    document.getElementById("prev").disabled = state.page === 0;
    document.getElementById("next").disabled = state.page >= pages - 1;
    document.querySelectorAll("#events thead th[data-key]").forEach(function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-key") === state.sort ?
        (state.dir > 0 ? "ascending" : "descending") : "none");
    });
  }

  document.querySelectorAll("#events thead th[data-key] button").forEach(function (b) {
    b.addEventListener("click", function () {
      var key = b.parentNode.getAttribute("data-key");
      if (state.sort === key) { state.dir = -state.dir; } else { state.sort = key; state.dir = NUMERIC[key] ? -1 : 1; }
      state.page = 0; refresh();
    });
  });
  q.addEventListener("input", function () { state.page = 0; refresh(); });
  selects.forEach(function (s) { s.node.addEventListener("change", function () { state.page = 0; refresh(); }); });
  document.getElementById("prev").addEventListener("click", function () { state.page -= 1; draw(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; draw(); });

  // -- one event's detail, parsed from its own JSON block when opened --------------
  var detail = document.getElementById("detail");
  var byId = {};
  rows.forEach(function (r) { byId[r[F.id]] = r[F.index]; });

  function eventLink(id, label) {
    if (byId[id] === undefined) { return el("span", { "class": "muted" }, (label || id) + " (not in this report)"); }
    var a = el("a", { href: "#event=" + encodeURIComponent(id) }, label || id);
    return a;
  }

  function openEvent(index) {
    var r = rows[index];
    if (location.hash !== "#event=" + encodeURIComponent(r[F.id])) {
      location.hash = "event=" + encodeURIComponent(r[F.id]);
    } else { show(index); }
  }

  function show(index) {
    var block = document.getElementById("d-" + index);
    if (!block) { return; }
    var d = JSON.parse(block.textContent);
    while (detail.firstChild) { detail.removeChild(detail.firstChild); }
    document.querySelectorAll("tr.ev-row.open").forEach(function (tr) { tr.classList.remove("open"); });
    var tr = document.querySelector('tr.ev-row[data-index="' + index + '"]');
    if (tr) { tr.classList.add("open"); }
    detail.appendChild(el("h2", { id: "detail-title" }, d.title));
    detail.appendChild(el("p", { "class": "sub" }, "event " + d.id + " · " + d.n_claims + (d.n_claims === 1 ? " claim" : " claims") + " from " + d.sources));
    var fig = el("p", { "class": "figures" });
    fig.appendChild(document.createTextNode("low "));
    fig.appendChild(el("b", null, count(d.low)));
    fig.appendChild(document.createTextNode(" · best "));
    fig.appendChild(el("b", { id: "detail-best" }, count(d.best)));
    fig.appendChild(document.createTextNode(" · high "));
    fig.appendChild(el("b", null, high(d.high)));
    fig.appendChild(document.createTextNode(d.confidence === null ? "" : " · confidence " + Number(d.confidence).toFixed(2) + " "));
    fig.appendChild(badge("s", d.status));
    if (d.grade) { fig.appendChild(document.createTextNode(" ")); fig.appendChild(badge("g", d.grade)); }
    detail.appendChild(fig);
    if (d.basis) { detail.appendChild(el("p", { "class": "basis-full" }, d.basis)); }
    if (d.conflicts) { detail.appendChild(el("p", null, "Outside [low, high]: " + d.conflicts)); }
    if (d.reviews.length) {
      detail.appendChild(el("h3", null, "Review verdicts"));
      var ul = el("ul", { "class": "reviews" });
      d.reviews.forEach(function (t) { ul.appendChild(el("li", null, t)); });
      detail.appendChild(ul);
    }
    if (d.parent || d.children.length) {
      detail.appendChild(el("h3", null, "Hierarchy"));
      var h = el("ul", { "class": "hierarchy" });
      if (d.parent) {
        var li = el("li", null, "Part of ");
        li.appendChild(eventLink(d.parent.id, d.parent.label));
        if (d.parent.link) { li.appendChild(document.createTextNode(" (" + d.parent.link + ")")); }
        h.appendChild(li);
      }
      d.children.forEach(function (c) {
        var li2 = el("li", null, "Contains ");
        li2.appendChild(eventLink(c.id, c.label));
        h.appendChild(li2);
      });
      detail.appendChild(h);
    }
    detail.appendChild(el("h3", null, "Every claim's interval"));
    var chart = el("div", { "class": "chart", id: "detail-chart" });
    if (d.chart) {
      var svg = new DOMParser().parseFromString(d.chart, "image/svg+xml").documentElement;
      if (svg && svg.nodeName.toLowerCase() === "svg") { chart.appendChild(document.importNode(svg, true)); }
    }
    if (d.chart_note) { chart.appendChild(el("p", { "class": "note" }, d.chart_note)); }
    detail.appendChild(chart);
    detail.appendChild(el("p", { "class": "muted" }, "Bars: each claim's interval (an arrowhead: no upper bound); black tick: the number the source stated; shaded band: [low, high]; line: best."));
    if (d.history_chart) {
      detail.appendChild(el("h3", null, "How the toll moved with each report"));
      var hist = el("div", { "class": "chart", id: "detail-history" });
      var hsvg = new DOMParser().parseFromString(d.history_chart, "image/svg+xml").documentElement;
      if (hsvg && hsvg.nodeName.toLowerCase() === "svg") { hist.appendChild(document.importNode(hsvg, true)); }
      detail.appendChild(hist);
      detail.appendChild(el("p", { "class": "muted" }, "Shaded band: [low, high] as the claims published up to each report gave it; line and dots: best (reconcile history EVENT_ID --run OUT lists which claims moved it)."));
    }
    detail.appendChild(el("h3", null, "Claims, and why each counted or not"));
    var t = el("table", { "class": "claims" });
    var head = el("tr");
    ["#", "source", "figure", "interval", "verdict", "why", "reported", "quote"].forEach(function (h2) { head.appendChild(el("th", null, h2)); });
    t.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    d.claims.forEach(function (c) {
      var row = el("tr", { "data-claim": c.claim_id });
      cell(row, c.n, "num");
      var src = cell(row, c.source);
      if (c.relay) { src.appendChild(el("div", { "class": "muted" }, "via " + c.relay)); }
      cell(row, c.figure);
      cell(row, c.interval, "num");
      cell(row, c.verdict, "v-" + c.verdict);
      var why = cell(row, c.why, "why");
      if (c.review) { why.appendChild(el("div", { "class": "muted" }, "Review: " + c.review)); }
      var rep = cell(row, [c.outlet, c.published].filter(Boolean).join(", "));
      if (c.url) {
        rep.appendChild(el("br"));
        rep.appendChild(el("a", { href: c.url, rel: "noopener noreferrer", target: "_blank" }, "article"));
      } else if (c.url_text) {
        rep.appendChild(el("div", { "class": "muted" }, "address (not a web link): " + c.url_text));
      }
      var qt = cell(row, c.quote, "quote");
      if (c.hedge) { qt.appendChild(el("div", { "class": "muted" }, "hedge: " + c.hedge)); }
      body.appendChild(row);
    });
    t.appendChild(body);
    detail.appendChild(t);
    detail.appendChild(el("p", { "class": "muted" }, "claim ids: " + d.claims.map(function (c) { return c.claim_id; }).join(", ")));
    detail.hidden = false;
    detail.scrollIntoView({ block: "start" });
  }

  function fromHash() {
    var m = /^#event=(.+)$/.exec(location.hash);
    if (!m) { return; }
    var id = decodeURIComponent(m[1]);
    if (byId[id] !== undefined) { show(byId[id]); }
  }
  window.addEventListener("hashchange", fromHash);
  refresh();
  fromHash();
  document.body.setAttribute("data-ready", "1");
}());
