"""Plotly figures for the dashboard and its exports (title, legend and source inside the figure)."""

import textwrap

import plotly.graph_objects as go

from ntm import fmt
from ntm.i18n import t

PALETTE = {"primary": "#0072B2", "reference": "#D55E00", "muted": "#999999"}  # Okabe-Ito, colour-blind safe
FONT = "Times New Roman, Liberation Serif, serif"


def wrap(text: str, width: int = 120) -> str:
    """Break a long source line for a figure annotation (plotly does not wrap text)."""
    return "<br>".join(textwrap.wrap(text, width))


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
        plot_bgcolor="white", margin=dict(l=10, r=30, t=90, b=110), height=460)
    fig.add_annotation(text=wrap(source_text), xref="paper", yref="paper", x=0, y=-0.2, showarrow=False,
                       xanchor="left", yanchor="top", align="left", font=dict(size=11, color="#444"))
    fig.update_xaxes(showgrid=True, gridcolor="#e5e5e5")
    return fig
