"""The HTML report: one self-contained page (no network), a 2D map of the records and a card per finding.

Dataset text is escaped on the server side (``html.escape``) and the map's data travels as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, read with
``JSON.parse`` and written with ``textContent`` only. A Content-Security-Policy forbids any fetch.
"""

from __future__ import annotations

import html
import json

from ..findings import SEVERITIES
from ..version import __version__
from .json import report_dict
from .terminal import counts

SEVERITY_COLOURS = {"critical": "#7b1fa2", "high": "#c62828", "medium": "#ef6c00", "low": "#f9a825",
                    "info": "#546e7a"}
RECORDS_LISTED = 60
LIST_ITEMS, GRID_COLUMNS, GRID_ROWS = 40, 12, 40
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"  # no fetches


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _script_json(data) -> str:
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _scalar(value) -> str:
    if isinstance(value, float):
        return _e(f"{value:.4g}")
    if value is None:
        return "–"
    return _e(value)


def _cell(value) -> str:
    """One table cell: scalars as they are, flat lists joined, anything deeper as compact JSON."""
    if isinstance(value, (list, tuple)) and all(not isinstance(v, (dict, list)) for v in value):
        shown = ", ".join(str(v) for v in value[:LIST_ITEMS])
        return _e(shown + (f", … {len(value) - LIST_ITEMS} more" if len(value) > LIST_ITEMS else ""))
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        return _e(text if len(text) <= 300 else text[:299] + "…")
    return _scalar(value)


def _grid(rows: list[dict]) -> str:
    """Records of the same shape as a table: one column per key (first seen first), one row per record."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    columns = columns[:GRID_COLUMNS]
    head = "".join(f"<th scope='col'>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join((f"<th scope='row'>{_cell(row.get(c, ''))}</th>" if c == "" else
                                     f"<td>{_cell(row.get(c, ''))}</td>") for c in columns) + "</tr>"
                   for row in rows[:GRID_ROWS])
    more = f"<tr><td colspan='{len(columns)}'>… {len(rows) - GRID_ROWS} more</td></tr>" if len(rows) > GRID_ROWS else ""
    return f"<div class='gridbox'><table class='grid'><thead><tr>{head}</tr></thead><tbody>{body}{more}</tbody></table></div>"


def _evidence(value) -> str:
    """A finding's evidence as tables: one row per key; lists of records and maps of records as grids."""
    if not isinstance(value, dict):
        return _cell(value)
    rows = []
    for key, v in value.items():
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            inner = _grid(v)
        elif isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()):
            inner = _grid([{"": k, **x} for k, x in v.items()])
        elif isinstance(v, dict) and v:
            inner = _evidence(v)
        else:
            inner = _cell(v)
        rows.append(f"<tr><th scope='row'>{_e(key)}</th><td>{inner}</td></tr>")
    return f"<table class='ev'>{''.join(rows)}</table>"


def _where(r: dict) -> str:
    """A record's locator as the text report writes it (``Locator.__str__``)."""
    from ..records import Locator

    return str(Locator(r["path"], r.get("line"), r.get("row"), r.get("split")))


def _card(k: int, f: dict) -> str:
    sev = f["severity"]
    records = f["records"]
    where = [_where(r) for r in records]
    listed = "".join(f"<li>{_e(w)}</li>" for w in where[:RECORDS_LISTED])
    more = f"<li>… and {len(where) - RECORDS_LISTED} more</li>" if len(where) > RECORDS_LISTED else ""
    examples = "".join(
        f"<div class='example'><div class='loc'>{_e(_where(ex))}</div><div><b>prompt</b> <span class='text'>{_e(ex['prompt'])}</span></div>"
        f"<div><b>answer</b> <span class='text'>{_e(ex['answer'])}</span></div></div>" for ex in f["examples"])
    return (f"<article class='card' id='finding-{k}' data-finding='{k}' data-rule='{_e(f['rule'])}' "
            f"data-severity='{_e(sev)}' "
            f"data-fingerprint='{_e(f['fingerprint'])}' tabindex='0'>"
            f"<header><span class='sev' style='background:{SEVERITY_COLOURS.get(sev, '#555')}'>"
            f"{_e(sev.upper())}</span> <span class='rule'>{_e(f['rule'])} {_e(f['name'])}</span> "
            f"<span class='score'>score {f['score']:.2f}</span> "
            f"<span class='size'>{len(records)} records</span></header>"
            f"<p class='msg'>{_e(f['message'])}</p>"
            f"<details open><summary>Evidence</summary>{_evidence(f['evidence'])}</details>"
            f"<details><summary>Records ({len(records)})</summary><ul class='records'>{listed}{more}</ul></details>"
            f"<details open><summary>Examples</summary>{examples or '<p>none</p>'}</details>"
            f"<p class='fp'>fingerprint {_e(f['fingerprint'])}</p></article>")


def _filters(findings: list[dict]) -> str:
    """Severity check boxes and a rule picker; the script hides the cards that do not pass."""
    if not findings:
        return ""
    severities = [sv for sv in reversed(SEVERITIES) if any(f["severity"] == sv for f in findings)]
    boxes = "".join(f"<label><input type='checkbox' data-sev='{sv}' checked> {sv} "
                    f"({sum(f['severity'] == sv for f in findings)})</label> " for sv in severities)
    rules = sorted({(f["rule"], f["name"]) for f in findings})
    options = "".join(f"<option value='{_e(code)}'>{_e(code)} {_e(name)}</option>" for code, name in rules)
    return (f"<div class='filters' id='filters'><span>Severity:</span> {boxes}"
            f"<label>Rule: <select id='rule-filter'><option value=''>all rules</option>{options}</select></label> "
            f"<span id='shown-count' class='hint'></span></div>")


def render_html(result, fail_on: str = "medium") -> str:
    report = report_dict(result)
    findings = report["findings"]
    proj = result.projection or {"index": [], "x": [], "y": [], "views": [], "where": [], "sampled": False}
    data = {"map": proj, "findings": [{"rule": f["rule"], "severity": f["severity"], "members": r.members}
                                      for f, r in zip(findings, result.findings)],
            "colours": SEVERITY_COLOURS}
    s = report["summary"]
    severities = counts(result, "no findings")
    verdict = "FAIL" if result.exit_code(fail_on) else "pass"
    cards = "".join(_card(k, f) for k, f in enumerate(findings)) or "<p class='none'>No findings.</p>"
    skipped = "".join(f"<li>{_e(_where(x))}: {_e(x['reason'])}</li>" for x in report["skipped"][:200])
    sample_note = " (finding members and a random sample of the other records)" if proj.get("sampled") else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>poisonscan report</title>
<style>{CSS}</style></head>
<body>
<header class="top"><h1>poisonscan report</h1>
<p class="summary" id="summary">{s['records']:,} records in {s['files']} file(s), {s['skipped']:,} skipped;
<b>{s['findings']}</b> finding(s): {_e(severities)}; fail-on {_e(fail_on)}: <b>{verdict}</b>.
poisonscan {_e(__version__)}.</p></header>
<main>
<section class="mapbox"><h2>Map of the records</h2>
<p class="hint">2D projection of the prompt+answer embeddings{sample_note}. Overview: the first two principal
components. A selected finding gets its own view: left to right runs from the centre of the other records to the
centre of the finding's, top to bottom is the other records' main spread. Hover a point for its location.</p>
<p class="hint" id="map-view"></p>
<svg id="map" viewBox="-1.08 -1.08 2.16 2.16" role="img" aria-label="map of the records"></svg>
<p id="map-status" class="hint"></p></section>
<section class="cards" id="cards"><h2>Findings</h2>{_filters(findings)}{cards}</section>
{f"<section class='skipped'><h2>Skipped records ({s['skipped']:,})</h2><ul>{skipped}</ul></section>" if skipped else ""}
</main>
<script type="application/json" id="data">{_script_json(data)}</script>
<script>{JS}</script>
</body></html>
"""


CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
.top{padding:12px 20px;background:#263238;color:#fff}.top h1{margin:0;font-size:20px}
main{display:grid;grid-template-columns:minmax(320px,42%) minmax(0,1fr);gap:16px;padding:16px}
.mapbox{position:sticky;top:8px;align-self:start}
#map{width:100%;aspect-ratio:1;background:#fff;border:1px solid #ccc;border-radius:6px}
#map circle{stroke:none}#map circle.dim{opacity:.12}#map circle.hit{stroke:#000;stroke-width:.006}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;margin:0 0 12px;cursor:pointer}
.filters{margin:0 0 10px;font-size:13px}.filters label{margin-right:8px}.card[hidden]{display:none}
.card.selected{border-color:#1565c0;box-shadow:0 0 0 2px #1565c055}
.sev{color:#fff;border-radius:3px;padding:1px 6px;font-weight:600;font-size:12px}
.rule{font-weight:600}.score,.size,.fp,.hint{color:#666;font-size:12px}
.msg{margin:6px 0}.ev{border-collapse:collapse;font-size:12px;width:100%;table-layout:fixed}
.ev>tbody>tr>th{width:9.5em;overflow:hidden;text-overflow:ellipsis}.ev th{text-align:left;vertical-align:top;
padding:1px 8px 1px 0;color:#444;white-space:nowrap}.ev td{padding:1px 0;word-break:break-word}
.grid{border-collapse:collapse;font-size:12px;margin:2px 0}.grid th,.grid td{border:1px solid #e0e0e0;
padding:1px 6px;text-align:left;vertical-align:top;word-break:normal;overflow-wrap:normal;max-width:32em}
.grid th{background:#f5f5f5;font-weight:600}.gridbox{overflow-x:auto;max-width:100%}
.example{border-left:3px solid #ddd;padding:2px 8px;margin:6px 0;font-size:12px}.text{white-space:pre-wrap;
word-break:break-word}.loc{color:#666}.records{columns:2;font-size:12px}
@media (max-width:900px){main{grid-template-columns:1fr}.mapbox{position:static}}
"""

JS = """
(function(){
  var data = JSON.parse(document.getElementById('data').textContent);
  var svg = document.getElementById('map'), NS = 'http://www.w3.org/2000/svg';
  var m = data.map, rank = {info:0, low:1, medium:2, high:3, critical:4};
  var owner = {};
  data.findings.forEach(function(f, k){
    f.members.forEach(function(i){
      if (!(i in owner) || rank[f.severity] > rank[data.findings[owner[i]].severity]) owner[i] = k;
    });
  });
  var dots = [], byPoint = [];
  for (var p = 0; p < m.index.length; p++) {
    var i = m.index[p], c = document.createElementNS(NS, 'circle');
    c.setAttribute('cx', m.x[p]); c.setAttribute('cy', -m.y[p]);
    var k = owner[i];
    c.setAttribute('r', k === undefined ? 0.008 : 0.014);
    c.setAttribute('fill', k === undefined ? '#90a4ae' : data.colours[data.findings[k].severity]);
    c.setAttribute('data-record', i);
    var t = document.createElementNS(NS, 'title');
    t.textContent = (m.where[p] || ('record ' + i)) + (k === undefined ? '' : ' (' + data.findings[k].rule + ')');
    c.appendChild(t);
    dots.push([c, k]);
    byPoint.push(c);
  }
  dots.sort(function(a, b){ return (a[1] === undefined ? 0 : 1) - (b[1] === undefined ? 0 : 1); });
  dots.forEach(function(d){ svg.appendChild(d[0]); });
  document.getElementById('map-status').textContent = m.index.length + ' points drawn';
  svg.setAttribute('data-points', m.index.length);
  var views = m.views || [];
  function place(k){
    var v = (k !== null && views[k]) ? views[k] : {x: m.x, y: m.y};
    for (var p = 0; p < m.index.length; p++) {
      byPoint[p].setAttribute('cx', v.x[p]); byPoint[p].setAttribute('cy', -v.y[p]);
    }
    svg.setAttribute('data-view', (k !== null && views[k]) ? 'finding-' + k : 'overview');
    document.getElementById('map-view').textContent = (k !== null && views[k])
      ? 'View of finding ' + (k + 1) + ' (' + data.findings[k].rule + '): its records to the right.'
      : 'Overview (principal components).';
  }
  function select(k){
    place(k);
    var members = {};
    data.findings[k].members.forEach(function(i){ members[i] = true; });
    dots.forEach(function(d){
      var hit = members[d[0].getAttribute('data-record')];
      d[0].setAttribute('class', hit ? 'hit' : 'dim');
    });
    document.querySelectorAll('.card').forEach(function(c){
      c.classList.toggle('selected', c.getAttribute('data-finding') === String(k));
    });
    svg.setAttribute('data-selected', k);
  }
  document.querySelectorAll('.card').forEach(function(card){
    var k = Number(card.getAttribute('data-finding'));
    card.addEventListener('click', function(){ select(k); });
    card.addEventListener('keydown', function(e){ if (e.key === 'Enter') select(k); });
  });
  var cards = document.querySelectorAll('.card'), ruleBox = document.getElementById('rule-filter');
  function filter(){
    var on = {}, shown = 0;
    document.querySelectorAll('#filters input[data-sev]').forEach(function(b){ on[b.getAttribute('data-sev')] = b.checked; });
    var rule = ruleBox ? ruleBox.value : '';
    cards.forEach(function(c){
      var keep = on[c.getAttribute('data-severity')] !== false && (!rule || c.getAttribute('data-rule') === rule);
      c.hidden = !keep; if (keep) shown++;
    });
    var count = document.getElementById('shown-count');
    if (count) count.textContent = shown + ' of ' + cards.length + ' findings shown';
  }
  document.querySelectorAll('#filters input, #filters select').forEach(function(el){
    el.addEventListener('change', filter);
  });
  filter();
  if (data.findings.length) select(0); else place(null);
})();
"""
