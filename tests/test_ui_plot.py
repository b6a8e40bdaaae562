"""The charts on screen: drawn by plotly's partial bundles in static/ (ui_plot.py), which must be the files
static/README.md names, of the plotly.js version the exports use, and able to draw every trace a page sends."""

import hashlib
import json
import re
from pathlib import Path

import plotly
import pytest
from test_app import _figures, _open

import ui_plot
from conftest import ROOT

STATIC = ROOT / "static"


def _traces(bundle: str) -> set[str]:
    """The trace types a bundle registers (its modules are declared as moduleType:"trace",name:"…")."""
    text = (STATIC / ui_plot.BUNDLES[bundle]).read_text(encoding="utf-8")
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', text))


def test_the_bundles_are_the_files_the_readme_names_at_the_exports_version():
    readme = (STATIC / "README.md").read_text(encoding="utf-8")
    full = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")[:200]
    version = re.search(r"plotly\.js v(\S+)", full).group(1)
    for name in ui_plot.BUNDLES.values():
        data = (STATIC / name).read_bytes()
        assert f"v{version}\n" in data[:200].decode(), name  # the same plotly.js as the exports (kaleido)
        assert f"`{name}` | `plotly.js-" in readme and hashlib.sha256(data).hexdigest() in readme, name
    assert "MIT License" in (STATIC / "PLOTLY-LICENSE").read_text(encoding="utf-8")
    assert "enableStaticServing = true" in (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")


def test_the_bundles_draw_what_the_charts_need():
    assert {"bar", "scatter", "heatmap"} <= _traces("cartesian")
    assert {"choropleth", "scattergeo"} <= _traces("geo")


@pytest.mark.parametrize(("page", "province", "count", "clicks"),
                         [("criteria_by_district", "58", 2, False), ("roadmap", "58", 1, False),
                          ("funding", "58", 1, False), ("map", "58", 1, True),
                          ("map", "56@2025-07-01", 1, False)])  # a merged province's map: no district to filter
def test_every_figure_a_page_draws_is_in_its_bundle(page, province, count, clicks):
    at = _open(page, province=province)
    elements = [json.loads(e.proto.json) for e in at.get("bidi_component")]
    figures = _figures(at)
    assert len(figures) >= count
    for data, figure in zip(elements, figures, strict=True):
        bundle = "geo" if data["src"].endswith("plotly-geo.min.js") else "cartesian"
        assert data["src"] == f"/app/static/{ui_plot.BUNDLES[bundle]}"
        assert {trace["type"] for trace in figure["data"]} <= _traces(bundle)
        assert data["config"]["topojsonURL"].startswith("data:")  # no world file fetched from plotly's CDN
        assert data["clicks"] == clicks  # only the map's own clicks come back to the page
        assert data["failed"] == "Không tải được biểu đồ: hãy tải lại trang."
        for axis in ("xaxis", "yaxis"):  # the labels make room for themselves ("Ngân sách trung ương" was cut off)
            assert figure["layout"].get(axis, {"automargin": True}).get("automargin") is True, (page, axis)
    if page == "funding":  # amounts as officials write them: "300.000", not plotly's "300k"
        assert figures[0]["layout"]["xaxis"]["tickformat"] == ",.0f" and figures[0]["layout"]["separators"] == ",."
