
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('npf-data').textContent);
  var EXP = D.words.expected, OBS = D.words.observed, STATUS = D.words.status;
  var PROTO = {'TCP': 0, 'UDP': 1, 'SCTP': 2};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function splitTarget(t) {
    var slash = t.lastIndexOf('/'), colon = slash > 0 ? t.lastIndexOf(':', slash) : -1;
    if (colon <= 0) return [t, '?'];
    return [t.slice(0, colon), t.slice(colon + 1)];
  }
  function ns(ep) {
    if (ep.indexOf('node/') === 0) return '#nodes';
    if (ep.indexOf('ip/') === 0) return '#external';
    if (ep.indexOf('svc/') === 0) ep = ep.slice(4);
    var i = ep.indexOf('/');
    return i < 0 ? '#other' : ep.slice(0, i);
  }
  function portKey(pp) {
    var i = pp.indexOf('/'), n = parseInt(pp, 10), p = PROTO[pp.slice(i + 1)];
    return [isNaN(n) ? 1e9 : n, p === undefined ? 3 : p, pp];
  }
  function cmpKey(a, b) {
    for (var k = 0; k < 3; k++) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
    return 0;
  }

  // Per state, computed once: each cell's source, destination endpoint and port/protocol.
  function meta(st) {
    if (st.m) return st.m;
    var from = [], to = [], pp = [], blk = [], blocks = D.blocks[st.b] || [];
    for (var b = 0; b < blocks.length; b++) {
      var tg = blocks[b].to.map(splitTarget);
      for (var s = 0; s < blocks[b].from.length; s++)
        for (var t = 0; t < tg.length; t++) { from.push(blocks[b].from[s]); to.push(tg[t][0]); pp.push(tg[t][1]); blk.push(b); }
    }
    var rec = {};
    (st.r || []).forEach(function (p) { rec[p[0]] = p[1]; });
    st.m = {from: from, to: to, pp: pp, blk: blk, rec: rec};
    return st.m;
  }

  var F = {from: '', to: '', port: '', verdict: '', notable: false};
  function verdictMatches(st, i) {
    var v = F.verdict;
    if (!v) return true;
    if (v === 'allow') return st.e[i] === '.';
    if (v === 'deny') return st.e[i] === 'X';
    return st.s[i] === v;
  }
  function cellMatches(st, m, i) {
    if (F.port && m.pp[i] !== F.port) return false;
    if (F.from && ns(m.from[i]) !== F.from) return false;
    if (F.to && ns(m.to[i]) !== F.to) return false;
    return verdictMatches(st, i);
  }
  function filtering() { return F.from || F.to || F.port || F.verdict; }

  function cellClass(st, i) {
    var s = st.s[i];
    if (s === 'p') return st.e[i] === 'X' ? 's-pd' : 's-pa';
    return 's-' + s;
  }

  var rendered = [];  // matrices on the page, for the filters
  function renderState(ci, si, box) {
    var st = D.cases[ci].states[si], m = meta(st), groups = {}, keys = [], shape = {}, i;
    // A port whose table would be mostly holes (blocks with different sources and targets)
    // gets one table per block, as in the text report.
    for (i = 0; i < m.pp.length; i++) {
      var sh = shape[m.pp[i]] || (shape[m.pp[i]] = {rows: new Set(), cols: new Set(), n: 0});
      sh.rows.add(m.from[i]); sh.cols.add(m.to[i]); sh.n++;
    }
    for (i = 0; i < m.pp.length; i++) {
      var s0 = shape[m.pp[i]], own = s0.rows.size * s0.cols.size > 2 * s0.n + 1024;
      var key = own ? m.pp[i] + ' (block ' + (m.blk[i] + 1) + ')' : m.pp[i];
      var g = groups[key];
      if (!g) { g = groups[key] = {pp: m.pp[i], title: key, rows: [], cols: [], ri: {}, ci: {}, cells: []}; keys.push(key); }
      if (!(m.from[i] in g.ri)) { g.ri[m.from[i]] = g.rows.length; g.rows.push(m.from[i]); }
      if (!(m.to[i] in g.ci)) { g.ci[m.to[i]] = g.cols.length; g.cols.push(m.to[i]); }
      g.cells.push([g.ri[m.from[i]], g.ci[m.to[i]], i]);
    }
    keys.sort(function (a, b) { return cmpKey(portKey(a), portKey(b)) || (a < b ? -1 : a > b ? 1 : 0); });
    var wrap = el('div', 'mxs');
    keys.forEach(function (k) {
      var g = groups[k], grid = [];
      for (var r = 0; r < g.rows.length; r++) grid.push(new Array(g.cols.length).fill(-1));
      g.cells.forEach(function (c) { grid[c[0]][c[1]] = c[2]; });
      var w = el('div', 'mxwrap');
      w.appendChild(el('div', 'mxtitle', g.title));
      var tbl = el('table', 'mx'), thead = el('thead'), hr = el('tr');
      tbl.dataset.case = ci; tbl.dataset.state = si;
      hr.appendChild(el('th', 'corner', 'from \u2193 to \u2192'));
      var colTh = g.cols.map(function (c) { var th = el('th', 'ch'); th.appendChild(el('span', '', c)); hr.appendChild(th); return th; });
      thead.appendChild(hr); tbl.appendChild(thead);
      var tbody = el('tbody'), rowTr = [], tds = [];
      g.rows.forEach(function (row, r) {
        var tr = el('tr');
        tr.appendChild(el('th', 'rh', row));
        var line = [];
        for (var c = 0; c < g.cols.length; c++) {
          var i = grid[r][c], td;
          if (i < 0) td = el('td', 'np');
          else { td = el('td', 'c ' + cellClass(st, i), st.e[i] === '-' ? '\u2013' : st.e[i]); td.dataset.i = i; }
          tr.appendChild(td); line.push(td);
        }
        tbody.appendChild(tr); rowTr.push(tr); tds.push(line);
      });
      tbl.appendChild(tbody); w.appendChild(tbl); wrap.appendChild(w);
      rendered.push({st: st, m: m, g: g, grid: grid, w: w, rowTr: rowTr, colTh: colTh, tds: tds, box: box});
    });
    box.appendChild(wrap);
    var none = el('div', 'empty', 'No cell of this step matches the filters.');
    none.style.display = 'none';
    box.appendChild(none);
    box.noneMsg = none;
  }

  function applyToMatrix(x) {
    var g = x.g, st = x.st, compact = !!F.verdict;
    var rowOn = g.rows.map(function (r) { return !F.from || ns(r) === F.from; });
    var colOn = g.cols.map(function (c) { return !F.to || ns(c) === F.to; });
    var rowHit = rowOn.map(function () { return false; }), colHit = colOn.map(function () { return false; });
    for (var r = 0; r < g.rows.length; r++)
      for (var c = 0; c < g.cols.length; c++) {
        var i = x.grid[r][c];
        if (i < 0) continue;
        var hit = verdictMatches(st, i);
        x.tds[r][c].classList.toggle('dim', !hit);
        if (hit && rowOn[r] && colOn[c]) { rowHit[r] = true; colHit[c] = true; }
      }
    var anyRow = false, anyCol = false;
    for (r = 0; r < g.rows.length; r++) {
      var on = rowOn[r] && (!compact || rowHit[r]);
      x.rowTr[r].style.display = on ? '' : 'none';
      anyRow = anyRow || on;
    }
    for (c = 0; c < g.cols.length; c++) {
      var con = colOn[c] && (!compact || colHit[c]);
      x.colTh[c].style.display = con ? '' : 'none';
      for (r = 0; r < g.rows.length; r++) x.tds[r][c].style.display = con ? '' : 'none';
      anyCol = anyCol || con;
    }
    var show = (!F.port || g.pp === F.port) && anyRow && anyCol;
    x.w.style.display = show ? '' : 'none';
    return show;
  }

  function applyFilters() {
    var shown = 0;
    D.cases.forEach(function (c, ci) {
      var node = document.getElementById('case-' + ci);
      if (!node) return;
      var visible = !F.notable || c.notable;
      if (visible && filtering()) {
        visible = false;
        for (var si = 0; si < c.states.length && !visible; si++) {
          var st = c.states[si], m = meta(st);
          for (var i = 0; i < st.s.length; i++) if (cellMatches(st, m, i)) { visible = true; break; }
        }
      }
      node.style.display = visible ? '' : 'none';
      shown += visible;
    });
    var boxes = new Set();
    rendered.forEach(function (x) { if (applyToMatrix(x)) boxes.add(x.box); });
    rendered.forEach(function (x) { if (x.box.noneMsg) x.box.noneMsg.style.display = boxes.has(x.box) ? 'none' : ''; });
    // The "cells not passing" rows follow the same filters.
    var REC = {fail: 'f', flaky: 'k', error: 'e'};
    document.querySelectorAll('tr.rec').forEach(function (tr) {
      var r = D.cases[+tr.dataset.case].recs[+tr.dataset.rec], t = splitTarget(r.to), ok = true;
      if (F.port && t[1] !== F.port) ok = false;
      if (F.from && ns(r.from) !== F.from) ok = false;
      if (F.to && ns(t[0]) !== F.to) ok = false;
      if (F.verdict === 'allow' || F.verdict === 'deny') ok = ok && r.exp === F.verdict;
      else if (F.verdict) ok = ok && REC[r.st] === F.verdict;
      tr.style.display = ok ? '' : 'none';
    });
    document.getElementById('f-count').textContent = 'showing ' + shown + ' of ' + D.cases.length + ' cases';
  }

  function ensureRendered(details) {
    if (details.dataset.done) return;
    details.dataset.done = '1';
    var ci = +details.dataset.case;
    details.querySelectorAll('.mxbox').forEach(function (box) { renderState(ci, +box.dataset.state, box); });
    applyFilters();
  }

  // The cell panel.
  var panel = document.getElementById('panel'), selected = null;
  function closePanel() {
    document.body.classList.remove('panel-open');
    if (selected) selected.classList.remove('sel');
    selected = null;
  }
  function row(dl, k, v) { dl.appendChild(el('dt', '', k)); var dd = el('dd'); if (v instanceof Node) dd.appendChild(v); else dd.textContent = v; dl.appendChild(dd); return dd; }
  function pill(s) { return el('span', 'pill ' + s, STATUS[s] || s); }
  function showPanel(ci, st, i, rec) {
    var c = D.cases[ci];
    panel.textContent = '';
    var close = el('button', 'close', '\u00d7'); close.title = 'close'; close.onclick = closePanel;
    panel.appendChild(close);
    var from = rec ? rec.from : meta(st).from[i];
    var to = rec ? rec.to : (meta(st).to[i] + ':' + meta(st).pp[i]);
    panel.appendChild(el('h3', '', from + ' \u2192 ' + to));
    panel.appendChild(el('div', 'hint', c.name + ' \u00b7 step ' + (st ? st.step : rec.step)));
    var dl = el('dl');
    var status = st && i >= 0 ? st.s[i] : ({fail: 'f', flaky: 'k', error: 'e'})[rec.st] || rec.st;
    row(dl, 'verdict', pill(status));
    row(dl, 'expected', rec ? rec.exp : EXP[st.e[i]]);
    if (st && i >= 0) row(dl, 'observed', OBS[st.o[i]] + ' (last attempt)');
    panel.appendChild(dl);
    if (rec && rec.att.length) {
      panel.appendChild(el('div', 'hint', 'attempts'));
      var t = el('table', 'att'), h = el('tr');
      ['#', 'result', 'latency', 'detail'].forEach(function (x) { h.appendChild(el('th', '', x)); });
      t.appendChild(h);
      rec.att.forEach(function (a, k) {
        var tr = el('tr');
        [k + 1, a[0], a[1].toFixed(1) + ' ms', a[2]].forEach(function (x) { tr.appendChild(el('td', '', x)); });
        t.appendChild(tr);
      });
      panel.appendChild(t);
    } else {
      panel.appendChild(el('p', 'hint', 'This cell agreed with the oracle: results.json keeps attempts and explanations only for cells that did not pass.'));
    }
    if (rec && rec.sig) { panel.appendChild(el('div', 'hint', 'signature')); panel.appendChild(el('pre', '', rec.sig)); }
    if (rec && rec.expl) { panel.appendChild(el('div', 'hint', 'the oracle\u2019s explanation')); panel.appendChild(el('pre', '', rec.expl)); }
    document.body.classList.add('panel-open');
  }

  document.addEventListener('click', function (ev) {
    var td = ev.target.closest('table.mx td.c');
    if (td) {
      var tbl = td.closest('table.mx'), ci = +tbl.dataset.case, st = D.cases[ci].states[+tbl.dataset.state], i = +td.dataset.i;
      var ri = meta(st).rec[i];
      if (selected) selected.classList.remove('sel');
      selected = td; td.classList.add('sel');
      showPanel(ci, st, i, ri === undefined ? null : D.cases[ci].recs[ri]);
      return;
    }
    var tr = ev.target.closest('tr.rec');
    if (tr) {
      var c = +tr.dataset.case, r = D.cases[c].recs[+tr.dataset.rec], found = null, fi = -1;
      D.cases[c].states.forEach(function (s) {
        if (s.step !== r.step) return;
        var m = meta(s);
        for (var k in m.rec) if (m.rec[k] === +tr.dataset.rec) { found = s; fi = +k; }
      });
      if (selected) selected.classList.remove('sel');
      selected = null;
      if (found) {
        var box = document.querySelector('#case-' + c + ' .mxbox[data-state="' + D.cases[c].states.indexOf(found) + '"]');
        var cell = box && box.querySelector('td[data-i="' + fi + '"]');
        if (cell) { selected = cell; cell.classList.add('sel'); cell.scrollIntoView({block: 'nearest', inline: 'nearest'}); }
      }
      showPanel(c, found, fi, r);
    }
  });
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') closePanel(); });
  document.addEventListener('mouseover', function (ev) {
    var td = ev.target.closest && ev.target.closest('table.mx td.c');
    if (!td || td.title) return;
    var tbl = td.closest('table.mx'), st = D.cases[+tbl.dataset.case].states[+tbl.dataset.state], i = +td.dataset.i, m = meta(st);
    td.title = m.from[i] + ' \u2192 ' + m.to[i] + ':' + m.pp[i] + '\nexpected ' + EXP[st.e[i]] + ', observed ' + OBS[st.o[i]] +
      ' \u2014 ' + STATUS[st.s[i]] + '\n(click for details)';
  });

  // Filter choices from the data.
  var nsSet = {}, ports = {};
  D.blocks.forEach(function (bs) {
    bs.forEach(function (b) {
      b.from.forEach(function (f) { nsSet[ns(f)] = 1; });
      b.to.forEach(function (t) { var p = splitTarget(t); nsSet[ns(p[0])] = 1; ports[p[1]] = 1; });
    });
  });
  function nsLabel(n) { return n === '#nodes' ? 'nodes' : n === '#external' ? 'external hosts' : n === '#other' ? 'other' : n; }
  function fill(id, values, label) {
    var s = document.getElementById(id);
    values.forEach(function (v) { var o = el('option', '', label ? label(v) : v); o.value = v; s.appendChild(o); });
  }
  var nsList = Object.keys(nsSet).sort(function (a, b) { return (a[0] === '#') - (b[0] === '#') || (a < b ? -1 : a > b ? 1 : 0); });
  fill('f-from', nsList, nsLabel);
  fill('f-to', nsList, nsLabel);
  fill('f-port', Object.keys(ports).sort(function (a, b) { return cmpKey(portKey(a), portKey(b)); }));
  [['f-from', 'from'], ['f-to', 'to'], ['f-port', 'port'], ['f-verdict', 'verdict']].forEach(function (p) {
    document.getElementById(p[0]).addEventListener('change', function (ev) {
      F[p[1]] = ev.target.value;
      if (filtering()) document.querySelectorAll('details.case').forEach(function (d) { if (d.style.display !== 'none' && D.cases[+d.dataset.case].notable) d.open = true; });
      applyFilters();
    });
  });
  document.getElementById('f-notable').addEventListener('change', function (ev) { F.notable = ev.target.checked; applyFilters(); });
  document.querySelectorAll('details.case').forEach(function (d) {
    d.addEventListener('toggle', function () { if (d.open) ensureRendered(d); });
    if (d.open) ensureRendered(d);
  });
  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.tagName === 'DETAILS') { target.open = true; ensureRendered(target); target.scrollIntoView(); }
  }
  document.querySelectorAll('a.case-link').forEach(function (a) {
    a.addEventListener('click', function () {
      var d = document.getElementById(a.getAttribute('href').slice(1));
      if (d) { d.style.display = ''; d.open = true; ensureRendered(d); }
    });
  });
  applyFilters();
})();
