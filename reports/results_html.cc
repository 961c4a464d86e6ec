// `netpolfuzz report --format html`: one self-contained page. Summaries (totals, signatures,
// cases, tags, case files) are static HTML; the matrices are drawn by the inline script from
// an embedded JSON copy of the cells, only when a case is opened, so that a suite of hundreds
// of cases stays a few megabytes and opens quickly.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "reports/results_grid.h"
#include "reports/markup_escape.h"
#include "reports/results_render.h"

namespace npf::results {
namespace {

using json = nlohmann::json;

// HTML text or attribute value (reports/markup_escape.h).
std::string h(std::string_view s) { return escapeMarkup(s, Markup::Html); }

// JSON for inside <script>: nothing in it can end the element or read as markup or a URL.
std::string scriptJson(const json& j) {
  std::string raw = j.dump(-1, ' ', true, json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size() + raw.size() / 16);
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else if (c == ':' && raw.compare(i, 3, "://") == 0)
      out += ":\\/\\/", i += 2;
    else
      out += c;
  }
  return out;
}

// The documents of a multi-document YAML text, split at `---` lines.
std::vector<std::string> yamlDocuments(std::string_view text) {
  std::vector<std::string> docs;
  std::string cur;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (line == "---" || line.rfind("--- ", 0) == 0 || line == "---\r") {
      if (cur.find_first_not_of(" \n\r\t") != std::string::npos) docs.push_back(cur);
      cur.clear();
    } else {
      cur += line;
      cur += '\n';
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (cur.find_first_not_of(" \n\r\t") != std::string::npos) docs.push_back(cur);
  return docs;
}

bool hasLine(const std::string& doc, std::string_view prefix) {
  size_t start = 0;
  while (start < doc.size()) {
    if (doc.compare(start, prefix.size(), prefix) == 0) return true;
    size_t end = doc.find('\n', start);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

// The NetworkPolicy documents of a case file, and its Case document when it has steps.
std::pair<std::string, size_t> policyText(const std::string& yaml) {
  std::string out;
  size_t policies = 0;
  for (const std::string& d : yamlDocuments(yaml)) {
    bool policy = hasLine(d, "kind: NetworkPolicy");
    bool steps = hasLine(d, "kind: Case") && hasLine(d, "  steps:");
    if (!policy && !steps) continue;
    policies += policy;
    if (!out.empty()) out += "---\n";
    out += d;
  }
  return {out, policies};
}

std::string statusClass(const CaseRecord& c) {
  std::string v = caseVerdict(c);
  return v == "FAIL" ? "fail" : v == "FLAKY" ? "flaky" : "pass";
}

const char* kStyle = R"CSS(
:root { --fail:#d93025; --flaky:#f2a600; --error:#8e44ad; --allow:#cdeccf; --allow-t:#1e6b2a;
  --deny:#d9dee6; --deny-t:#3b4a5a; --undef:#f1f1f1; --ink:#1d2330; --muted:#6a7382; --line:#e3e6eb; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; color:var(--ink); background:#f6f7f9; }
code, pre, .mono { font-family: ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace; font-size:12.5px; }
header.top { background:#1f2633; color:#fff; padding:18px 28px 20px; }
header.top .brand { font-size:12px; letter-spacing:.12em; text-transform:uppercase; color:#9aa5b8; }
header.top h1 { margin:4px 0 6px; font-size:22px; font-weight:600; display:flex; gap:12px; align-items:center; }
header.top .meta { color:#c5ccd8; font-size:13px; margin-top:2px; word-break:break-all; }
header.top .meta code { color:#e8ecf3; background:#2b3445; padding:1px 6px; border-radius:4px; }
.cards { display:flex; flex-wrap:wrap; gap:10px; margin-top:14px; }
.card { background:#2b3445; border-radius:8px; padding:8px 14px; min-width:110px; }
.card .n { font-size:20px; font-weight:650; }
.card .l { font-size:11px; text-transform:uppercase; letter-spacing:.06em; color:#9aa5b8; }
.card.bad .n { color:#ff8a80; } .card.warn .n { color:#ffd166; } .card.good .n { color:#8be28b; }
nav.toc { background:#fff; border-bottom:1px solid var(--line); padding:8px 28px; position:sticky; top:0; z-index:5; display:flex; gap:18px; }
nav.toc a { color:#2a5bd7; text-decoration:none; font-weight:500; }
main { padding:8px 28px 60px; transition:margin-right .15s; }
body.panel-open main { margin-right:420px; }
section { margin-top:22px; }
h2 { font-size:17px; margin:0 0 10px; }
.badge { display:inline-block; font-size:11px; font-weight:700; letter-spacing:.05em; padding:2px 8px; border-radius:999px; color:#fff; vertical-align:middle; }
.badge.fail { background:var(--fail); } .badge.pass { background:#2e8540; } .badge.flaky { background:var(--flaky); color:#222; }
table.list { border-collapse:collapse; background:#fff; border:1px solid var(--line); border-radius:8px; overflow:hidden; width:100%; }
table.list th, table.list td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
table.list th { background:#fafbfc; font-size:12px; color:var(--muted); font-weight:600; }
table.list td.num, table.list th.num { text-align:right; font-variant-numeric:tabular-nums; }
table.list td.mono { white-space:nowrap; }
table.list.tagtable { table-layout:fixed; margin-bottom:14px; }
table.list.tagtable th:first-child { width:46%; } table.list.tagtable th:last-child { width:14%; }
table.list tr.rec { cursor:pointer; } table.list tr.rec:hover td { background:#f3f6ff; }
a.case-link { color:#2a5bd7; text-decoration:none; margin-right:8px; white-space:nowrap; }
.empty { color:var(--muted); font-style:italic; }
.filters { display:flex; flex-wrap:wrap; gap:14px; align-items:center; background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 14px; margin-bottom:10px; }
.filters label { font-size:13px; color:var(--muted); display:flex; gap:6px; align-items:center; }
.filters select { font:inherit; padding:3px 6px; border:1px solid #c9ced6; border-radius:6px; background:#fff; color:var(--ink); }
#f-count { margin-left:auto; color:var(--muted); font-size:13px; }
.legend { display:flex; flex-wrap:wrap; gap:14px; font-size:12px; color:var(--muted); margin:6px 2px 12px; align-items:center; }
.legend .sw { display:inline-block; width:16px; height:16px; border-radius:3px; vertical-align:middle; margin-right:4px; text-align:center; font:11px/16px ui-monospace,"DejaVu Sans Mono",monospace; }
details.case { background:#fff; border:1px solid var(--line); border-left:4px solid #2e8540; border-radius:8px; margin:8px 0; }
details.case.fail { border-left-color:var(--fail); } details.case.flaky { border-left-color:var(--flaky); }
details.case > summary { cursor:pointer; padding:9px 14px; display:flex; gap:10px; align-items:center; list-style:none; }
details.case > summary::-webkit-details-marker { display:none; }
details.case > summary::before { content:"\25B8"; color:var(--muted); width:10px; }
details.case[open] > summary::before { content:"\25BE"; }
details.case .name { font-weight:600; font-family:ui-monospace,"DejaVu Sans Mono",monospace; font-size:13px; }
details.case .counts { color:var(--muted); font-size:12.5px; margin-left:auto; white-space:nowrap; }
.case-body { padding:4px 16px 14px 30px; border-top:1px solid var(--line); }
.facts { color:var(--muted); font-size:12.5px; margin:8px 0; }
.facts code { color:var(--ink); }
.tags { margin:6px 0; display:flex; flex-wrap:wrap; gap:4px; }
.tag { font-size:11px; background:#eef1f6; color:#3b4a5a; border-radius:4px; padding:1px 6px; font-family:ui-monospace,"DejaVu Sans Mono",monospace; }
.tag.bug { background:#fde8e6; color:#9b2a20; }
.state { margin:12px 0 4px; }
.state h3 { font-size:14px; margin:0 0 2px; }
.state .sc { color:var(--muted); font-size:12.5px; margin-bottom:6px; }
.state .sc b.f { color:var(--fail); } .state .sc b.k { color:#b37b00; } .state .sc b.e { color:var(--error); }
.mxs { display:flex; flex-wrap:wrap; gap:18px; align-items:flex-start; }
.mxwrap { background:#fff; }
.mxtitle { font-weight:600; font-size:12.5px; margin:0 0 4px; font-family:ui-monospace,"DejaVu Sans Mono",monospace; }
table.mx { border-collapse:separate; border-spacing:2px; }
table.mx th { font-weight:500; font-size:11.5px; color:#3b4a5a; font-family:ui-monospace,"DejaVu Sans Mono",monospace; white-space:nowrap; }
table.mx th.rh { text-align:right; padding-right:6px; }
table.mx th.ch { vertical-align:bottom; padding-bottom:4px; height:1px; }
table.mx th.ch span { writing-mode:vertical-rl; transform:rotate(180deg); display:inline-block; }
table.mx th.corner { font-size:10px; color:var(--muted); text-align:right; vertical-align:bottom; padding:0 6px 4px 0; }
table.mx td { width:22px; height:22px; min-width:22px; text-align:center; border-radius:4px; cursor:pointer;
  font:600 11px/22px ui-monospace,"DejaVu Sans Mono",monospace; padding:0; }
table.mx td.np { background:transparent; cursor:default; }
td.s-pa { background:var(--allow); color:var(--allow-t); }
td.s-pd { background:var(--deny); color:var(--deny-t); }
td.s-f { background:var(--fail); color:#fff; box-shadow:0 0 0 1px #a1190f inset; }
td.s-k { background:var(--flaky); color:#2b2100; }
td.s-e { background:var(--error); color:#fff; }
td.s-u { background:var(--undef); color:#9aa0a8; }
td.s-s { background:repeating-linear-gradient(45deg,#fff,#fff 3px,#eceef1 3px,#eceef1 6px); color:#b3b8c0; }
table.mx td:hover { outline:2px solid #1f2633; }
table.mx td.sel { outline:3px solid #2a5bd7; }
table.mx td.dim { opacity:.16; }
.hl { background:#fff3c4 !important; }
pre.yaml { background:#0f1521; color:#dfe6f1; padding:12px 14px; border-radius:8px; overflow:auto; max-height:520px; margin:6px 0; }
details.file { margin:8px 0; }
details.file > summary { cursor:pointer; color:#2a5bd7; font-size:13px; }
.warnbox { background:#fff6e0; border:1px solid #f0d48a; border-radius:6px; padding:6px 10px; font-size:13px; margin:6px 0; }
.errbox { background:#fdecea; border:1px solid #f5b7b1; border-radius:6px; padding:6px 10px; font-size:13px; margin:6px 0; }
aside#panel { position:fixed; top:0; right:0; bottom:0; width:410px; background:#fff; border-left:1px solid var(--line);
  box-shadow:-6px 0 18px rgba(20,30,50,.08); padding:16px 18px; overflow:auto; z-index:10; display:none; }
body.panel-open aside#panel { display:block; }
#panel h3 { margin:0 0 4px; font-size:15px; font-family:ui-monospace,"DejaVu Sans Mono",monospace; word-break:break-all; }
#panel .close { float:right; border:0; background:#eef1f6; border-radius:6px; padding:2px 9px; cursor:pointer; font-size:16px; }
#panel dl { display:grid; grid-template-columns:92px 1fr; gap:4px 10px; margin:10px 0; font-size:13px; }
#panel dt { color:var(--muted); } #panel dd { margin:0; word-break:break-word; }
#panel table.att { border-collapse:collapse; font-size:12.5px; margin:4px 0 10px; width:100%; }
#panel table.att td, #panel table.att th { border-bottom:1px solid var(--line); padding:3px 6px; text-align:left; }
#panel pre { background:#f6f7f9; border:1px solid var(--line); border-radius:6px; padding:8px 10px; white-space:pre-wrap; word-break:break-word; font-size:12px; }
#panel .hint { color:var(--muted); font-size:12px; }
.pill { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12px; font-weight:600; }
.pill.f { background:var(--fail); color:#fff; } .pill.k { background:var(--flaky); } .pill.e { background:var(--error); color:#fff; }
.pill.p { background:var(--allow); color:var(--allow-t); } .pill.u { background:var(--undef); } .pill.s { background:#eceef1; }
footer { color:var(--muted); font-size:12px; padding:0 28px 30px; }
)CSS";

// The page's labels of the cell characters (model/cell_vocabulary.h), for its script.
json cellWords() {
  json expected = json::object(), observed = json::object(), status = json::object();
  for (Expected e : {Expected::Allow, Expected::Deny, Expected::Undefined, Expected::Skip})
    expected[std::string(1, toSymbol(e))] = e == Expected::Skip ? "not probed" : toString(e);
  for (Observed o : {Observed::Connected, Observed::Timeout, Observed::Refused, Observed::Error, Observed::Skipped})
    observed[std::string(1, toSymbol(o))] = toString(o);
  for (CellStatus c : {CellStatus::Pass, CellStatus::Fail, CellStatus::Flaky, CellStatus::Error, CellStatus::Undefined,
                       CellStatus::Skipped})
    status[std::string(1, toSymbol(c))] = c == CellStatus::Pass ? "agree" : c == CellStatus::Fail ? "discrepancy" : toString(c);
  return {{"expected", expected}, {"observed", observed}, {"status", status}};
}

const char* kScript = R"JS(
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
)JS";

std::string stateCounts(const State& s) {
  std::string out = fmt::format("{}: {} passed", count(s.cells, "cell", "cells"), s.passed);
  if (s.discrepancies)
    out += fmt::format(" · <b class=\"f\">{}</b>",
                       count(s.discrepancies, "discrepancy", "discrepancies"));
  if (s.flaky) out += fmt::format(" · <b class=\"k\">{} flaky</b>", s.flaky);
  if (s.errors) out += fmt::format(" · <b class=\"e\">{}</b>", count(s.errors, "error", "errors"));
  out += fmt::format(" · {} undefined · {} skipped", s.undefined, s.skipped);
  if (s.refusedDenied) out += fmt::format(" · {} denied by reject", s.refusedDenied);
  if (s.lateConverged) out += fmt::format(" · {} converged late", s.lateConverged);
  out += fmt::format(" · {}, {} · apply {} · converged after {}",
                     count(uint64_t(std::max<int64_t>(0, s.rounds)), "round", "rounds"),
                     count(s.probes, "probe", "probes"), h(formatMs(s.applyMs)),
                     h(formatMs(s.convergeMs)));
  return out;
}

std::string card(const std::string& n, const char* label, const char* cls = "") {
  return fmt::format(
      "<div class=\"card {}\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>", cls, n,
      label);
}

}  // namespace

std::string renderHtml(const Results& r, const std::vector<CaseFile>& files) {
  size_t failed = 0;
  for (const CaseRecord& c : r.cases) failed += c.failed();
  bool pass = failed == 0 && r.backendError.empty();

  // The data for the matrices, with block lists shared between states that probe the same cells.
  json data = json::object();
  json blockSets = json::array();
  std::map<std::string, size_t> blockIndex;  // blocks as JSON text -> index in blockSets
  json cases = json::array();
  for (const CaseRecord& c : r.cases) {
    json jc = json::object();
    jc["name"] = c.name;
    jc["notable"] = c.failed() || c.flaky > 0 || c.errors > 0;
    json states = json::array();
    for (const State& s : c.states) {
      json bs = json::array();
      for (const Block& b : s.blocks) bs.push_back({{"from", b.from}, {"to", b.to}});
      auto [it, inserted] = blockIndex.emplace(
          bs.dump(-1, ' ', false, json::error_handler_t::replace), blockSets.size());
      if (inserted) blockSets.push_back(std::move(bs));
      StateGrid g = buildGrid(c, s);
      std::string status;
      status.reserve(g.status.size());
      json recs = json::array();
      for (size_t i = 0; i < g.status.size(); ++i) {
        status += toSymbol(g.status[i]);
        if (g.record[i] >= 0) recs.push_back({i, g.record[i]});
      }
      states.push_back({{"step", s.step},
                        {"b", it->second},
                        {"e", s.expectedCells},
                        {"o", s.observedCells},
                        {"s", status},
                        {"r", recs}});
    }
    jc["states"] = std::move(states);
    json recs = json::array();
    for (const CellRecord& cell : c.cellsNotPassing) {
      json att = json::array();
      for (const Attempt& a : cell.observed) att.push_back({a.result, a.latencyMs, a.detail});
      recs.push_back({{"st", cell.status},
                      {"step", cell.step},
                      {"from", cell.from},
                      {"to", cell.target()},
                      {"exp", cell.expected},
                      {"att", att},
                      {"sig", cell.signature},
                      {"expl", cell.explanation}});
    }
    jc["recs"] = std::move(recs);
    cases.push_back(std::move(jc));
  }
  data["words"] = cellWords();
  data["blocks"] = std::move(blockSets);
  data["cases"] = std::move(cases);

  std::string discrepancies = count(r.totals.discrepancies, "discrepancy", "discrepancies");
  std::string title =
      pass ? fmt::format("PASS: {} cases", r.cases.size())
           : fmt::format("FAIL: {} in {} of {} cases", discrepancies, failed, r.cases.size());
  std::string out;
  out.reserve(1 << 16);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>netpolfuzz report: {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     h(title), kStyle);

  // Header: verdict, run facts, totals.
  out += "<header class=\"top\">\n<div class=\"brand\">netpolfuzz report</div>\n";
  out += fmt::format(
      "<h1><span class=\"badge {}\">{}</span> {}</h1>\n", pass ? "pass" : "fail",
      pass ? "PASS" : "FAIL",
      pass ? fmt::format("no discrepancies in {} cases", r.cases.size())
           : fmt::format("{} in {} of {} cases", discrepancies, failed, r.cases.size()));
  std::string facts = h(r.kind.empty() ? "results" : r.kind) + " · " +
                      h(r.backend.empty() ? "?" : r.backend) + " backend";
  if (r.kind == "fuzz" || r.kind.empty())
    facts += fmt::format(" · seed {} · size {}", r.seed, h(r.size));
  if (!r.faults.empty()) {
    std::string f;
    for (const auto& x : r.faults) f += (f.empty() ? "" : ", ") + h(x);
    facts += " · injected fault " + f;
  }
  if (!r.started.empty()) facts += " · started " + h(r.started);
  facts += fmt::format(" · {:.1f} s", r.seconds);
  if (!r.tool.empty()) facts += " · " + h(r.tool);
  out += "<div class=\"meta\">" + facts + "</div>\n";
  if (!r.command.empty()) out += "<div class=\"meta\"><code>" + h(r.command) + "</code></div>\n";
  if (!r.profile.empty()) {
    std::string p;
    for (const auto& [k, v] : r.profile)
      p += (p.empty() ? "" : " ") + std::string("<code>") + h(k) + "=" + h(v) + "</code>";
    out += "<div class=\"meta\">profile " + p + "</div>\n";
  }
  if (r.interrupted) out += "<div class=\"meta\">interrupted: the campaign stopped early</div>\n";
  if (!r.backendError.empty())
    out += "<div class=\"meta\">backend failure: " + h(r.backendError) + "</div>\n";
  out += "<div class=\"cards\">";
  out += card(std::to_string(r.cases.size()), "cases");
  out += card(std::to_string(r.cases.size() - failed), "passed", "good");
  out += card(std::to_string(failed), "failed", failed ? "bad" : "");
  out += card(std::to_string(r.totals.cells), "cells");
  out += card(std::to_string(r.totals.discrepancies), "discrepancies",
              r.totals.discrepancies ? "bad" : "");
  out += card(std::to_string(r.totals.flaky), "flaky", r.totals.flaky ? "warn" : "");
  out += card(std::to_string(r.totals.errors), "errors", r.totals.errors ? "warn" : "");
  out += card(std::to_string(r.totals.probes), "probes");
  out += card(fmt::format("{:.0f}", r.totals.probesPerSecond), "probes / s");
  out += "</div>\n</header>\n";
  out +=
      "<nav class=\"toc\"><a href=\"#signatures\">Signatures</a><a href=\"#cases\">Cases</a><a "
      "href=\"#tags\">Tags</a></nav>\n<main>\n";

  // Signatures.
  out += "<section id=\"signatures\">\n<h2>Discrepancy signatures</h2>\n";
  auto groups = groupSignatures(r);
  if (groups.empty()) {
    out += "<p class=\"empty\">No discrepancies.</p>\n";
  } else {
    out +=
        "<table class=\"list\">\n<tr><th>signature</th><th class=\"num\">cases</th><th "
        "class=\"num\">cells</th><th>cases</th></tr>\n";
    for (const auto& g : groups) {
      std::string links;
      size_t shown = 0;
      for (size_t ci : g.cases) {
        if (shown++ == 25) {
          links += fmt::format("<span class=\"empty\">and {} more</span>", g.cases.size() - 25);
          break;
        }
        links +=
            fmt::format("<a class=\"case-link\" href=\"#case-{}\">{}</a>", ci, h(r.cases[ci].name));
      }
      out += fmt::format(
          "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
          g.signature.empty() ? "<span class=\"empty\">(none recorded)</span>" : h(g.signature),
          g.cases.size(), g.cells, links);
    }
    out += "</table>\n";
  }
  out += "</section>\n";

  // Cases.
  out +=
      "<section id=\"cases\">\n<h2>Cases</h2>\n<div class=\"filters\">\n"
      "<label>from namespace <select id=\"f-from\"><option "
      "value=\"\">any</option></select></label>\n"
      "<label>to namespace <select id=\"f-to\"><option value=\"\">any</option></select></label>\n"
      "<label>port <select id=\"f-port\"><option value=\"\">any</option></select></label>\n"
      "<label>verdict <select id=\"f-verdict\"><option value=\"\">any</option>"
      "<option value=\"f\">discrepancy</option><option value=\"k\">flaky</option><option "
      "value=\"e\">error</option>"
      "<option value=\"p\">agree</option><option value=\"u\">undefined</option><option "
      "value=\"s\">skipped</option>"
      "<option value=\"allow\">expected allow</option><option value=\"deny\">expected "
      "deny</option></select></label>\n"
      "<label><input type=\"checkbox\" id=\"f-notable\"> only cases with discrepancies, flaky or "
      "erroring cells</label>\n"
      "<span id=\"f-count\"></span>\n</div>\n";
  out +=
      "<div class=\"legend\">"
      "<span><span class=\"sw\" "
      "style=\"background:var(--allow);color:var(--allow-t)\">.</span>agree, allowed</span>"
      "<span><span class=\"sw\" "
      "style=\"background:var(--deny);color:var(--deny-t)\">X</span>agree, denied</span>"
      "<span><span class=\"sw\" "
      "style=\"background:var(--fail);color:#fff\">.</span>discrepancy</span>"
      "<span><span class=\"sw\" style=\"background:var(--flaky)\">.</span>flaky</span>"
      "<span><span class=\"sw\" style=\"background:var(--error);color:#fff\">.</span>error</span>"
      "<span><span class=\"sw\" "
      "style=\"background:var(--undef);color:#9aa0a8\">?</span>undefined</span>"
      "<span><span class=\"sw\" "
      "style=\"background:#eceef1;color:#b3b8c0\">&#8211;</span>skipped</span>"
      "<span>symbol: the oracle&#39;s verdict (. allow, X deny, ? undefined) · click a cell for "
      "its attempts and explanation</span>"
      "</div>\n";
  if (r.cases.empty()) out += "<p class=\"empty\">No cases.</p>\n";
  for (size_t ci = 0; ci < r.cases.size(); ++ci) {
    const CaseRecord& c = r.cases[ci];
    bool notable = c.failed() || c.flaky > 0 || c.errors > 0;
    std::string cls = statusClass(c);
    std::string verdict = caseVerdict(c);
    std::string counts;
    if (c.discrepancies) counts += count(c.discrepancies, "discrepancy", "discrepancies") + " · ";
    if (c.flaky) counts += fmt::format("{} flaky · ", c.flaky);
    if (c.errors) counts += count(c.errors, "error", "errors") + " · ";
    counts += fmt::format("{} · {} · {}", count(c.cells, "cell", "cells"),
                          count(c.states.size(), "step", "steps"), h(formatMs(c.timings.totalMs)));
    out += fmt::format("<details class=\"case {}\" id=\"case-{}\" data-case=\"{}\"{}>\n", cls, ci,
                       ci, notable ? " open" : "");
    out += fmt::format(
        "<summary><span class=\"badge {}\">{}</span><span class=\"name\">{}</span><span "
        "class=\"counts\">{}</span></summary>\n",
        cls, verdict, h(c.name), counts);
    out += "<div class=\"case-body\">\n";
    if (!c.tags.empty()) {
      out += "<div class=\"tags\">";
      for (const auto& t : c.tags) {
        bool bug = !t.empty() && t[0] >= 'A' && t[0] <= 'Z';
        out += fmt::format("<span class=\"tag{}\">{}</span>", bug ? " bug" : "", h(t));
      }
      out += "</div>\n";
    }
    std::string f;
    if (c.seed) f += fmt::format("seed {} · index {}", *c.seed, c.index);
    if (!c.file.empty())
      f += std::string(f.empty() ? "" : " · ") + "saved case <code>" + h(c.file) + "</code>";
    if (!c.source.empty())
      f += std::string(f.empty() ? "" : " · ") + "case file <code>" + h(c.source) + "</code>";
    if (c.clusterReused)
      f += std::string(f.empty() ? "" : " · ") + "cluster reused from the previous case";
    if (!f.empty()) out += "<div class=\"facts\">" + f + "</div>\n";
    if (!c.backendError.empty())
      out += "<div class=\"errbox\">backend failure: " + h(c.backendError) + "</div>\n";
    for (size_t si = 0; si < c.states.size(); ++si) {
      const State& s = c.states[si];
      out += fmt::format("<div class=\"state\"><h3>{}</h3><div class=\"sc\">{}</div>\n",
                         s.step == 0 ? std::string("step 0 · initial objects")
                                     : fmt::format("step {} · after change {}", s.step, s.step),
                         stateCounts(s));
      if (s.hasMatrix())
        out += fmt::format("<div class=\"mxbox\" data-state=\"{}\"></div>\n", si);
      else
        out += "<div class=\"empty\">No matrix recorded for this state.</div>\n";
      out += "</div>\n";
    }
    if (!c.cellsNotPassing.empty()) {
      out +=
          "<h4>Cells not passing</h4>\n<table class=\"list\">\n<tr><th>status</th><th "
          "class=\"num\">step</th><th>from</th>"
          "<th>to</th><th>expected</th><th>observed</th><th>signature</th></tr>\n";
      for (size_t k = 0; k < c.cellsNotPassing.size(); ++k) {
        const CellRecord& cell = c.cellsNotPassing[k];
        std::string obs = h(attemptsText(cell, false));
        auto status = cellStatusFromWord(cell.status);
        std::string pill(1, toSymbol(status == CellStatus::Fail || status == CellStatus::Flaky || status == CellStatus::Error
                                         ? *status
                                         : CellStatus::Undefined));
        out += fmt::format(
            "<tr class=\"rec\" data-case=\"{}\" data-rec=\"{}\"><td><span class=\"pill "
            "{}\">{}</span></td>"
            "<td class=\"num\">{}</td><td class=\"mono\">{}</td><td "
            "class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            ci, k, pill, h(cell.status), cell.step, h(cell.from), h(cell.target()),
            h(cell.expected), obs, h(cell.signature));
      }
      out += "</table>\n";
    }
    // The case file's policies.
    const CaseFile* file = ci < files.size() ? &files[ci] : nullptr;
    if (!file || (file->path.empty() && file->error.empty() && file->text.empty())) {
      out += "<div class=\"facts\">No case file recorded for this case.</div>\n";
    } else if (!file->error.empty()) {
      out += fmt::format(
          "<div class=\"warnbox\">Case file <code>{}</code> could not be read: {}</div>\n",
          h(file->path), h(file->error));
    } else {
      auto [policies, n] = policyText(file->text);
      out += fmt::format(
          "<details class=\"file\"{}><summary>NetworkPolicies ({}) from "
          "<code>{}</code></summary>\n",
          notable ? " open" : "", n, h(file->path));
      out += policies.empty() ? "<p class=\"empty\">The case file has no NetworkPolicy.</p>\n"
                              : "<pre class=\"yaml\">" + h(policies) + "</pre>\n";
      out += "</details>\n";
      // The whole file only where it helps reproduce (it is most of the page's size otherwise).
      if (notable)
        out += fmt::format(
            "<details class=\"file\"><summary>Whole case file <code>{}</code></summary>\n<pre "
            "class=\"yaml\">{}</pre>\n</details>\n",
            h(file->path), h(file->text));
    }
    out += "</div>\n</details>\n";
  }
  out += "</section>\n";

  // Tags.
  out += "<section id=\"tags\">\n<h2>Tags</h2>\n";
  auto tags = tagGroups(r);
  if (tags.empty()) out += "<p class=\"empty\">No tags.</p>\n";
  for (const TagGroup& g : tags) {
    out += fmt::format(
        "<table class=\"list tagtable\">\n<tr><th>{}</th><th class=\"num\">cases</th>"
        "<th class=\"num\">passed</th><th class=\"num\">failed</th><th>result</th></tr>\n",
        h(g.title));
    for (const TagCount& t : g.tags)
      out += fmt::format(
          "<tr><td class=\"mono\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td>"
          "<td><span class=\"badge {}\">{}</span></td></tr>\n",
          h(t.tag), t.cases, t.cases - t.failed, t.failed, t.failed ? "fail" : "pass",
          t.failed ? "FAIL" : "PASS");
    out += "</table>\n";
  }
  out += "</section>\n</main>\n";
  out += "<aside id=\"panel\" aria-live=\"polite\"></aside>\n";
  out += fmt::format(
      "<footer>{} · generated by <code>netpolfuzz report --format html</code> · a single file, no "
      "external resources</footer>\n",
      h(r.tool.empty() ? "netpolfuzz" : r.tool));
  out += "<script id=\"npf-data\" type=\"application/json\">" + scriptJson(data) + "</script>\n";
  out += std::string("<script>") + kScript + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace npf::results
