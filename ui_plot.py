"""A plotly figure on a page, drawn by the partial plotly.js bundle it needs.

Streamlit's own chart element loads its full plotly.js (4,7 MB): evaluating it took 0,85-0,9 s of a new tab's main
thread on this machine, so a chart page drew its chart 2,5-3,2 s after the tab opened (bench/README.md). The
figures are the same plotly figures as the exports; on screen they are drawn by a small Streamlit component with
plotly's published partial bundles, served by Streamlit from `static/` (MIT, plotly.js 4.1.1 as the plotly package's
own): `cartesian` (bar, scatter, heatmap: 1,5 MB) or `geo` (choropleth, scattergeo: 1,4 MB). Nothing is fetched
from the network: a geo figure's basemap is switched off by `topojsonURL` (ntm.geo.NO_BASEMAP).

The figure goes to the browser as plotly's JSON and is drawn by `Plotly.react`, as Streamlit's element does; its
texts are data (annotations are escaped by ntm.charts.wrap). A click on a figure drawn with `clicks=True` comes
back once, as the point's location and customdata.
"""

import streamlit as st

from ntm import charts, geo

BUNDLES = {"cartesian": "plotly-cartesian.min.js", "geo": "plotly-geo.min.js"}
CONFIG = {"displaylogo": False, "responsive": True, "topojsonURL": geo.NO_BASEMAP}

_JS = """
export default function ({ data, parentElement, setTriggerValue }) {
  const bundles = (window.__ntmPlotly ??= {});
  const load = (src) => (bundles[src] ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve(window.Plotly);  // each bundle sets window.Plotly: kept as it was loaded
    script.onerror = () => { delete bundles[src]; script.remove(); reject(); };  // the next run tries again
    document.head.appendChild(script);
  }));
  let root = parentElement.querySelector(".ntm-figure");
  if (!root) {
    root = document.createElement("div");
    root.className = "ntm-figure";
    parentElement.appendChild(root);
  }
  root.style.minHeight = data.height + "px";  // the page keeps its place while the bundle loads
  root.ntmTrigger = setTriggerValue;
  let live = true;
  load(data.src).then((Plotly) => {
    if (!live) return;
    const figure = JSON.parse(data.figure);
    Plotly.react(root, figure.data, figure.layout, data.config);
    if (!root.ntmResize) {  // the column's width changes with the sidebar too, not only with the window
      root.ntmResize = new ResizeObserver(() => root.isConnected && Plotly.Plots.resize(root));
      root.ntmResize.observe(root);
    }
    if (data.clicks && !root.ntmClicks) {
      root.ntmClicks = true;
      root.on("plotly_click", (event) => root.ntmTrigger("click", event.points.map((p) => (
        { location: p.location ?? null, customdata: p.customdata ?? null }))));
    }
  }, () => { if (live) root.textContent = data.failed; });  // text, never markup
  return () => { live = false; };
}
"""

_component = st.components.v2.component("ntm_plot", js=_JS, isolate_styles=False)  # plotly styles the page


def bundle(fig) -> str:
    return "geo" if charts.is_map(fig) else "cartesian"


def show(fig, key: str, failed: str, clicks: bool = False, config: dict | None = None) -> list[dict]:
    """Draw `fig` (its own height, the column's width), or say `failed` where its bundle cannot be loaded; the
    points clicked, when `clicks` and a click made this run, else []."""
    base = st.get_option("server.baseUrlPath").strip("/")
    src = f"{'/' + base if base else ''}/app/static/{BUNDLES[bundle(fig)]}"
    data = {"figure": fig.to_json(), "src": src, "config": {**CONFIG, **(config or {})}, "clicks": clicks,
            "height": fig.layout.height or 450, "failed": failed}
    result = _component(key=key, data=data, on_click_change=(lambda: None) if clicks else None)
    return (result.click if clicks else None) or []
