"""Plotly figures for the dashboard and its exports (title, legend and source inside the figure)."""

from __future__ import annotations

import html
import textwrap
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from ntm import fmt
from ntm.i18n import t

if TYPE_CHECKING:  # a type only: the charts do not load the domain
    from ntm.progress import RoadmapView

PALETTE = {"primary": "#0072B2", "reference": "#D55E00", "muted": "#999999"}  # Okabe-Ito, colour-blind safe
FONT = "Times New Roman, Liberation Serif, serif"


def is_map(fig: go.Figure) -> bool:
    """A map (drawn on plotly's geo: A4 height in a report, plotly's geo bundle on screen) rather than a chart."""
    return any(trace.type in ("choropleth", "scattergeo") for trace in fig.data)


def wrap(text: str, width: int = 120) -> str:
    """Break a long source line for a figure annotation (plotly does not wrap text). The text is data (a citation
    may hold an uploaded file's name): plotly reads tags in it (<a href>, <b>), so it is escaped; plotly shows the
    entities as the characters."""
    return "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(text, width))


def district_average_bar(result: dict, source_text: str, lang: str = "vi") -> go.Figure:
    """Average criteria per commune by district, with the province average as a line."""
    districts = sorted(result["districts"], key=lambda d: d["avg_criteria"] or 0)
    names = [d["district"] for d in districts]
    values = [d["avg_criteria"] for d in districts]
    fig = go.Figure(go.Bar(x=values, y=names, orientation="h", marker_color=PALETTE["primary"],
                           text=[fmt.number(v, 2, lang) for v in values], textposition="inside",
                           insidetextanchor="end", textfont=dict(color="white"), showlegend=False,
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    total = result["total"]
    if total and total["avg_criteria"] is not None:
        label = t("province_avg_line", lang, value=fmt.number(total["avg_criteria"], 2, lang))
        fig.add_vline(x=total["avg_criteria"], line=dict(color=PALETTE["reference"], dash="dash", width=2),
                      annotation=dict(text=label, font=dict(color=PALETTE["reference"])),
                      annotation_position="top")
    fig.update_layout(
        title=dict(text=t("chart_avg_title", lang, province=result["province"]["name"], year=result["year"])),
        separators=",." if lang == "vi" else ".,", font=dict(family=FONT, size=14),
        xaxis=dict(title=t("axis_avg", lang), range=[0, 20.5], dtick=2), yaxis=dict(title=None),
        plot_bgcolor="white", margin=dict(l=10, r=30, t=90, b=150), height=480)
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    fig.add_annotation(text=wrap(source_text), xref="paper", yref="paper", x=0, y=-0.3, showarrow=False,
                       xanchor="left", yanchor="top", align="left", font=dict(size=11, color="#444"))
    fig.update_xaxes(showgrid=True, gridcolor="#e5e5e5")
    return fig


STATUS_COLOURS = {"achieved": "#009E73", "on_track": "#56B4E9", "at_risk": "#E69F00", "off_track": "#D55E00",
                  "no_data": "#999999"}
LEVEL_COLOURS = {"ntm": "#0072B2", "nang_cao": "#009E73", "kieu_mau": "#CC79A7"}
KIND_STYLE = {"actual": dict(dash="solid", width=3), "planned": dict(dash="dash", width=2),
              "projected": dict(dash="dot", width=2)}


def _layout(fig: go.Figure, title: str, source_text: str, lang: str, height: int = 460) -> go.Figure:
    fig.update_layout(title=dict(text=title), separators=",." if lang == "vi" else ".,",
                      font=dict(family=FONT, size=14), plot_bgcolor="white", height=height,
                      margin=dict(l=10, r=30, t=80, b=130),
                      legend=dict(orientation="h", yanchor="top", y=-0.16, x=0))
    fig.add_annotation(text=wrap(source_text), xref="paper", yref="paper", x=0, y=-0.34, showarrow=False,
                       xanchor="left", yanchor="top", align="left", font=dict(size=11, color="#444"))
    # the axes' labels and titles make room for themselves (a funding source's name, the count axis' title), on
    # screen as in the export: the figure's own margins are too narrow for them
    fig.update_xaxes(showgrid=True, gridcolor="#e5e5e5", automargin=True)
    fig.update_yaxes(showgrid=True, gridcolor="#e5e5e5", automargin=True)
    return fig


def trajectory(view: RoadmapView, unit_name: str, source_text: str, lang: str = "vi") -> go.Figure:
    """Cumulative communes per year: actual (solid), planned (dashed), projected at pace (dotted), with the
    target lines; a planned or projected line starts from the last actual point."""
    level = view["level"]
    if not view.get("cumulative_known", True):
        return increments(view, unit_name, source_text, lang)
    fig = go.Figure()
    years = [y for y in view["years"] if y["year"] is not None]
    last_actual = [y for y in years if y["kind"] == "actual"][-1:] if years else []
    for kind in ("actual", "planned", "projected"):
        points = [y for y in years if y["kind"] == kind]
        if not points:
            continue
        if kind != "actual":
            points = last_actual + points
        fig.add_trace(go.Scatter(
            x=[p["year"] for p in points], y=[p["cumulative"] for p in points], mode="lines+markers",
            name=t(f"kind_{kind}", lang), line=dict(color=LEVEL_COLOURS[level] if kind != "projected" else
                                                    PALETTE["muted"], **KIND_STYLE[kind]),
            text=[fmt.number(p["share_pct"], 1, lang) + " %" if p.get("share_pct") is not None else "" for p in points],
            hovertemplate="%{x}: %{y} (%{text})<extra>" + t(f"kind_{kind}", lang) + "</extra>"))
    seen = set()
    for line in view["target_lines"]:
        if line["count"] is None or (line["year"], round(line["count"], 1)) in seen:
            continue
        seen.add((line["year"], round(line["count"], 1)))
        label = t("target_line", lang, year=line["year"], share=fmt.number(line["share_pct"], 1, lang) + " %")
        fig.add_trace(go.Scatter(x=[line["year"]], y=[line["count"]], mode="markers", name=label,
                                 marker=dict(symbol="line-ew-open", size=26, color=PALETTE["reference"],
                                             line=dict(width=3)),
                                 hovertemplate=label + ": %{y:.1f}<extra></extra>"))
    title = t("trajectory_title", lang, level=t(f"level_{level}", lang), unit=unit_name)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(title=t("axis_communes", lang), rangemode="tozero")
    return _layout(fig, title, source_text, lang)


def increments(view: RoadmapView, unit_name: str, source_text: str, lang: str = "vi") -> go.Figure:
    """Where no document states how many communes were already at the level, the listed recognitions and plans
    are shown as what they are — communes added per year — and never against a cumulative target."""
    level = view["level"]
    fig = go.Figure()
    for kind in ("actual", "planned"):
        points = [y for y in view["years"] if y["kind"] == kind and y["year"] is not None]
        if points:
            fig.add_trace(go.Bar(x=[p["year"] for p in points], y=[p["new"] for p in points],
                                 name=t(f"kind_{kind}", lang), text=[p["new"] for p in points],
                                 marker=dict(color=LEVEL_COLOURS[level], opacity=1 if kind == "actual" else 0.45),
                                 hovertemplate="%{x}: %{y}<extra>" + t(f"kind_{kind}", lang) + "</extra>"))
    fig.add_annotation(text=t("stock_not_stated", lang), xref="paper", yref="paper", x=0, y=1.08,
                       showarrow=False, xanchor="left", font=dict(size=12, color=PALETTE["reference"]))
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(title=t("axis_communes_new", lang), rangemode="tozero")
    title = t("increments_title", lang, level=t(f"level_{level}", lang), unit=unit_name)
    return _layout(fig, title, source_text, lang)


def funding_mix(group: dict, source_text: str, lang: str = "vi") -> go.Figure:
    """Funding by source, largest first, with each share; the title says what the amounts are (planned, need,
    allocated, mobilized or disbursed), as the document states them."""
    rows = sorted(group["by_source"], key=lambda b: b["amount"])
    fig = go.Figure(go.Bar(
        x=[b["amount"] for b in rows], y=[t(f"src_{b['source']}", lang) for b in rows], orientation="h",
        marker_color=PALETTE["primary"], showlegend=False,
        text=[f"{fmt.number(b['amount'], 0, lang)} ({fmt.number(b['share_pct'], 2, lang)} %)" for b in rows],
        textposition="auto", hovertemplate="%{y}: %{text}<extra></extra>"))
    period = t("in_year", lang, year=group["year"]) if group["year"] is not None else t("year_all", lang)
    fig.update_xaxes(title=t("axis_mvnd", lang), tickformat=",.0f")  # "300.000" as officials write it, not "300k"
    title = t("mix_title", lang, kind=t(f"mix_kind_{group['kind']}", lang), unit=group["unit"], period=period)
    return _layout(fig, title, source_text, lang)


def heatmap(shares: pd.DataFrame, targets: dict[str, float], source_text: str, lang: str = "vi",
            names: dict[str, str] | None = None, coverage: dict[str, tuple] | None = None,
            target_year: int | None = None) -> go.Figure:
    """Share of communes meeting each criterion (rows, with their names) by district (columns, each with the n of
    N communes it is computed from); the province's target per criterion (for `target_year`) is the last column."""
    names, coverage = names or {}, coverage or {}
    columns = [f"{d} ({coverage[d][0]}/{coverage[d][1] or '–'} {t('communes_unit', lang)})" if d in coverage else d
               for d in shares.columns]
    z = shares.to_numpy().tolist()
    labels = [[fmt.number(v, 0, lang) + " %" if v == v else "–" for v in row] for row in z]
    target_col = [targets.get(c) for c in shares.index]
    fig = go.Figure(go.Heatmap(
        z=[[*row, tc] for row, tc in zip(z, target_col, strict=True)],
        x=[*columns, f"{t('col_target', lang)} {target_year or ''}".strip()],
        y=[f"{c}. {names[c]}" if c in names else f"{t('criterion_short', lang)} {c}" for c in shares.index],
        text=[[*row, fmt.number(tc, 0, lang) + " %" if tc is not None else "–"] for row, tc in
              zip(labels, target_col, strict=True)],
        texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=100, showscale=False,
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True, dtick=1)  # every row named, on screen and in the PNG
    title = t("heatmap_title", lang, year=target_year or "")
    return _layout(fig, title, source_text, lang, height=220 + 28 * len(shares))
