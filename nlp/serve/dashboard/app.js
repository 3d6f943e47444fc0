// Dashboard: fetches the public API and draws with the vendored plotly.js (no CDN).
"use strict";

const NARRATIVES = { ai_disruption: "AI disrupts everything", ai_returns_doubt: "AI returns are insufficient" };
const COLORS = { ai_disruption: "#c0392b", ai_returns_doubt: "#2c6fbb" };
const $ = (id) => document.getElementById(id);
// Read by the browser test: how many points the chart holds and how often it was drawn.
window.dashboardState = { points: 0, renders: 0, range: null, day: null };

async function api(path, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v) qs.set(k, v);
  const res = await fetch(path + (qs.toString() ? "?" + qs : ""));
  const body = await res.json();
  if (!res.ok || body.ok === false) throw new Error(body.error || res.statusText);
  return body;
}

function status(msg) { $("status").textContent = msg || ""; }

async function loadMarketSymbols() {
  try {
    const { symbols } = await api("/v1/market");
    if (!symbols.length) { $("market-label").hidden = true; return; }
    for (const s of symbols) $("market").add(new Option(s, s));
    $("market").value = symbols[0];
  } catch (e) { $("market-label").hidden = true; }
}

async function draw() {
  const params = { from: $("from").value, to: $("to").value, freq: $("freq").value, lang: $("lang").value };
  const { rows } = await api("/v1/index", params);
  const traces = [];
  let points = 0;
  for (const [n, label] of Object.entries(NARRATIVES)) {
    const mine = rows.filter((r) => r.narrative === n);
    points += mine.length;
    traces.push({
      x: mine.map((r) => r.date), y: mine.map((r) => r.ewma), name: label + " (EWMA share)", mode: "lines+markers",
      line: { color: COLORS[n] }, marker: { size: 4 }, customdata: mine.map((r) => [r.n_labelled, r.n_articles, r.z]),
      hovertemplate: "%{x}<br>EWMA %{y:.3f}<br>%{customdata[0]}/%{customdata[1]} articles<br>z %{customdata[2]:.2f}<extra></extra>",
    });
  }
  const symbol = $("market").value;
  if (symbol && rows.length) {
    try {
      const m = await api("/v1/market/" + encodeURIComponent(symbol), { from: params.from || rows[0].date, to: params.to || rows[rows.length - 1].date });
      traces.push({ x: m.rows.map((r) => r.date), y: m.rows.map((r) => r.close), name: symbol + " close", yaxis: "y2",
                    mode: "lines", line: { color: "#555", dash: "dot" } });
    } catch (e) { status("market data: " + e.message); }
  }
  const layout = {
    margin: { t: 20, r: 60, b: 40, l: 50 }, legend: { orientation: "h", y: -0.15 },
    yaxis: { title: "share of articles", rangemode: "tozero" },
    yaxis2: { title: symbol ? symbol + " close" : "", overlaying: "y", side: "right", showgrid: false },
    hovermode: "closest",
  };
  await Plotly.react("chart", traces, layout, { responsive: true, displaylogo: false });
  window.dashboardState.points = points;
  window.dashboardState.renders += 1;
  window.dashboardState.range = [params.from, params.to];
  if (!rows.length) status("no data in this range"); else status("");
  if (!$("from").value && rows.length) $("from").value = rows[0].date;
  if (!$("to").value && rows.length) $("to").value = rows[rows.length - 1].date;
  return rows;
}

async function showDay(day) {
  if (!day) return;
  $("day").value = day;
  $("detail-day").textContent = "— " + day;
  const freq = $("freq").value;
  let to = day;
  if (freq !== "D") {  // a weekly/monthly point stands for its whole period
    const d = new Date(day + "T00:00:00Z");
    if (freq === "W") d.setUTCDate(d.getUTCDate() + 6); else { d.setUTCMonth(d.getUTCMonth() + 1); d.setUTCDate(0); }
    to = d.toISOString().slice(0, 10);
  }
  const { articles } = await api("/v1/articles", { from: day, to: to, lang: $("lang").value, limit: 200 });
  const ev = [];
  const tickers = new Map();
  for (const a of articles) {
    for (const [n, items] of Object.entries(a.evidence || {})) for (const e of items) ev.push({ n, e, id: a.id, title: a.title });
    for (const t of a.tickers || []) tickers.set(t.symbol, (tickers.get(t.symbol) || 0) + t.mentions);
  }
  ev.sort((a, b) => b.e.score - a.e.score);
  const ol = $("evidence");
  ol.replaceChildren();
  for (const { n, e, id } of ev.slice(0, 10)) {
    const li = document.createElement("li");
    const tag = document.createElement("span");
    tag.className = "tag " + n;
    tag.textContent = n;
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = ` ${e.score.toFixed(2)} · ${id}`;
    li.append(tag, document.createTextNode(e.sentence), score);  // text nodes: article text is never parsed as HTML
    ol.append(li);
  }
  if (!ev.length) ol.append(Object.assign(document.createElement("li"), { textContent: "no evidence on this day" }));
  const ul = $("tickers");
  ul.replaceChildren();
  for (const [sym, n] of [...tickers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    ul.append(Object.assign(document.createElement("li"), { textContent: `${sym} × ${n}` }));
  }
  window.dashboardState.day = day;
}

async function refresh() {
  try { await draw(); } catch (e) { status("cannot load the index: " + e.message); }
}

async function main() {
  await loadMarketSymbols();
  const rows = await draw().catch((e) => { status("cannot load the index: " + e.message); return []; });
  document.getElementById("chart").on("plotly_click", (ev) => {
    if (ev.points && ev.points.length) showDay(String(ev.points[0].x).slice(0, 10)).catch((e) => status(e.message));
  });
  for (const id of ["from", "to", "freq", "lang", "market"]) $(id).addEventListener("change", refresh);
  $("day").addEventListener("change", () => showDay($("day").value).catch((e) => status(e.message)));
  if (rows.length) await showDay(rows[rows.length - 1].date).catch((e) => status(e.message));
}

main();
