// huntbook notebook widgets: wires one widget's controls and sends its value
// to the kernel. Rust appends `(document.currentScript, CONFIG);` to call it.
// Transport (see widgets/README.md): a silent execute_request over the Jupyter
// server's kernel websocket (same origin, the page's own credentials) whose
// code is `huntbook::widgets::receive("<id>", "<hex of JSON>")?;`. The value is
// hex, so it can never become code. All text goes into the page as textContent.
(function (script, cfg) {
  'use strict';
  var root = script && script.parentElement;
  if (!root || !cfg || !/^[a-z0-9-]{1,64}$/.test(String(cfg.id))) { return; }
  var statusEl = root.querySelector('.hb-w-status');
  function status(text, cls) {
    if (statusEl) { statusEl.textContent = text; statusEl.className = 'hb-w-status ' + (cls || ''); }
  }
  function $(sel) { return root.querySelector(sel); }
  function $all(sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }

  // ---------- where is the Jupyter server? ----------
  function jupyterContext() {
    var conf = {};
    var el = document.getElementById('jupyter-config-data');
    if (el) { try { conf = JSON.parse(el.textContent) || {}; } catch (e) { conf = {}; } }
    var base = (document.body && document.body.dataset && document.body.dataset.baseUrl) || conf.baseUrl;
    if (!base || typeof base !== 'string') { return null; }
    if (/^https?:/.test(base)) { base = new URL(base).pathname; }
    if (base.charAt(base.length - 1) !== '/') { base += '/'; }
    var ws = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base;
    if (typeof conf.wsUrl === 'string' && /^wss?:/.test(conf.wsUrl)) {
      ws = conf.wsUrl.charAt(conf.wsUrl.length - 1) === '/' ? conf.wsUrl : conf.wsUrl + '/';
    }
    return { ws: ws, token: typeof conf.token === 'string' ? conf.token : '' };
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return 'hb-' + Date.now().toString(16) + '-' + Math.random().toString(16).slice(2);
  }
  function hex(text) {
    var bytes = new TextEncoder().encode(text), out = '';
    for (var i = 0; i < bytes.length; i++) { out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16); }
    return out;
  }

  var ctx = jupyterContext();
  var kernel = (typeof cfg.kernel === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(cfg.kernel)) ? cfg.kernel : null;
  var live = !!(ctx && kernel);
  if (!ctx) {
    status('Not connected: this page is not served by a Jupyter server (VS Code, nbconvert HTML or a viewer). ' +
      'The value shown is the one when the cell ran; set it from Rust with the widget\'s set_* method.', 'hb-w-off');
  } else if (!kernel) {
    status('Not connected: the kernel did not report its Jupyter id (start it with the "Rust (huntbook)" kernel spec). ' +
      'Set the value from Rust with the widget\'s set_* method.', 'hb-w-off');
  } else {
    status('Live: changes are sent to the kernel; run the next cell to use them.', 'hb-w-live');
  }

  // One websocket per page and kernel, shared by the widgets on the page.
  function link() {
    var links = window.__huntbookWidgetLinks || (window.__huntbookWidgetLinks = {});
    var l = links[kernel];
    if (l && l.ws.readyState <= 1) { return l; }
    var session = uuid();
    var url = ctx.ws + 'api/kernels/' + encodeURIComponent(kernel) + '/channels?session_id=' + encodeURIComponent(session);
    if (ctx.token) { url += '&token=' + encodeURIComponent(ctx.token); }
    l = { ws: new WebSocket(url), session: session, pending: {}, queue: [], listeners: [], opened: false };
    l.ws.onopen = function () { l.opened = true; l.queue.splice(0).forEach(function (m) { l.ws.send(m); }); };
    l.ws.onmessage = function (ev) {
      if (typeof ev.data !== 'string') { return; }
      var msg; try { msg = JSON.parse(ev.data); } catch (e) { return; }
      var pid = msg.parent_header && msg.parent_header.msg_id;
      var type = msg.msg_type || (msg.header && msg.header.msg_type);
      if (type === 'execute_reply' && pid && l.pending[pid]) { var cb = l.pending[pid]; delete l.pending[pid]; cb(msg.content || {}); }
      if (msg.channel === 'iopub') { l.listeners.forEach(function (f) { try { f(msg); } catch (e) { /* one widget's bug must not stop the others */ } }); }
    };
    l.ws.onclose = function () {
      var why = l.opened ? 'the connection to the kernel closed' :
        'the Jupyter server refused the connection (kernel ' + kernel.slice(0, 8) + '… not running? re-run this cell)';
      Object.keys(l.pending).forEach(function (k) { var cb = l.pending[k]; delete l.pending[k]; cb({ status: 'error', evalue: why }); });
      l.listeners.forEach(function (f) { f({ closed: why }); });
    };
    links[kernel] = l;
    return l;
  }
  function execute(code, done) {
    var l = link(), id = uuid();
    var msg = JSON.stringify({
      header: { msg_id: id, username: 'huntbook-widget', session: l.session, msg_type: 'execute_request',
        version: '5.3', date: new Date().toISOString() },
      parent_header: {}, metadata: {}, channel: 'shell', buffers: [],
      content: { code: code, silent: true, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: false }
    });
    l.pending[id] = done;
    if (l.ws.readyState === 1) { l.ws.send(msg); } else if (l.ws.readyState === 0) { l.queue.push(msg); } else {
      delete l.pending[id]; done({ status: 'error', evalue: 'no connection to the kernel' });
    }
  }
  // Sends the latest value; while one is in flight, only the newest waits.
  var inflight = false, waiting = null;
  function send(value, shown) {
    if (!live) { return; }
    if (inflight) { waiting = [value, shown]; return; }
    inflight = true;
    var t0 = Date.now();
    status('Sending ' + shown + ' to the kernel…', 'hb-w-busy');
    var code = 'huntbook::widgets::receive("' + cfg.id + '", "' + hex(JSON.stringify(value)) + '")?;';
    execute(code, function (reply) {
      inflight = false;
      var secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (reply.status === 'ok') {
        root.setAttribute('data-hb-sent', String(Date.now()));
        status('Saved ' + shown + ' in the kernel (' + secs + ' s); run the next cell to use it.', 'hb-w-ok');
      } else {
        status('Not saved: ' + (reply.evalue || reply.ename || 'the kernel reported an error') + '.', 'hb-w-err');
      }
      if (waiting) { var next = waiting; waiting = null; send(next[0], next[1]); }
    });
  }
  function enable() { if (live) { $all('[disabled]').forEach(function (e) { e.disabled = false; }); } }
  function quoted(s) { return '"' + s + '"'; }

  // ---------- list filtering ----------
  function wireFilter(input, select) {
    if (!input || !select) { return; }
    input.addEventListener('input', function () {
      var q = input.value.toLowerCase();
      Array.prototype.forEach.call(select.options, function (o) { o.hidden = q !== '' && o.text.toLowerCase().indexOf(q) < 0; });
    });
  }

  var kinds = {
    querytime: function () {
      var date = $('.hb-qt-date'), time = $('.hb-qt-time'), before = $('.hb-qt-before'), after = $('.hb-qt-after');
      var units = $('.hb-qt-units'), bOut = $('.hb-qt-before-n'), aOut = $('.hb-qt-after-n');
      var sOut = $('.hb-qt-start'), eOut = $('.hb-qt-end');
      function origin() {
        var t = time.value || '00:00:00'; if (t.length === 5) { t += ':00'; }
        var d = new Date(date.value + 'T' + t + 'Z');
        return isNaN(d.getTime()) ? null : d;
      }
      function fmt(d) { return d.toISOString().replace('T', ' ').replace('.000Z', '').replace('Z', ''); }
      function update(sendIt) {
        var o = origin(), secs = (cfg.unit_seconds || {})[units.value] || 60;
        bOut.textContent = before.value; aOut.textContent = after.value;
        if (!o) { status('Origin date/time is not valid.', 'hb-w-err'); return; }
        var s = new Date(o.getTime() - before.value * secs * 1000), e = new Date(o.getTime() + after.value * secs * 1000);
        sOut.textContent = fmt(s); eOut.textContent = fmt(e);
        if (sendIt) {
          send({ origin: o.toISOString().replace('.000Z', 'Z'), before: Number(before.value), after: Number(after.value), units: units.value },
            fmt(s) + ' to ' + fmt(e));
        }
      }
      units.addEventListener('change', function () {
        var d = (cfg.unit_defaults || {})[units.value];
        if (d) { before.max = d.max_before; after.max = d.max_after; before.value = d.before; after.value = d.after; }
        update(true);
      });
      [date, time, before, after].forEach(function (el) {
        el.addEventListener('input', function () { update(false); });
        el.addEventListener('change', function () { update(true); });
      });
    },
    lookback: function () {
      var r = $('.hb-lb-range'), out = $('.hb-lb-n');
      r.addEventListener('input', function () { out.textContent = r.value; });
      r.addEventListener('change', function () { out.textContent = r.value; send({ lookback: Number(r.value) }, r.value + ' ' + (cfg.units || '')); });
    },
    selectitem: function () {
      var list = $('.hb-w-list');
      wireFilter($('.hb-w-filter'), list);
      list.addEventListener('change', function () {
        var o = list.options[list.selectedIndex]; if (o) { send({ label: o.value }, quoted(o.text)); }
      });
    },
    selectalert: function () {
      var list = $('.hb-w-list'), pane = $('.hb-sa-details');
      wireFilter($('.hb-w-filter'), list);
      function details(id) {
        var rows = (cfg.details || {})[id]; if (!rows || !pane) { return; }
        while (pane.firstChild) { pane.removeChild(pane.firstChild); }
        var table = document.createElement('table');
        rows.forEach(function (kv) {
          var tr = document.createElement('tr'), th = document.createElement('th'), td = document.createElement('td');
          th.textContent = kv[0]; td.textContent = kv[1]; tr.appendChild(th); tr.appendChild(td); table.appendChild(tr);
        });
        pane.appendChild(table);
      }
      list.addEventListener('change', function () {
        var o = list.options[list.selectedIndex]; if (!o) { return; }
        details(o.value); send({ id: o.value }, 'alert ' + quoted(o.value));
      });
    },
    selectsubset: function () {
      var src = $('.hb-ss-src'), dst = $('.hb-ss-dst');
      wireFilter($('.hb-w-filter'), src);
      function move(from, to, all) {
        Array.prototype.slice.call(from.options).forEach(function (o) {
          if ((all && !o.hidden) || o.selected) { o.selected = false; to.appendChild(o); }
        });
        var chosen = Array.prototype.map.call(dst.options, function (o) { return o.value; });
        send({ selected: chosen }, chosen.length + ' selected item(s)');
      }
      $('.hb-ss-add').addEventListener('click', function () { move(src, dst, false); });
      $('.hb-ss-addall').addEventListener('click', function () { move(src, dst, true); });
      $('.hb-ss-del').addEventListener('click', function () { move(dst, src, false); });
      $('.hb-ss-delall').addEventListener('click', function () { move(dst, src, true); });
    },
    optionbuttons: function () {
      var buttons = $all('.hb-ob-btn');
      buttons.forEach(function (b) {
        b.addEventListener('click', function () {
          buttons.forEach(function (x) { x.setAttribute('aria-pressed', x === b ? 'true' : 'false'); });
          var chosen = $('.hb-ob-chosen'); if (chosen) { chosen.textContent = b.value.toLowerCase(); }
          send({ value: b.value }, quoted(b.value.toLowerCase()));
        });
      });
    },
    gettext: function () {
      var input = $('.hb-gt-input'), save = $('.hb-gt-save');
      function go() { send({ value: input.value }, quoted(input.value)); }
      save.addEventListener('click', go);
      input.addEventListener('keydown', function (e) { if (e.key === 'Enter') { go(); } });
    },
    getenvkey: function () {
      var input = $('.hb-gt-input'), save = $('.hb-gt-save'), state = $('.hb-ek-state');
      function go() {
        var secret = input.type === 'password';
        send({ value: input.value }, secret ? 'the value (hidden)' : quoted(input.value));
        if (secret) { input.value = ''; if (state) { state.textContent = 'set in the widget (hidden)'; } }
      }
      save.addEventListener('click', go);
      input.addEventListener('keydown', function (e) { if (e.key === 'Enter') { go(); } });
    },
    progress: function () {
      if (!live) { return; }
      var bar = $('.hb-pg-bar'), txt = $('.hb-pg-text');
      var re = new RegExp('^\\[progress ' + cfg.id + '\\] (\\d+)/(\\d+)', 'm');
      link().listeners.push(function (msg) {
        if (msg.closed) { status('Not connected: ' + msg.closed + '.', 'hb-w-off'); return; }
        var c = msg.content || {};
        if ((msg.msg_type || (msg.header || {}).msg_type) !== 'stream' || typeof c.text !== 'string') { return; }
        var lines = c.text.split('\n'), m = null;
        for (var i = lines.length - 1; i >= 0 && !m; i--) { m = re.exec(lines[i]); }
        if (!m) { return; }
        var done = Number(m[1]), total = Math.max(Number(m[2]), 1), pct = Math.min(100, Math.round(done * 100 / total));
        bar.value = done; bar.max = total; txt.textContent = done + ' / ' + total + ' (' + pct + '%)';
      });
      status('Live: the bar follows the kernel\'s progress lines.', 'hb-w-live');
    }
  };
  if (kinds[cfg.kind]) { enable(); kinds[cfg.kind](); }
})
