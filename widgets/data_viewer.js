// huntbook data viewer: filter, sort, choose columns and page through a table.
// Called as hbDataViewer(element, spec); every value is set with textContent.
function hbDataViewer(root, spec) {
  "use strict";
  var cols = spec.columns, rows = spec.rows;
  var numeric = cols.map(function (c) { return /^(i|u)(8|16|32|64)$|^f(32|64)$/.test(c.dtype); });
  var state = { shown: cols.map(function () { return true; }), filters: cols.map(function () { return ""; }),
                sortCol: -1, sortDir: 1, page: 0, pageSize: spec.pageSize || 25 };
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  root.textContent = "";
  if (spec.notice) root.appendChild(el("div", "hb-notice", spec.notice));
  var bar = el("div", "hb-bar");
  var chooser = el("details", "hb-cols");
  chooser.appendChild(el("summary", null, "columns"));
  cols.forEach(function (c, i) {
    var lab = el("label"), box = el("input");
    box.type = "checkbox"; box.checked = true;
    box.addEventListener("change", function () { state.shown[i] = box.checked; draw(); });
    lab.appendChild(box); lab.appendChild(document.createTextNode(" " + c.name));
    chooser.appendChild(lab);
  });
  bar.appendChild(chooser);
  var sizeSel = el("select");
  [10, 25, 50, 100, 500].forEach(function (n) {
    var o = el("option", null, n + " rows"); o.value = n; if (n === state.pageSize) o.selected = true; sizeSel.appendChild(o);
  });
  sizeSel.addEventListener("change", function () { state.pageSize = +sizeSel.value; state.page = 0; draw(); });
  bar.appendChild(sizeSel);
  var prev = el("button", null, "◀"), next = el("button", null, "▶"), info = el("span", "hb-info");
  prev.addEventListener("click", function () { if (state.page > 0) { state.page--; draw(); } });
  next.addEventListener("click", function () { state.page++; draw(); });
  bar.appendChild(prev); bar.appendChild(info); bar.appendChild(next);
  root.appendChild(bar);
  var table = el("table"), thead = el("thead"), tbody = el("tbody");
  table.appendChild(thead); table.appendChild(tbody);
  var wrap = el("div", "hb-scroll"); wrap.appendChild(table); root.appendChild(wrap);

  function matches(r) {
    for (var i = 0; i < cols.length; i++) {
      var f = state.filters[i];
      if (f && (r[i] === null || String(r[i]).toLowerCase().indexOf(f) < 0)) return false;
    }
    return true;
  }
  function compare(a, b) {
    var i = state.sortCol, x = a[i], y = b[i];
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    if (numeric[i]) return (parseFloat(x) - parseFloat(y)) * state.sortDir;
    return (x < y ? -1 : 1) * state.sortDir;
  }
  function header() {
    thead.textContent = "";
    var names = el("tr"), filters = el("tr", "hb-filters");
    cols.forEach(function (c, i) {
      if (!state.shown[i]) return;
      var arrow = state.sortCol === i ? (state.sortDir > 0 ? " ▲" : " ▼") : "";
      var th = el("th", "hb-sort", c.name + arrow);
      th.appendChild(el("span", "hb-dtype", c.dtype));
      th.title = "sort by " + c.name;
      th.addEventListener("click", function () {
        if (state.sortCol === i) state.sortDir = -state.sortDir; else { state.sortCol = i; state.sortDir = 1; }
        draw();
      });
      names.appendChild(th);
      var fth = el("th"), inp = el("input");
      inp.type = "search"; inp.placeholder = "filter"; inp.value = state.filters[i];
      inp.addEventListener("input", function () { state.filters[i] = inp.value.toLowerCase(); state.page = 0; body(); });
      fth.appendChild(inp); filters.appendChild(fth);
    });
    thead.appendChild(names); thead.appendChild(filters);
  }
  function body() {
    var view = rows.filter(matches);
    if (state.sortCol >= 0) view.sort(compare);
    var pages = Math.max(1, Math.ceil(view.length / state.pageSize));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * state.pageSize, slice = view.slice(start, start + state.pageSize);
    tbody.textContent = "";
    slice.forEach(function (r) {
      var tr = el("tr");
      r.forEach(function (v, i) {
        if (!state.shown[i]) return;
        var td = el("td", v === null ? "hb-null" : (numeric[i] ? "hb-num" : null), v === null ? "null" : v);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    info.textContent = " rows " + (view.length ? start + 1 : 0) + "–" + (start + slice.length) + " of " +
      view.length + (view.length !== rows.length ? " (filtered from " + rows.length + ")" : "") +
      " · page " + (state.page + 1) + "/" + pages + " ";
  }
  function draw() { header(); body(); }
  draw();
}
