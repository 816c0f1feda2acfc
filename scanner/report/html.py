"""The HTML report: one self-contained page (no network), a 2D map of the records and a card per finding.

Dataset text is escaped on the server side (``html.escape``) and the map's data travels as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, read with
``JSON.parse`` and written with ``textContent`` only. A Content-Security-Policy forbids any fetch.
"""

from __future__ import annotations

import html
import json

from ..version import __version__
from .json import report_dict

SEVERITY_COLOURS = {"critical": "#7b1fa2", "high": "#c62828", "medium": "#ef6c00", "low": "#f9a825",
                    "info": "#546e7a"}
RECORDS_LISTED = 60
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"  # no fetches


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _script_json(data) -> str:
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _evidence(value, depth: int = 0) -> str:
    if isinstance(value, dict):
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_evidence(v, depth + 1)}</td></tr>" for k, v in value.items())
        return f"<table class='ev'>{rows}</table>"
    if isinstance(value, list):
        if value and all(not isinstance(v, (dict, list)) for v in value):
            return _e(", ".join(str(v) for v in value))
        items = "".join(f"<li>{_evidence(v, depth + 1)}</li>" for v in value[:40])
        more = f"<li>… {len(value) - 40} more</li>" if len(value) > 40 else ""
        return f"<ul>{items}{more}</ul>"
    return _e(value)


def _card(k: int, f: dict) -> str:
    sev = f["severity"]
    records = f["records"]
    where = [r["path"] + (f":{r['line']}" if "line" in r else f"[row {r['row']}]" if "row" in r else "")
             for r in records]
    listed = "".join(f"<li>{_e(w)}</li>" for w in where[:RECORDS_LISTED])
    more = f"<li>… and {len(where) - RECORDS_LISTED} more</li>" if len(where) > RECORDS_LISTED else ""
    examples = "".join(
        f"<div class='example'><div class='loc'>{_e(ex['path'])}{_e(':' + str(ex['line']) if 'line' in ex else '')}"
        f"</div><div><b>prompt</b> <span class='text'>{_e(ex['prompt'])}</span></div>"
        f"<div><b>answer</b> <span class='text'>{_e(ex['answer'])}</span></div></div>" for ex in f["examples"])
    return (f"<article class='card' id='finding-{k}' data-finding='{k}' data-rule='{_e(f['rule'])}' "
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


def render_html(result, fail_on: str = "medium") -> str:
    report = report_dict(result)
    findings = report["findings"]
    proj = result.projection or {"index": [], "x": [], "y": [], "where": [], "sampled": False}
    data = {"map": proj, "findings": [{"rule": f["rule"], "severity": f["severity"], "members": r.members}
                                      for f, r in zip(findings, result.findings)],
            "colours": SEVERITY_COLOURS}
    s = report["summary"]
    counts = ", ".join(f"{n} {sev}" for sev, n in s["by_severity"].items() if n) or "no findings"
    verdict = "FAIL" if result.exit_code(fail_on) else "pass"
    cards = "".join(_card(k, f) for k, f in enumerate(findings)) or "<p class='none'>No findings.</p>"
    skipped = "".join(f"<li>{_e(x['path'])}{_e(':' + str(x['line']) if 'line' in x else '')}: "
                      f"{_e(x['reason'])}</li>" for x in report["skipped"][:200])
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
<b>{s['findings']}</b> finding(s): {_e(counts)}; fail-on {_e(fail_on)}: <b>{verdict}</b>.
poisonscan {_e(__version__)}.</p></header>
<main>
<section class="mapbox"><h2>Map of the records</h2>
<p class="hint">2D projection (PCA) of the prompt+answer embeddings{sample_note}. Select a card to highlight its
records; hover a point for its location.</p>
<svg id="map" viewBox="-1.08 -1.08 2.16 2.16" role="img" aria-label="map of the records"></svg>
<p id="map-status" class="hint"></p></section>
<section class="cards" id="cards"><h2>Findings</h2>{cards}</section>
{f"<section class='skipped'><h2>Skipped records ({s['skipped']:,})</h2><ul>{skipped}</ul></section>" if skipped else ""}
</main>
<script type="application/json" id="data">{_script_json(data)}</script>
<script>{JS}</script>
</body></html>
"""


CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
.top{padding:12px 20px;background:#263238;color:#fff}.top h1{margin:0;font-size:20px}
main{display:grid;grid-template-columns:minmax(320px,42%) 1fr;gap:16px;padding:16px}
.mapbox{position:sticky;top:8px;align-self:start}
#map{width:100%;aspect-ratio:1;background:#fff;border:1px solid #ccc;border-radius:6px}
#map circle{stroke:none}#map circle.dim{opacity:.12}#map circle.hit{stroke:#000;stroke-width:.006}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;margin:0 0 12px;cursor:pointer}
.card.selected{border-color:#1565c0;box-shadow:0 0 0 2px #1565c055}
.sev{color:#fff;border-radius:3px;padding:1px 6px;font-weight:600;font-size:12px}
.rule{font-weight:600}.score,.size,.fp,.hint{color:#666;font-size:12px}
.msg{margin:6px 0}.ev{border-collapse:collapse;font-size:12px}.ev th{text-align:left;vertical-align:top;
padding:1px 8px 1px 0;color:#444;white-space:nowrap}.ev td{padding:1px 0;word-break:break-word}
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
  var dots = [];
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
  }
  dots.sort(function(a, b){ return (a[1] === undefined ? 0 : 1) - (b[1] === undefined ? 0 : 1); });
  dots.forEach(function(d){ svg.appendChild(d[0]); });
  document.getElementById('map-status').textContent = m.index.length + ' points drawn';
  svg.setAttribute('data-points', m.index.length);
  function select(k){
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
})();
"""
