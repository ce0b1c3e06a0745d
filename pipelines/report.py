"""Static HTML report of a warehouse's incidents: `python -m pipelines.report`.

    python -m pipelines.report [--warehouse PATH] [--out reports/incidents.html] [--topojson FILE]

Reads the warehouse read-only and writes ONE self-contained HTML file that needs no
network when it is opened: plotly.js is embedded inline once, every chart is a div plus
its figure JSON. The page has:

- a scatter-geo map of every incident with coordinates (drawn by plotly offline; no tile
  server). Plotly normally downloads its country outlines (topojson) from a CDN; this
  report never lets it: it embeds an empty topology (graticule, frame and the incidents,
  labelled) or, with --topojson, a plotly-format world topojson file you have locally
  (e.g. world_110m.json from plotly.js's dist/topojson/), which draws land and borders;
- one card per incident, ordered by date (`<article data-incident-id="...">`): title
  (place, country, date and its precision, attack type, claimed by), the reconciled
  range chart per category (low, best, high; an arrow when high is open-ended) in div
  `range-<incident_id>`, each source's figure over time in div `timeline-<incident_id>`
  (from claim_timeline; superseded figures faded), the evidence sentences with outlet and
  claimant, and the coordinates.

Everything read from the warehouse is article text and therefore untrusted: it is
HTML-escaped before it goes into the page or into a chart label.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import math
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.settings import PROJECT_ROOT, load_settings

DEFAULT_OUT = PROJECT_ROOT / "reports" / "incidents.html"

CATEGORY_ORDER = ("killed", "wounded", "missing", "kidnapped", "arrested")
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#7f7f7f", "#bcbd22")
CATEGORY_COLOURS = {"killed": "#b2182b", "wounded": "#ef8a62", "missing": "#4d4d4d",
                    "kidnapped": "#762a83", "arrested": "#2166ac"}
# Spread (largest / smallest figure) above which a chart switches to a log axis.
LOG_AXIS_SPREAD = 20
# Layers plotly's geo subplot may read from its topojson.
TOPOJSON_LAYERS = ("land", "ocean", "lakes", "rivers", "coastlines", "countries", "subunits")
TOPOJSON_NAME = "world_110m"  # scope "world", resolution 110: what the map asks for

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}

INCIDENTS_SQL = """
    select incident_id, event_date, date_start, date_end, date_precision, place_name, admin1,
           country, country_code, latitude, longitude, geo_precision, attack_type, n_attacks,
           perpetrator, claimed_by, is_historical, n_articles, n_sources,
           first_reported_at, last_reported_at
    from incident_summary
    order by event_date nulls last, first_reported_at, incident_id
"""
CASUALTIES_SQL = """
    select incident_id, category, low, best, high, high_open, n_claims, n_sources,
           conflicting, basis, best_claim_id
    from incident_casualties
"""
TIMELINE_SQL = """
    select incident_id, category, source, claimant, claimant_kind, outlet, reported_at,
           value_low, value_high, qualifier, raw_phrase, is_superseded, is_perpetrator_claim,
           claim_id
    from claim_timeline
    order by incident_id, category, reported_at, source, claim_id
"""
EVIDENCE_SQL = """
    select c.claim_id, c.incident_id, c.category, c.value_low, c.value_high, c.qualifier,
           c.raw_phrase, c.claimant, c.claimant_kind, c.source, c.outlet, c.reported_at,
           c.evidence, c.in_title, c.is_superseded, c.is_perpetrator_claim, a.title, a.url
    from claims as c
    left join articles as a on a.article_id = c.article_id
    where c.incident_id is not null
    order by c.incident_id, c.reported_at, c.in_title desc, c.char_start, c.category
"""
AGGREGATES_SQL = """
    with linked as (
        select claim_id, category, value_low, value_high, raw_phrase, status, detail,
               unnest(incident_ids) as incident_id
        from aggregate_claims
    )
    select l.incident_id, l.claim_id, l.category, l.value_low, l.value_high, l.raw_phrase,
           l.status, l.detail, c.outlet, c.claimant, c.reported_at
    from linked as l
    left join claims as c on c.claim_id = l.claim_id
    order by l.incident_id, c.reported_at, l.claim_id
"""

CSS = """
:root { --ink: #1b1f24; --muted: #5b6570; --line: #d8dde3; --card: #ffffff; --bg: #f4f6f8;
        --accent: #b2182b; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: var(--bg); }
header.page, main, section.overview, footer { max-width: 1100px; margin: 0 auto; padding: 0 16px; }
header.page h1 { margin: 24px 0 4px; font-size: 24px; }
.muted, header.page p { color: var(--muted); }
section.overview { margin-top: 12px; }
.panel, .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
                padding: 14px 18px; margin: 14px 0; }
.card h2 { margin: 0 0 4px; font-size: 18px; }
.card .meta { margin: 0 0 8px; color: var(--muted); }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px;
         background: #eef1f4; color: var(--muted); margin-left: 6px; vertical-align: 2px; }
.badge.warn { background: #fdecea; color: var(--accent); }
.ranges { margin: 6px 0 2px; }
.ranges dt { font-weight: 600; display: inline; }
.ranges dd { display: inline; margin: 0 14px 0 4px; }
.chart { width: 100%; }
table.evidence { width: 100%; border-collapse: collapse; font-size: 13px; }
table.evidence th, table.evidence td { text-align: left; vertical-align: top; padding: 4px 6px;
                                       border-top: 1px solid var(--line); }
table.evidence th { color: var(--muted); font-weight: 600; }
table.evidence tr.superseded td { color: #98a1ab; }
table.evidence td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
mark { background: #fff1b8; padding: 0 1px; }
details summary { cursor: pointer; color: var(--muted); margin: 6px 0; }
nav.toc ol { columns: 2; margin: 6px 0; padding-left: 22px; }
.basis { color: var(--muted); font-size: 12px; margin: 2px 0; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 32px; }
a { color: #1f5f99; }
"""


class ReportError(RuntimeError):
    """A problem the user can act on; its message is one line."""


@dataclass
class IncidentData:
    row: dict
    casualties: dict[str, dict] = field(default_factory=dict)
    timeline: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    aggregates: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def _fetch(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def load_incidents(warehouse: Path) -> list[IncidentData]:
    """Every incident with its casualties, timeline, evidence and aggregates (read-only)."""
    import duckdb

    from warehouse.io import WarehouseError, connect

    if not warehouse.exists():
        raise ReportError(f"warehouse not found: {warehouse} (run the pipeline first: make run, "
                          "or pass --warehouse / set INCIDENT_WAREHOUSE)")
    if not warehouse.is_file():
        raise ReportError(f"warehouse {warehouse} is not a file")
    try:
        con = connect(warehouse, read_only=True)
    except WarehouseError as exc:
        raise ReportError(str(exc).splitlines()[0]) from exc
    except duckdb.Error as exc:
        raise ReportError(f"cannot open warehouse {warehouse}: {str(exc).splitlines()[0]}") from exc
    try:
        incidents = {r["incident_id"]: IncidentData(r) for r in _fetch(con, INCIDENTS_SQL)}
        for r in _fetch(con, CASUALTIES_SQL):
            if r["incident_id"] in incidents:
                incidents[r["incident_id"]].casualties[r["category"]] = r
        for r in _fetch(con, TIMELINE_SQL):
            if r["incident_id"] in incidents:
                incidents[r["incident_id"]].timeline.append(r)
        for r in _fetch(con, EVIDENCE_SQL):
            if r["incident_id"] in incidents:
                incidents[r["incident_id"]].evidence.append(r)
        for r in _fetch(con, AGGREGATES_SQL):
            if r["incident_id"] in incidents:
                incidents[r["incident_id"]].aggregates.append(r)
    except duckdb.CatalogException as exc:
        raise ReportError(f"{warehouse} is not an incident-ledger warehouse: "
                          f"{str(exc).splitlines()[0]}") from exc
    except duckdb.Error as exc:
        raise ReportError(f"cannot read warehouse {warehouse}: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()
    return list(incidents.values())


# --------------------------------------------------------------------------- formatting


def esc(value) -> str:
    """HTML-escape anything read from the warehouse (None -> '')."""
    return "" if value is None else html.escape(str(value), quote=True)


def pesc(value) -> str:
    """Escape text for a plotly label: plotly reads <, > and & as its own markup and decodes
    &lt; &gt; &amp; back for display (it would show &quot; literally, so quotes stay)."""
    return "" if value is None else html.escape(str(value), quote=False)


def fmt_int(n) -> str:
    return "?" if n is None else f"{n:,}"


def figure_value(low, high) -> int | None:
    """The number a claim is plotted at: its lower bound, or N for "up to N"."""
    return low if low is not None else high


def figure_text(low, high) -> str:
    if low is None and high is None:
        return "?"
    if low is None:
        return f"up to {high:,}"
    if high is None:
        return f"{low:,}+"
    if low == high:
        return f"{low:,}"
    return f"{low:,}-{high:,}"


def range_text(c: dict) -> str:
    """low-best-high as the CLI prints it ("+" = high stated as a lower bound)."""
    if c["low"] == c["best"] == c["high"]:
        text = fmt_int(c["best"])
    else:
        text = f"{fmt_int(c['low'])}-{fmt_int(c['best'])}-{fmt_int(c['high'])}"
    return text + ("+" if c["high_open"] else "")


def date_text(row: dict) -> str:
    date, precision = row["event_date"], row["date_precision"]
    if date is None:
        return "date unknown"
    shown = {"year": f"{date:%Y}", "month": f"{date:%Y-%m}"}.get(precision, date.isoformat())
    span = ""
    if precision == "week" and row["date_start"] and row["date_end"]:
        span = f", {row['date_start']:%Y-%m-%d} to {row['date_end']:%Y-%m-%d}"
    return f"{shown} ({precision} precision{span})"


def place_text(row: dict) -> str:
    parts = [row["place_name"]]
    if row["admin1"] and row["admin1"] != row["place_name"]:
        parts.append(row["admin1"])
    if row["country"] and row["country"] != row["place_name"]:
        parts.append(row["country"])
    return ", ".join(p for p in parts if p) or "Unknown place"


def coords_text(row: dict) -> str:
    if row["latitude"] is None or row["longitude"] is None:
        where = f" (only {row['geo_precision']}-level place known)" if row["geo_precision"] else ""
        return f"no coordinates{where}"
    lat, lon = row["latitude"], row["longitude"]
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return f"{abs(lat):.4f}°{ns}, {abs(lon):.4f}°{ew} ({row['geo_precision'] or '?'} precision)"


def highlight(evidence: str, phrase: str) -> str:
    """Escaped evidence with the first occurrence of phrase wrapped in <mark>."""
    evidence = evidence or ""
    at = evidence.find(phrase) if phrase else -1
    if at < 0:
        return esc(evidence)
    end = at + len(phrase)
    return f"{esc(evidence[:at])}<mark>{esc(evidence[at:end])}</mark>{esc(evidence[end:])}"


def safe_url(url) -> str | None:
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None


def ordered_categories(categories) -> list[str]:
    found = set(categories)
    return [c for c in CATEGORY_ORDER if c in found] + sorted(found - set(CATEGORY_ORDER))


def use_log_axis(values) -> bool:
    positive = [v for v in values if v is not None and v > 0]
    return bool(positive) and max(positive) / min(positive) > LOG_AXIS_SPREAD


# --------------------------------------------------------------------------- charts


def _base_layout(height: int, **extra) -> dict:
    layout = dict(
        template="none", height=height, margin=dict(l=70, r=20, t=28, b=40),
        font=dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=12,
                  color="#1b1f24"),
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff", hoverlabel=dict(align="left"),
    )
    layout.update(extra)
    return layout


def _axis(**extra) -> dict:
    axis = dict(showgrid=True, gridcolor="#e6e9ed", zeroline=False, linecolor="#c5ccd3",
                showline=True, ticks="outside", tickcolor="#c5ccd3")
    axis.update(extra)
    return axis


def _figure_html(fig, div_id: str, height: int, *, include_plotlyjs: bool = False) -> str:
    import plotly.io as pio

    return pio.to_html(fig, full_html=False, include_plotlyjs=include_plotlyjs, div_id=div_id,
                       config=PLOTLY_CONFIG, default_width="100%", default_height=f"{height}px",
                       validate=True)


def range_figure(inc: IncidentData):
    """Horizontal range bars: low..high line, best diamond, arrow when high is open-ended."""
    import plotly.graph_objects as go

    cats = ordered_categories(inc.casualties)
    fig = go.Figure()
    if not cats:
        fig.update_layout(**_base_layout(110, xaxis=dict(visible=False), yaxis=dict(visible=False)))
        fig.add_annotation(text="no casualty figure reported", showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper", font=dict(color="#5b6570"))
        return fig, 110
    values = [inc.casualties[c][k] for c in cats for k in ("low", "best", "high")]
    log = use_log_axis(values)
    top = max(v for v in values if v is not None) or 1
    for cat in cats:
        c = inc.casualties[cat]
        colour = CATEGORY_COLOURS.get(cat, "#4d4d4d")
        low = max(c["low"], 1) if log else c["low"]
        label = f"{cat}: low {c['low']:,} · best {c['best']:,} · high {c['high']:,}" + (
            "+ (open-ended)" if c["high_open"] else "")
        fig.add_trace(go.Scatter(
            x=[low, c["high"]], y=[cat, cat], mode="lines+markers", showlegend=False,
            line=dict(color=colour, width=10), opacity=0.45,
            marker=dict(symbol="line-ns-open", size=18, color=colour, line=dict(width=2)),
            hoverinfo="text", text=[pesc(label), pesc(label)]))
        if c["high_open"]:
            beyond = c["high"] * (1.6 if log else 1.0) + (0 if log else 0.12 * top)
            fig.add_trace(go.Scatter(
                x=[c["high"], beyond], y=[cat, cat], mode="lines+markers", showlegend=False,
                line=dict(color=colour, width=2, dash="dot"),
                marker=dict(symbol=["line-ns-open", "triangle-right"], size=[1, 13], color=colour),
                hoverinfo="text", text=[pesc(f"{cat}: high {c['high']:,} was stated as a lower bound")] * 2))
        fig.add_trace(go.Scatter(
            x=[c["best"]], y=[cat], mode="markers+text", showlegend=False,
            marker=dict(symbol="diamond", size=15, color=colour, line=dict(color="#ffffff", width=1.5)),
            text=[f"{c['best']:,}"], textposition="top center", textfont=dict(color=colour), cliponaxis=False,
            hoverinfo="text", hovertext=[pesc(label + (" · sources disagree" if c["conflicting"] else ""))]))
    height = 70 + 48 * len(cats)
    xaxis = _axis(title=dict(text="people" + (" (log scale)" if log else "")),
                  type="log" if log else "linear")
    if not log:
        xaxis["rangemode"] = "tozero"
    fig.update_layout(**_base_layout(height, xaxis=xaxis,
                                     yaxis=_axis(showgrid=False, autorange="reversed", type="category"),
                                     margin=dict(l=80, r=30, t=34, b=44)))
    return fig, height


def timeline_figure(inc: IncidentData):
    """Each source's figure over time (x = reported_at), one subplot per category."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    cats = ordered_categories({r["category"] for r in inc.timeline})
    if not cats:
        fig = go.Figure()
        fig.update_layout(**_base_layout(120, xaxis=dict(visible=False), yaxis=dict(visible=False)))
        fig.add_annotation(text="no source gave a casualty figure for this incident", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper", font=dict(color="#5b6570"))
        return fig, 120
    fig = make_subplots(rows=1, cols=len(cats), subplot_titles=[pesc(c) for c in cats],
                        horizontal_spacing=0.08 if len(cats) > 1 else 0.0)
    sources = sorted({r["source"] for r in inc.timeline})
    # Same time axis in every subplot, padded so a single report is not a zero-width axis.
    times = [r["reported_at"] for r in inc.timeline]
    pad = max((max(times) - min(times)) * 0.06, dt.timedelta(hours=6))
    time_range = [min(times) - pad, max(times) + pad]
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sources)}
    shown_in_legend: set[str] = set()
    for col, cat in enumerate(cats, start=1):
        rows = [r for r in inc.timeline if r["category"] == cat]
        by_source: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            by_source[r["source"]].append(r)
        for source in sorted(by_source):
            points = sorted(by_source[source], key=lambda r: (r["reported_at"], r["claim_id"]))
            kind = points[-1]["claimant_kind"]
            perpetrator = any(p["is_perpetrator_claim"] for p in points)
            name = source + ("" if kind == "unattributed" else f" ({kind})") + (
                " · perpetrator" if perpetrator else "")
            hover = [
                "<br>".join([
                    f"<b>{pesc(source)}</b> ({pesc(p['claimant_kind'])})",
                    f"{pesc(cat)}: {pesc(figure_text(p['value_low'], p['value_high']))} "
                    f"({pesc(p['qualifier'])}: “{pesc(p['raw_phrase'])}”)",
                    f"{pesc(p['outlet'] or 'unknown outlet')}, {p['reported_at']:%Y-%m-%d %H:%M} UTC",
                ] + (["superseded by a later figure from this source"] if p["is_superseded"] else [])
                  + (["perpetrator's claim (never sets best)"] if p["is_perpetrator_claim"] else []))
                for p in points
            ]
            fig.add_trace(go.Scatter(
                x=[p["reported_at"] for p in points],
                y=[figure_value(p["value_low"], p["value_high"]) for p in points],
                mode="lines+markers", name=pesc(name), legendgroup=pesc(source),
                showlegend=source not in shown_in_legend,
                line=dict(color=colour[source], width=2, dash="dot" if perpetrator else "solid",
                          shape="hv"),
                marker=dict(size=10, color=colour[source],
                            opacity=[0.3 if p["is_superseded"] else 1.0 for p in points],
                            symbol=["triangle-up" if p["value_high"] is None else "circle"
                                    for p in points],
                            line=dict(color="#ffffff", width=1)),
                hoverinfo="text", text=hover), row=1, col=col)
            shown_in_legend.add(source)
        values = [figure_value(r["value_low"], r["value_high"]) for r in rows]
        log = use_log_axis(values)
        fig.update_yaxes(_axis(type="log" if log else "linear",
                               title=dict(text="people" + (" (log)" if log else "")) if col == 1 else None,
                               rangemode=None if log else "tozero"), row=1, col=col)
        fig.update_xaxes(_axis(tickformat="%b %d<br>%H:%M", range=time_range), row=1, col=col)
    n_sources = len(sources)
    height = 300 + 18 * max(0, n_sources - 4)
    fig.update_layout(**_base_layout(
        height, margin=dict(l=70, r=20, t=36, b=60),
        legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0,
                    font=dict(size=11)),
        hovermode="closest"))
    return fig, height


def map_figure(incidents: list[IncidentData], *, with_land: bool):
    import plotly.graph_objects as go

    located = [i.row for i in incidents if i.row["latitude"] is not None and i.row["longitude"] is not None]
    fig = go.Figure()
    if located:
        killed = []
        for inc in incidents:
            if inc.row["latitude"] is None or inc.row["longitude"] is None:
                continue
            c = inc.casualties.get("killed")
            killed.append(c["best"] if c else 0)
        hover = []
        for inc in incidents:
            r = inc.row
            if r["latitude"] is None or r["longitude"] is None:
                continue
            c = inc.casualties.get("killed")
            hover.append("<br>".join([
                f"<b>{pesc(place_text(r))}</b>",
                pesc(date_text(r)),
                f"killed: {pesc(range_text(c)) if c else 'no figure'}",
                pesc(r["incident_id"]) + (" · earlier event" if r["is_historical"] else ""),
            ]))
        fig.add_trace(go.Scattergeo(
            lon=[r["longitude"] for r in located], lat=[r["latitude"] for r in located],
            mode="markers+text", text=[pesc(r["place_name"]) for r in located],
            textposition="top center", textfont=dict(size=10, color="#1b1f24"),
            hovertext=hover, hoverinfo="text", showlegend=False,
            customdata=[r["incident_id"] for r in located],
            marker=dict(size=[6 + min(24.0, 2.2 * math.sqrt(max(k or 0, 0))) for k in killed],
                        color=["#8c96a0" if r["is_historical"] else "#b2182b" for r in located],
                        opacity=0.75, line=dict(color="#ffffff", width=1))))
    geo = dict(scope="world", resolution=110, projection=dict(type="equirectangular"),
               showframe=True, framecolor="#c5ccd3", bgcolor="#f8fafc",
               showland=with_land, landcolor="#eceff2", showcountries=with_land,
               countrycolor="#b8c0c8", showcoastlines=with_land, coastlinecolor="#9aa4ae",
               showocean=False, showlakes=False, showrivers=False, showsubunits=False,
               lataxis=dict(showgrid=True, dtick=10, gridcolor="#dfe4e9"),
               lonaxis=dict(showgrid=True, dtick=10, gridcolor="#dfe4e9"))
    if located:
        # Frame the incidents with a margin (plotly's fitbounds puts edge markers on the frame).
        lats = [r["latitude"] for r in located]
        lons = [r["longitude"] for r in located]
        pad_lat = max(4.0, 0.15 * (max(lats) - min(lats)))
        pad_lon = max(6.0, 0.15 * (max(lons) - min(lons)))
        geo["lataxis"]["range"] = [max(-90.0, min(lats) - pad_lat), min(90.0, max(lats) + pad_lat)]
        geo["lonaxis"]["range"] = [max(-180.0, min(lons) - pad_lon), min(180.0, max(lons) + pad_lon)]
    fig.update_layout(**_base_layout(420, geo=geo, margin=dict(l=10, r=10, t=10, b=10)))
    return fig, 420


def topojson_script(topojson: dict | None) -> str:
    """Preset plotly's geo assets so the map never downloads outlines from a CDN."""
    if topojson is None:
        topojson = {"type": "Topology", "arcs": [],
                    "objects": {name: {"type": "GeometryCollection", "geometries": []}
                                for name in TOPOJSON_LAYERS}}
    else:
        objects = topojson.setdefault("objects", {})
        for name in TOPOJSON_LAYERS:
            objects.setdefault(name, {"type": "GeometryCollection", "geometries": []})
    payload = json.dumps({TOPOJSON_NAME: topojson}, separators=(",", ":")).replace("</", "<\\/")
    return ("<script>window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};\n"
            f"Object.assign(window.PlotlyGeoAssets.topojson, {payload});</script>")


# --------------------------------------------------------------------------- HTML


def chart_ids(incident_id: str) -> tuple[str, str]:
    """The ids of an incident's range chart and timeline chart divs."""
    return f"range-{incident_id}", f"timeline-{incident_id}"


def render_card(inc: IncidentData) -> str:
    r = inc.row
    iid = r["incident_id"]
    range_id, timeline_id = chart_ids(iid)
    meta = [esc(date_text(r))]
    if r["attack_type"]:
        attack = r["attack_type"].replace("_", " ")
        if r["n_attacks"]:
            attack += f" ({r['n_attacks']} attacks)"
        meta.append(esc(attack))
    else:
        meta.append("attack type not stated")
    meta.append(f"claimed by {esc(r['claimed_by'])}" if r["claimed_by"] else "no claim of responsibility reported")
    if r["perpetrator"] and r["perpetrator"] != r["claimed_by"]:
        meta.append(f"attributed to {esc(r['perpetrator'])}")
    badges = []
    if r["is_historical"]:
        badges.append('<span class="badge">earlier event, mentioned in passing</span>')
    if any(c["conflicting"] for c in inc.casualties.values()):
        badges.append('<span class="badge warn">sources disagree</span>')

    ranges = []
    for cat in ordered_categories(inc.casualties):
        c = inc.casualties[cat]
        flag = ' <span class="badge warn">conflicting</span>' if c["conflicting"] else ""
        ranges.append(f"<dt>{esc(cat)}</dt><dd>{esc(range_text(c))}{flag}</dd>")
    ranges_html = (f'<dl class="ranges">{"".join(ranges)}</dl>' if ranges
                   else '<p class="muted">No casualty figure was reported for this incident.</p>')
    basis = "".join(f'<p class="basis"><b>{esc(cat)}</b>: {esc(inc.casualties[cat]["basis"])}</p>'
                    for cat in ordered_categories(inc.casualties))

    range_fig, range_h = range_figure(inc)
    timeline_fig, timeline_h = timeline_figure(inc)

    best_ids = {c["best_claim_id"] for c in inc.casualties.values()}
    rows = []
    for e in inc.evidence:
        flags = []
        if e["claim_id"] in best_ids:
            flags.append('<span class="badge">best</span>')
        if e["is_superseded"]:
            flags.append('<span class="badge">superseded</span>')
        if e["is_perpetrator_claim"]:
            flags.append('<span class="badge warn">perpetrator</span>')
        if e["in_title"]:
            flags.append('<span class="badge">headline</span>')
        url = safe_url(e["url"])
        outlet = esc(e["outlet"] or "unknown outlet")
        if url:
            outlet = f'<a href="{esc(url)}" rel="noopener noreferrer">{outlet}</a>'
        claimant = (f'{esc(e["claimant"])} <span class="muted">({esc(e["claimant_kind"])})</span>'
                    if e["claimant"] else '<span class="muted">unattributed</span>')
        rows.append(
            f'<tr class="{"superseded" if e["is_superseded"] else "current"}">'
            f'<td class="num">{e["reported_at"]:%Y-%m-%d %H:%M}</td>'
            f"<td>{outlet}</td>"
            f"<td>{claimant}</td>"
            f'<td class="num">{esc(e["category"])} {esc(figure_text(e["value_low"], e["value_high"]))}</td>'
            f'<td>{highlight(e["evidence"], e["raw_phrase"])} {"".join(flags)}</td></tr>')
    evidence_html = (
        f'<details class="evidence" open><summary>Evidence: {len(inc.evidence)} figure(s) as stated</summary>'
        '<table class="evidence"><thead><tr><th>reported (UTC)</th><th>outlet</th><th>claimant</th>'
        f'<th>figure</th><th>sentence</th></tr></thead><tbody>{"".join(rows)}</tbody></table></details>'
        if rows else '<p class="muted">No sentence in the archive gives a figure for it.</p>')

    aggregates = ""
    if inc.aggregates:
        items = "".join(
            f"<li>{esc(a['category'])} {esc(figure_text(a['value_low'], a['value_high']))} "
            f"(“{esc(a['raw_phrase'])}”, {esc(a['outlet'] or 'unknown outlet')}"
            f"{', ' + esc(a['claimant']) if a['claimant'] else ''}): {esc(a['status'])}</li>"
            for a in inc.aggregates)
        aggregates = f'<p class="muted">Also counted in figures spanning several incidents:</p><ul>{items}</ul>'

    return f"""
<article class="card" id="incident-{esc(iid)}" data-incident-id="{esc(iid)}">
  <h2>{esc(place_text(r))}{"".join(badges)}</h2>
  <p class="meta">{" · ".join(meta)}</p>
  {ranges_html}
  <div class="chart range-chart" data-chart="range">{_figure_html(range_fig, range_id, range_h)}</div>
  {basis}
  <div class="chart timeline-chart" data-chart="timeline">{_figure_html(timeline_fig, timeline_id, timeline_h)}</div>
  {evidence_html}
  {aggregates}
  <p class="muted">Coordinates: {esc(coords_text(r))} · {r['n_articles']} article(s), {r['n_sources']} source(s)
     · first reported {r['first_reported_at']:%Y-%m-%d %H:%M} UTC · id <code>{esc(iid)}</code></p>
</article>"""


def build_html(incidents: list[IncidentData], *, warehouse: Path, topojson: dict | None = None,
               generated_at: dt.datetime | None = None) -> str:
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc)
    map_fig, map_h = map_figure(incidents, with_land=topojson is not None)
    # plotly.js goes in once, inline, with the first figure; every other chart is div + JSON.
    map_html = _figure_html(map_fig, "incident-map", map_h, include_plotlyjs=True)
    unlocated = sum(1 for i in incidents if i.row["latitude"] is None or i.row["longitude"] is None)
    n_claims = sum(len(i.evidence) for i in incidents)
    toc = "".join(
        f'<li><a href="#incident-{esc(i.row["incident_id"])}">{esc(place_text(i.row))}</a> '
        f'<span class="muted">{esc(date_text(i.row))}</span></li>' for i in incidents)
    cards = "".join(render_card(i) for i in incidents)
    outlines = ("" if topojson is not None else
                " Country outlines are not drawn (no map data is downloaded; pass --topojson to embed some).")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Incident ledger: {len(incidents)} incidents</title>
<style>{CSS}</style>
{topojson_script(topojson)}
</head>
<body>
<header class="page">
  <h1>Incident ledger</h1>
  <p>{len(incidents)} incidents, {n_claims} casualty figures · warehouse <code>{esc(warehouse)}</code>
     · generated {generated_at:%Y-%m-%d %H:%M} UTC</p>
</header>
<section class="overview">
  <div class="panel">
    <div class="chart map-chart" data-chart="map">{map_html}</div>
    <p class="muted">Incidents with coordinates; marker size grows with the best killed figure, grey =
      earlier events mentioned in passing. {unlocated} incident(s) without coordinates are not on the map.{outlines}</p>
  </div>
  <nav class="toc panel"><b>Incidents by date</b><ol>{toc}</ol></nav>
</section>
<main>{cards}
</main>
<footer>
  <p>Ranges are low-best-high: low = the smallest credible lower bound among the sources' latest
  figures, best = the most recent figure from the most credible source tier, high = the largest
  figure any source stated; "+" and an arrow mean that high was stated as a lower bound ("at least").
  In the timelines each line is one source, a triangle marks an open-ended figure, faded points were
  superseded by the same source's later figure and dotted lines are the perpetrator's own claims.</p>
</footer>
</body>
</html>
"""


def write_report(warehouse: Path, out: Path, *, topojson_path: Path | None = None) -> int:
    """Render the report of `warehouse` into `out`; returns the number of incidents."""
    topojson = None
    if topojson_path is not None:
        try:
            topojson = json.loads(Path(topojson_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ReportError(f"cannot read topojson {topojson_path}: {exc}") from exc
        if not isinstance(topojson, dict) or topojson.get("type") != "Topology":
            raise ReportError(f"{topojson_path} is not a TopoJSON Topology")
    incidents = load_incidents(warehouse)
    page = build_html(incidents, warehouse=warehouse, topojson=topojson)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        raise ReportError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return len(incidents)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.report",
                                     description="Write a static HTML report of a warehouse's incidents.")
    parser.add_argument("--warehouse", help="DuckDB file (default: $INCIDENT_WAREHOUSE or warehouse/incidents.duckdb)")
    parser.add_argument("--out", help=f"HTML file to write (default: {DEFAULT_OUT.relative_to(PROJECT_ROOT)})")
    parser.add_argument("--topojson", help="plotly-format world topojson (e.g. world_110m.json) to draw "
                                           "country outlines on the map; embedded in the page")
    args = parser.parse_args(argv)
    warehouse = Path(args.warehouse).expanduser().resolve() if args.warehouse else load_settings().warehouse
    out = Path(args.out).expanduser().resolve() if args.out else DEFAULT_OUT
    try:
        n = write_report(warehouse, out, topojson_path=Path(args.topojson) if args.topojson else None)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {n} incidents -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
