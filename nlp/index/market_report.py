"""The HTML report: the narrative index against market prices, with the statistics in plain words.

One self-contained file: plotly.js is inlined once (no CDN, opens offline), tables are plain HTML.
PNG copies of the charts are written only when kaleido is installed; nothing requires it.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from nlp.index.tables import IndexResult

log = logging.getLogger(__name__)

#: Below this many sessions with both news and prices, the statistics are flagged as anecdotal.
MIN_SESSIONS = 60
EVENT_Z = 2.0
MAX_LAG = 10
TOP_ARTICLES = 3


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """What the report found, for the CLI and scripts to print."""

    path: Path
    n_sessions: dict[str, int]
    peaks: dict[str, list[dict[str, Any]]]
    events: pd.DataFrame
    stats: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    pngs: list[Path] = field(default_factory=list)


def analyse(joined: pd.DataFrame, *, max_lag: int = MAX_LAG) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (narrative, symbol): lead/lag correlations of the share change with returns, OLS of
    forward returns on the share change (Newey-West errors) and a Granger test.

    Returns:
        ``(stats, leadlag)``: one row per (narrative, symbol[, horizon]) and per (narrative, symbol, lag).
    """
    import pandas as pd

    from nlp.index.market import HORIZONS
    from nlp.index.stats import granger, lead_lag, ols_hac

    stat_rows, ll_parts = [], []
    for (narr, sym), g in joined.groupby(["narrative", "symbol"], sort=True):
        g = g.sort_values("session").reset_index(drop=True)
        ll = lead_lag(g["d_share"], g["ret"], max_lag=max_lag)
        ll.insert(0, "symbol", sym)
        ll.insert(0, "narrative", narr)
        ll_parts.append(ll)
        gr = granger(g["ret"], g["d_share"])
        for h in HORIZONS:
            o = ols_hac(g[f"fwd_{h}"], g["d_share"], maxlags=h)
            stat_rows.append({"narrative": narr, "symbol": sym, "horizon": h, **o,
                              "granger_lag": gr["lag"], "granger_F": gr["F"], "granger_p": gr["p"]})
    stats = pd.DataFrame(stat_rows)
    leadlag = pd.concat(ll_parts, ignore_index=True) if ll_parts else pd.DataFrame()
    return stats, leadlag


def event_table(result: IndexResult, joined: pd.DataFrame, *, symbols: Sequence[str], scored: Iterable[str | Path] = (), z: float = EVENT_Z) -> pd.DataFrame:
    """Periods whose z exceeds ``z``: share, z, the top articles carrying the narrative (from the
    scored files, if given) and each symbol's next-session and 5-session returns."""

    idx = result.index
    ev = idx[idx["z"] > z][["period", "narrative", "n_articles", "n_labelled", "share", "z"]].copy()
    if ev.empty:
        return ev
    ev = ev.sort_values(["narrative", "period"], ignore_index=True)
    tops = _top_articles(scored, ev, freq=result.meta.get("freq", "D"), tz=result.meta.get("tz", "UTC")) if scored else {}
    ev["top_articles"] = [tops.get((p, n), []) for p, n in zip(ev["period"], ev["narrative"], strict=True)]
    for sym in symbols:
        j = joined[joined["symbol"] == sym] if not joined.empty else joined
        for col in ("fwd_1", "fwd_5"):
            vals = []
            for p, n in zip(ev["period"], ev["narrative"], strict=True):
                vals.append(_session_value(result, j, p, n, col, sym))
            ev[f"{sym} {col}"] = vals
    return ev


def _session_value(result: IndexResult, j: pd.DataFrame, period: Any, narr: str, col: str, sym: str) -> float:
    import pandas as pd

    from nlp.index.market import next_session
    from nlp.index.periods import period_end

    if j.empty:
        return float("nan")
    end = pd.Timestamp(period_end(period.date(), freq=result.meta.get("freq", "D"))).tz_localize(result.meta.get("tz", "UTC"))
    sess = next_session(end, sym)
    rows = j[(j["narrative"] == narr) & (j["session"] >= sess)]
    return float(rows.iloc[0][col]) if len(rows) else float("nan")


def _top_articles(scored: Iterable[str | Path], ev: pd.DataFrame, *, freq: str, tz: str) -> dict[tuple[Any, str], list[dict[str, Any]]]:
    """Stream the scored files once; keep the best-scoring articles of each event period."""
    from zoneinfo import ZoneInfo

    import pandas as pd

    from nlp.index.accumulator import parse_published
    from nlp.index.builder import read_scored
    from nlp.index.periods import period_start

    zone = UTC if tz.upper() == "UTC" else ZoneInfo(tz)
    wanted = {(p.date(), n) for p, n in zip(ev["period"], ev["narrative"], strict=True)}
    best: dict[tuple[Any, str], list[tuple[float, dict[str, Any]]]] = {}
    for rec in read_scored(scored):
        if rec.get("cluster") not in (None, rec.get("id")):
            continue  # a syndicated copy; its leader speaks for it
        ts = parse_published(rec.get("published"))
        if ts is None:
            continue
        p = period_start(ts, freq=freq, tz=zone)
        for n in rec.get("labels") or ():
            if (p, n) not in wanted:
                continue
            ev_list = (rec.get("evidence") or {}).get(n) or []
            item = {"title": rec.get("title") or "", "source": rec.get("source") or "", "url": rec.get("url") or "",
                    "evidence": ev_list[0]["sentence"] if ev_list else "", "score": float((rec.get("scores") or {}).get(n, 0.0))}
            lst = best.setdefault((p, n), [])
            lst.append((item["score"], item))
            lst.sort(key=lambda t: -t[0])
            del lst[TOP_ARTICLES:]
    return {(pd.Timestamp(p), n): [it for _, it in v] for (p, n), v in best.items()}


# -- rendering ------------------------------------------------------------------------------------


def _chart(result: IndexResult, prices: pd.DataFrame, narr: str, symbols: Sequence[str]) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    idx = result.index[result.index["narrative"] == narr].sort_values("period")
    basis = result.meta.get("basis", "share")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=idx["period"], y=idx[basis], name=f"{basis} ({narr})", marker_color="#9ecae1", opacity=0.7), secondary_y=False)
    fig.add_trace(go.Scatter(x=idx["period"], y=idx["ewma"], name="EWMA", mode="lines", line={"color": "#08519c", "width": 2}), secondary_y=False)
    ev = idx[idx["z"] > EVENT_Z]
    if len(ev):
        fig.add_trace(go.Scatter(x=ev["period"], y=ev[basis], name=f"z > {EVENT_Z:g}", mode="markers", marker={"color": "#d62728", "size": 9, "symbol": "diamond"}), secondary_y=False)
    lo, hi = idx["period"].min(), idx["period"].max()
    for sym in symbols:
        p = prices[(prices["symbol"] == sym) & (prices["date"] >= lo) & (prices["date"] <= hi)].sort_values("date")
        if p.empty:
            continue
        fig.add_trace(go.Scatter(x=p["date"], y=p["close"] / p["close"].iloc[0] * 100, name=f"{sym} (=100 at start)", mode="lines"), secondary_y=True)
    fig.update_layout(title=f"{narr}: index against prices", height=460, margin={"l": 50, "r": 50, "t": 60, "b": 40}, legend={"orientation": "h", "y": -0.15}, bargap=0.1)
    fig.update_yaxes(title_text=basis, secondary_y=False)
    fig.update_yaxes(title_text="price, rebased to 100", secondary_y=True)
    return fig


def _leadlag_chart(leadlag: pd.DataFrame, narr: str) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    for sym, g in leadlag[leadlag["narrative"] == narr].groupby("symbol"):
        fig.add_trace(go.Bar(x=g["lag"], y=g["corr"], name=str(sym)))
    fig.update_layout(title=f"{narr}: correlation of share change today with returns k sessions later", height=340, xaxis_title="k (sessions; > 0: news leads prices)", yaxis_title="correlation", barmode="group", margin={"l": 50, "r": 30, "t": 60, "b": 40})
    return fig


def _fmt_table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, float_format=lambda v: f"{v:.4g}", na_rep="–", border=0, classes="t")


def _events_html(ev: pd.DataFrame, narr: str) -> str:
    sub = ev[ev["narrative"] == narr] if len(ev) else ev
    if sub.empty:
        return "<p>No period has z above 2 for this narrative.</p>"
    rows = []
    ret_cols = [c for c in sub.columns if c.endswith(("fwd_1", "fwd_5"))]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ["period", "share", "z", "n labelled / n", *ret_cols, "top articles (evidence)"])
    for _, r in sub.iterrows():
        arts = "".join(
            f"<li><b>{html.escape(a['title'] or '(no title)')}</b> <i>{html.escape(a['source'])}</i> "
            f"p={a['score']:.2f}<br><q>{html.escape(a['evidence'][:300])}</q></li>" for a in r["top_articles"]
        ) or "<li>(no scored file given)</li>"
        rets = "".join(f"<td>{'–' if r[c] != r[c] else f'{r[c] * 100:+.2f}%'}</td>" for c in ret_cols)
        rows.append(f"<tr><td>{r['period'].date()}</td><td>{r['share']:.3f}</td><td>{r['z']:.2f}</td><td>{int(r['n_labelled'])} / {int(r['n_articles'])}</td>{rets}<td><ul>{arts}</ul></td></tr>")
    return f"<table class='t'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


EXPLAIN = """
<h2>How to read this</h2>
<ul>
<li><b>share</b> is the fraction of the period's distinct stories (syndicated copies counted once)
that carry the narrative. <b>z</b> compares a period's share with the previous {window} periods:
z = 2 means two standard deviations above their mean. <b>EWMA</b> is a smoothed share.</li>
<li>Each news day is matched to the <b>next trading session that opens after the day ends</b>, so a
return is never counted as a reaction to news that came after it. <b>fwd_h</b> is the return from the
last close before that session to the close h sessions later.</li>
<li><b>Lead/lag correlation</b>: correlation between today's change in share and the return k sessions
later. Bars at k &gt; 0 mean the news moves first; bars at k &lt; 0 mean prices moved first and the
news followed. With n sessions, correlations smaller than about 2/&radic;n in size are
indistinguishable from noise.</li>
<li><b>OLS with Newey-West errors</b>: the average forward return per unit change in share (beta), with
standard errors that allow for the overlap of multi-session returns. p &lt; 0.05 is the usual bar,
but with several symbols, horizons and narratives some small p-values arise by chance.</li>
<li><b>Granger test</b>: whether past share changes improve a forecast of returns beyond past returns
alone (one joint test of lags 1&ndash;5). It says nothing about cause in the everyday sense.</li>
</ul>
"""

CSS = """body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222}
table.t{border-collapse:collapse;font-size:13px;margin:8px 0 20px}table.t td,table.t th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}
table.t td:last-child{text-align:left}.warn{background:#fff3cd;border:1px solid #e0c36a;padding:10px 14px;margin:12px 0}
q{color:#555}h2{margin-top:36px}"""


def write_report(result: IndexResult, prices: pd.DataFrame, out: str | Path, *, symbols: Sequence[str], scored: Sequence[str | Path] = (), title: str = "Narrative index report") -> ReportSummary:
    """Join, analyse and render the report to ``out`` (HTML, written atomically).

    Returns:
        A :class:`ReportSummary` (sessions per symbol, peaks, events, statistics, warnings).
    """
    import pandas as pd

    from nlp.files import atomic_writer
    from nlp.index.market import join_index

    out = Path(out)
    meta = result.meta
    joined = join_index(result.index, prices, symbols=symbols, freq=meta.get("freq", "D"), tz=meta.get("tz", "UTC"),
                        window=int(meta.get("window", 20)), min_periods=int(meta.get("min_periods", 5)))
    stats, leadlag = analyse(joined) if not joined.empty else (pd.DataFrame(), pd.DataFrame())
    ev = event_table(result, joined, symbols=symbols, scored=scored)
    narratives = list(meta.get("narratives") or sorted(result.index["narrative"].unique()))
    warnings_: list[str] = []
    n_sessions: dict[str, int] = {}
    for sym in symbols:
        j = joined[(joined["symbol"] == sym) & joined["share"].notna() & joined["ret"].notna()] if not joined.empty else joined
        n = int(j["session"].nunique()) if len(j) else 0
        n_sessions[sym] = n
        if n < MIN_SESSIONS:
            warnings_.append(f"{sym}: only {n} sessions have both news and a return (fewer than {MIN_SESSIONS}); "
                             "the correlations, regressions and tests below are anecdotal and should not be read as evidence.")
    peaks = {}
    for narr in narratives:
        idx = result.index[(result.index["narrative"] == narr) & result.index["z"].notna()]
        top = idx.nlargest(3, "z")
        peaks[narr] = [{"period": str(r.period.date()), "share": float(r.share), "z": float(r.z), "n_labelled": int(r.n_labelled)} for r in top.itertuples()]

    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f"<p>{meta.get('n_counted', 0)} distinct stories from {meta.get('n_records', 0)} scored records "
             f"({meta.get('n_copies', 0)} syndicated copies counted once, {meta.get('n_undated', 0)} undated left out); "
             f"periods: {html.escape(str(meta.get('freq')))} in {html.escape(str(meta.get('tz')))}; symbols: {html.escape(', '.join(symbols))}.</p>"]
    parts += [f"<div class='warn'>{html.escape(w)}</div>" for w in warnings_]
    parts.append(EXPLAIN.format(window=meta.get("window", 20)))
    first = True
    figs = []
    for narr in narratives:
        parts.append(f"<h2>{html.escape(narr)}</h2>")
        fig = _chart(result, prices, narr, symbols)
        figs.append((narr, fig))
        parts.append(fig.to_html(full_html=False, include_plotlyjs=first, default_width="100%"))
        first = False
        if not leadlag.empty:
            parts.append(_leadlag_chart(leadlag, narr).to_html(full_html=False, include_plotlyjs=False, default_width="100%"))
        if not stats.empty:
            s = stats[stats["narrative"] == narr].drop(columns=["narrative"])
            parts.append("<h3>Forward returns on share changes (OLS, Newey-West) and Granger tests</h3>" + _fmt_table(s))
        parts.append("<h3>Events (z &gt; 2)</h3>" + _events_html(ev, narr))
    parts.append("</body></html>")
    with atomic_writer(out) as fh:
        fh.write("\n".join(parts))
    pngs = _maybe_png(figs, out)
    return ReportSummary(out, n_sessions, peaks, ev, stats, warnings_, pngs)


def _maybe_png(figs: list[tuple[str, Any]], out: Path) -> list[Path]:
    """PNG copies through kaleido when it is installed and works; otherwise none."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return []
    paths = []
    for narr, fig in figs:
        p = out.with_name(f"{out.stem}.{narr}.png")
        try:
            fig.write_image(str(p))
        except Exception as exc:  # kaleido needs a browser of its own; a failure is not an error
            log.info("PNG export skipped: %s", exc)
            return paths
        paths.append(p)
    return paths
