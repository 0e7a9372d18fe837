/* huntbook process tree view. Plain JS, no dependencies, no network.
 * Renders lazily: only the children of expanded nodes are in the DOM, and a
 * node with many children shows them a page at a time, so a tree of tens of
 * thousands of processes stays responsive. Every value from the data is put
 * in the page with textContent, never parsed as markup. */
(function () {
  "use strict";
  if (window.hbProcTree) { return; }
  var PAGE = 200;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function fmtPid(v, hex) {
    if (v === null || v === undefined) { return ""; }
    if (typeof v !== "number") { return String(v); }
    return hex ? "0x" + v.toString(16) : String(v);
  }

  window.hbProcTree = function (root, d) {
    var n = d.parent.length;
    var kids = new Array(n);
    var i;
    for (i = 0; i < n; i++) { kids[i] = []; }
    var roots = [];
    for (i = 0; i < n; i++) {
      var p = d.parent[i];
      if (p < 0 || p >= n) { roots.push(i); } else { kids[p].push(i); }
    }
    var state = { hex: !!d.pid_hex, selected: -1, open: new Uint8Array(n), rows: {} };
    var tree = root.querySelector(".hb-pt-tree");
    var detail = root.querySelector(".hb-pt-detail");
    var status = root.querySelector(".hb-pt-status");

    function pidText(i) { return fmtPid(d.pid[i], state.hex); }

    function label(i) {
      var s = d.name[i] === null ? "(unknown)" : d.name[i];
      return s + "  [" + pidText(i) + "]";
    }

    function tooltip(i) {
      var parts = [];
      for (var f = 0; f < d.fields.length; f++) {
        var v = d.values[f][i];
        if (v !== null && v !== "") { parts.push(d.fields[f] + ": " + v); }
      }
      parts.push("PID: " + pidText(i));
      return parts.join("\n");
    }

    function showDetail(i) {
      if (state.selected >= 0 && state.rows[state.selected]) {
        state.rows[state.selected].classList.remove("hb-pt-sel");
      }
      state.selected = i;
      if (state.rows[i]) { state.rows[i].classList.add("hb-pt-sel"); }
      while (detail.firstChild) { detail.removeChild(detail.firstChild); }
      detail.appendChild(el("div", "hb-pt-dtitle", label(i)));
      var t = el("table", "hb-pt-dtable");
      function add(k, v) {
        var tr = el("tr");
        tr.appendChild(el("th", null, k));
        tr.appendChild(el("td", null, v === null ? "" : v));
        t.appendChild(tr);
      }
      add("PID", pidText(i));
      add("Depth", String(d.depth[i]));
      add("Children", String(kids[i].length));
      if (d.inferred[i]) { add("Inferred", "yes: parent not in the data"); }
      for (var c = 0; c < d.table_cols.length; c++) {
        add(d.table_cols[c], d.table[c][i]);
      }
      detail.appendChild(t);
    }

    function makeRow(i) {
      var row = el("div", "hb-pt-row");
      var tog = el("span", "hb-pt-tog", kids[i].length ? (state.open[i] ? "\u25be" : "\u25b8") : "\u00b7");
      row.appendChild(tog);
      var dot = el("span", "hb-pt-dot");
      var ci = d.color[i];
      if (ci >= 0 && ci < d.palette.length) { dot.style.background = d.palette[ci]; }
      row.appendChild(dot);
      var lab = el("span", "hb-pt-label" + (d.inferred[i] ? " hb-pt-inf" : ""), label(i));
      lab.title = tooltip(i);
      row.appendChild(lab);
      if (kids[i].length) { row.appendChild(el("span", "hb-pt-count", "(" + kids[i].length + ")")); }
      state.rows[i] = row;
      if (i === state.selected) { row.classList.add("hb-pt-sel"); }
      tog.addEventListener("click", function (ev) { ev.stopPropagation(); toggle(i); });
      lab.addEventListener("click", function () { showDetail(i); });
      lab.addEventListener("dblclick", function () { toggle(i); });
      return row;
    }

    function renderChildren(box, list, start) {
      var end = Math.min(list.length, start + PAGE);
      for (var k = start; k < end; k++) { box.appendChild(makeNode(list[k])); }
      if (end < list.length) {
        var more = el("div", "hb-pt-more", "show " + Math.min(PAGE, list.length - end) + " more of " + (list.length - end));
        more.addEventListener("click", function () {
          box.removeChild(more);
          renderChildren(box, list, end);
        });
        box.appendChild(more);
      }
    }

    function makeNode(i) {
      var node = el("div", "hb-pt-node");
      node.appendChild(makeRow(i));
      if (state.open[i] && kids[i].length) {
        var box = el("div", "hb-pt-kids");
        renderChildren(box, kids[i], 0);
        node.appendChild(box);
      }
      return node;
    }

    function toggle(i) {
      if (!kids[i].length) { return; }
      state.open[i] = state.open[i] ? 0 : 1;
      var row = state.rows[i];
      if (!row || !row.parentNode) { redraw(); return; }
      var node = row.parentNode;
      node.replaceChild(makeRow(i), row);
      var box = node.querySelector(":scope > .hb-pt-kids");
      if (state.open[i]) {
        if (!box) {
          box = el("div", "hb-pt-kids");
          renderChildren(box, kids[i], 0);
          node.appendChild(box);
        }
      } else if (box) {
        node.removeChild(box);
      }
      updateStatus();
    }

    function countOpen() {
      var c = 0;
      for (var j = 0; j < n; j++) { c += state.open[j]; }
      return c;
    }

    function updateStatus() {
      status.textContent = n + " processes, " + roots.length + " roots, " + countOpen() + " expanded" + (d.note ? " \u2014 " + d.note : "");
    }

    function redraw() {
      state.rows = {};
      while (tree.firstChild) { tree.removeChild(tree.firstChild); }
      renderChildren(tree, roots, 0);
      updateStatus();
    }

    function expandTo(level) {
      for (var j = 0; j < n; j++) { state.open[j] = d.depth[j] < level ? 1 : 0; }
      redraw();
    }

    function reveal(i) {
      var p = d.parent[i];
      while (p >= 0 && p < n) { state.open[p] = 1; p = d.parent[p]; }
    }

    root.querySelector(".hb-pt-expand").addEventListener("click", function () {
      var lvl = parseInt(root.querySelector(".hb-pt-level").value, 10);
      expandTo(isNaN(lvl) ? 1 : lvl);
    });
    root.querySelector(".hb-pt-collapse").addEventListener("click", function () { expandTo(0); });
    root.querySelector(".hb-pt-pid").addEventListener("change", function (ev) {
      state.hex = ev.target.value === "hex";
      redraw();
      if (state.selected >= 0) { showDetail(state.selected); }
    });
    var search = root.querySelector(".hb-pt-search");
    search.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter") { return; }
      var q = search.value.toLowerCase();
      if (!q) { return; }
      var hits = [];
      for (var j = 0; j < n && hits.length < 500; j++) {
        var hay = (d.name[j] || "").toLowerCase() + " " + pidText(j);
        for (var f = 0; f < d.fields.length; f++) { hay += " " + String(d.values[f][j] || "").toLowerCase(); }
        if (hay.indexOf(q) >= 0) { hits.push(j); }
      }
      for (var h = 0; h < hits.length; h++) { reveal(hits[h]); }
      redraw();
      for (var h2 = 0; h2 < hits.length; h2++) {
        if (state.rows[hits[h2]]) { state.rows[hits[h2]].classList.add("hb-pt-hit"); }
      }
      if (hits.length) { showDetail(hits[0]); if (state.rows[hits[0]]) { state.rows[hits[0]].scrollIntoView({ block: "nearest" }); } }
      status.textContent = hits.length + (hits.length === 500 ? "+" : "") + " matches for \u201c" + search.value + "\u201d";
    });

    var legend = root.querySelector(".hb-pt-legend");
    for (var li = 0; li < d.legend.length; li++) {
      var item = el("span", "hb-pt-litem");
      var sw = el("span", "hb-pt-dot");
      sw.style.background = d.palette[d.legend[li][1]];
      item.appendChild(sw);
      item.appendChild(el("span", null, d.legend[li][0]));
      legend.appendChild(item);
    }
    if (d.color_by) { legend.insertBefore(el("span", "hb-pt-lhead", d.color_by + ":"), legend.firstChild); }
    expandTo(d.expand_depth);
  };
})();
