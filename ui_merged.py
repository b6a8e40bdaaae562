"""Streamlit glue for a province merged in 2025 (whole scope): each page's view across the reform. The old
provinces' own pages stay as they were (choose one under "Scope"); nothing here assumes a district."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ntm.communes
import ntm.funding
import ntm.merged
import ntm.quality
import ntm.sources
import ntm.store
import ntm.timeline
import ui
from ntm import boundaries, fmt, geo
from ntm.charts import FONT, LEVEL_COLOURS, wrap
from ntm.i18n import t
from ntm.maps import LEVEL_RANK, NOT_YET, labels
from ntm.names import normalize
from ntm.unit import Unit
from ntm.unit_history import REFORM_YEAR

MEASURE_LABELS = {"ntm": "level_ntm", "nang_cao": "level_nang_cao", "kieu_mau": "level_kieu_mau",
                  "communes": "m_communes", "total_criteria": "m_total_criteria", "avg_criteria": "m_avg_criteria"}


def type_label(kind: str, lang: str) -> str:
    return t("type_" + normalize(kind).replace(" ", "_"), lang)


def render(page: str, f: dict) -> None:
    province, lang = f["merged"], f["lang"]
    st.title(t("merged_title", lang, name=province.name))
    parts = ui.cached(ntm.merged.parts, province)
    names = ui.literal(", ".join(p.name for p in parts))
    st.caption(t("merged_made_of", lang, parts=names, basis=t("merger_basis", lang)))
    missing = [p.name for p in parts if not p.in_units]
    if missing:
        st.caption(t("merged_no_data_part", lang, parts=ui.literal(", ".join(missing))))
    {"overview": _overview, "criteria_by_district": _units, "communes": _communes, "map": _map,
     "roadmap": _roadmap, "funding": _funding, "quality": _quality}[page](province, f, parts)
    with st.sidebar:
        st.caption(t("boundary_attribution", lang))


def _history_table(province: Unit, f: dict, parts: list[Unit]) -> None:
    lang = f["lang"]
    st.subheader(t("merged_history", lang))
    history = ui.cached(ntm.merged.history, province, f["as_of"], lang)
    if not history["rows"]:
        st.info(t("no_data_here", lang))
        return
    rows = pd.DataFrame(history["rows"])
    raw = pd.DataFrame({t("col_measure", lang): rows["measure"].map(lambda m: t(MEASURE_LABELS[m], lang)),
                        t("col_year", lang): rows["year"]})
    for p in parts:
        raw[p.name] = rows[p.code]
    raw[t("col_combined", lang)] = rows["combined"]
    ui.table(ui.formatted(raw, lang, plain=(t("col_year", lang),)), raw,  # counts as counts, averages as written
             f"lich-su-{province.code}", t("merged_history", lang), " · ".join(history["sources"]))
    st.caption(t("merged_history_note", lang))
    ui.source_lines(history["sources"][:4])


def _overview(province: Unit, f: dict, parts: list[Unit]) -> None:
    lang = f["lang"]
    units = ui.cached(ntm.merged.units_on, province, f["units_date"])
    types = units["type"].value_counts()
    st.subheader(t("merged_units_count", lang, n=len(units), date=fmt.date_text(f["units_date"], lang),
                   types=", ".join(f"{type_label(k, lang)} {n}" for k, n in types.items())))
    st.caption(t("merged_no_districts", lang))
    _history_table(province, f, parts)
    _period(f)


def _period(f: dict) -> None:
    lang = f["lang"]
    info = ui.cached(ntm.merged.period_info, f["units_date"])
    if info is None:
        return
    st.markdown(t("merged_period", lang, period=info["period"], programme=ui.literal(info[f"programme_{lang}"]),
                  set=t(f"set_{info['commune_set']}", lang), n=info["n_criteria"] or "–",
                  m=info["n_indicators"] or "–"))
    targets = [t(f"target_{r['level']}", lang, v=fmt.number(r["value"], None, lang)) for r in info["targets"]
               if r["level"]]
    if targets:
        st.caption(t("merged_targets", lang, year=info["target_year"], targets="; ".join(targets),
                     source=ui.literal(info["targets"][0]["legal_source"])))


def _status_text(r: dict, lang: str, by_year: int) -> str:
    if r["n_with_facts"] == 0 or r["n_with_facts"] != r["n_with_facts"]:
        return t("last_status_no_facts", lang)
    text = t("last_status_line", lang, n=int(r["n_ntm"]), m=int(r["n_xa"]), year=by_year)
    return text if r["all_whole"] else f"{text} — {t('last_status_part', lang)}"


def _units_frame(province: Unit, f: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    lang = f["lang"]
    units = ui.cached(ntm.merged.units_on, province, f["units_date"])
    st.subheader(t("merged_units_title", lang))
    st.caption(t("merged_no_districts", lang))
    if f"became_{lang}" in units:  # a date before the merger: the old units and what each became
        raw = pd.DataFrame({t("col_old_unit", lang): units["full_name"], t("col_old_districts", lang):
                            units["district_name"], t("province", lang): units["old_province"],
                            t("col_new_unit", lang): units[f"became_{lang}"].fillna("–"), "GSO": units["code"]})
        return units, raw
    groups = sorted({d for ds in units["old_districts"] for d in ds})
    group = st.selectbox(t("old_district_filter", lang), [None, *groups], key="merged_old_district",
                         format_func=lambda g: t("all_units", lang) if g is None else g)
    shown = units[units["old_districts"].map(lambda ds: group in ds)] if group else units
    by_year = min(f["as_of"], REFORM_YEAR)
    raw = pd.DataFrame({t("col_new_unit", lang): shown["full_name"], t("col_type", lang): shown["type"].map(
                            lambda k: type_label(k, lang)),
                        t("col_components", lang): shown[f"components_{lang}"].fillna("–"),
                        t("col_old_districts", lang): shown["old_districts"].map(", ".join),
                        t("col_last_status", lang): [_status_text(r, lang, by_year)
                                                      for r in shown.to_dict("records")],
                        "GSO": shown["code"]})
    return shown, raw


def _units(province: Unit, f: dict, parts: list[Unit]) -> None:
    _, raw = _units_frame(province, f)
    ui.table(raw, raw, f"don-vi-{province.unit_id}-{f['units_date']}", t("merged_units_title", f["lang"]),
             _units_sources(parts, f["lang"]))


def _communes(province: Unit, f: dict, parts: list[Unit]) -> None:
    lang = f["lang"]
    shown, raw = _units_frame(province, f)
    ui.table(raw, raw, f"xa-moi-{province.unit_id}", t("merged_units_title", lang), _units_sources(parts, lang))
    if f"became_{lang}" in shown or shown.empty:
        return
    st.subheader(t("merged_unit_detail", lang))
    ids = shown["unit_id"].tolist()
    names = dict(zip(shown["unit_id"], shown["full_name"], strict=True))
    chosen = st.selectbox(t("col_new_unit", lang), ids, format_func=names.get, key="merged_unit_pick")
    comp = ui.cached(ntm.timeline.components, [chosen], min(f["as_of"], REFORM_YEAR))
    raw = pd.DataFrame({
        t("col_old_unit", lang): comp["old_name"], t("col_old_districts", lang): comp["old_district"],
        t("province", lang): comp["old_province"], t("col_extent", lang): comp["extent"].map(
            lambda e: t(f"extent_{e}", lang)),
        t("col_last_status", lang): [t(f"level_{lv.removeprefix('xa_')}", lang) + f" ({int(y)})"
                                     if isinstance(lv, str) else t("not_recorded" if known else "no_data_unit", lang)
                                     for lv, y, known in zip(comp["last_level"], comp["last_year"],
                                                             comp["old_in_units"], strict=True)],
        t("via", lang).capitalize(): comp["via"].fillna("–"),
        t("col_legal_basis", lang): comp["legal_basis"] + (" k." + comp["item"]).fillna(""),
        t("col_check", lang): comp["checked"].map(lambda c: t(f"check_{c}", lang)),
        t("col_source", lang): [f"{d}:{int(line)}" if isinstance(d, str) else "–"
                                for d, line in zip(comp["doc_id"], comp["line"], strict=True)]})
    ui.table(raw, raw, f"thanh-phan-{chosen.split('@')[0]}", names[chosen], t("units_2025_attribution", lang))


def _map(province: Unit, f: dict, parts: list[Unit]) -> None:
    lang = f["lang"]
    points = ui.cached(ntm.merged.component_points, province, f["units_date"])
    fig = go.Figure()
    for part in parts:
        if geo.has_districts(part.code):
            shape = geo.clockwise(geo.districts(part.code))
            fig.add_trace(go.Choropleth(
                geojson=shape, locations=[x["id"] for x in shape["features"]], z=[0] * len(shape["features"]),
                colorscale=[[0, "#F2F2F2"], [1, "#F2F2F2"]], showscale=False, name=part.name,
                marker=dict(line=dict(width=1, color="#999999")), hoverinfo="skip"))
    levels = dict(zip(points["old_id"], points["last_level"], strict=False))
    for part in [p for p in parts if p.in_units]:  # an old province's own uploaded commune boundaries
        own = boundaries.load(part.code)
        if own:
            ids = [x["id"] for x in own["features"]]
            own = geo.clockwise(own)
            fig.add_trace(go.Choropleth(
                geojson=own, locations=ids, showscale=False, zmin=0, zmax=3, name=t("map_commune_polygons", lang),
                z=[LEVEL_RANK.get(str(levels.get(i) or "").removeprefix("xa_"), 0) for i in ids],
                colorscale=[[0, NOT_YET], [0.33, LEVEL_COLOURS["ntm"]], [0.66, LEVEL_COLOURS["nang_cao"]],
                            [1, LEVEL_COLOURS["kieu_mau"]]], marker=dict(opacity=0.7, line=dict(width=0.5,
                                                                                                  color="white"))))
    placed = points[points["lat"].notna()]
    for level, colour in [(None, "#888888")] + [(f"xa_{k}", c) for k, c in LEVEL_COLOURS.items()]:
        part = placed[placed["last_level"].isna()] if level is None else placed[placed["last_level"] == level]
        if part.empty:
            continue
        name = t("not_recorded", lang) if level is None else t(f"level_{level.removeprefix('xa_')}", lang)
        fig.add_trace(go.Scattergeo(
            lat=part["lat"], lon=part["lon"], mode="markers", name=name, marker=dict(size=9, color=colour),
            text=[f"<b>{r['old_name']}</b> → {r['new_name']} ({t('extent_' + r['extent'], lang)})"
                  for r in part.to_dict("records")], hovertemplate="%{text}<extra></extra>"))
    boxes = [geo.bbox(p.code) for p in parts if geo.has_districts(p.code)] or [
        (placed["lon"].min(), placed["lat"].min(), placed["lon"].max(), placed["lat"].max())]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    # each new commune's name at the centre of its old communes' points
    centres = placed.groupby("new_id").agg(lon=("lon", "mean"), lat=("lat", "mean"), n=("old_id", "size"))
    names = ui.cached(ntm.merged.unit_labels, province, f["units_date"])
    fig.add_trace(labels({r.Index: (r.lon, r.lat, r.n) for r in centres.itertuples()}, names, 9,
                         t("map_commune_names", lang), box))
    title = t("merged_map_title", lang, name=province.name)
    attribution = geo.attribution(lang)
    fig.update_layout(title=dict(text=title), geo=geo.layout(box), height=760, margin=dict(l=10, r=10, t=60, b=110),
                      font=dict(family=FONT, size=13), legend=dict(orientation="h", yanchor="top", y=-0.02, x=0))
    fig.add_annotation(text=wrap(f"{t('units_2025_attribution', lang)} · {attribution}", 150), xref="paper",
                       yref="paper", x=0, y=-0.13, showarrow=False, xanchor="left", yanchor="top", align="left",
                       font=dict(size=10, color="#444"))
    ui.chart(fig, f"ban-do-{province.code}-moi")
    st.caption(t("merged_map_note", lang))
    without = sorted(set(points["new_name"]) - set(placed["new_name"]))
    if without:
        st.markdown(f"**{t('merged_not_placed', lang, n=len(without))}**")
        st.text(", ".join(without))  # unit names as written, never markdown


def _roadmap(province: Unit, f: dict, parts: list[Unit]) -> None:
    _history_table(province, f, parts)
    _period(f)


def _funding(province: Unit, f: dict, parts: list[Unit]) -> None:
    lang = f["lang"]
    st.info(t("merged_funding_note", lang))
    rows, cited = [], []
    for part in [p for p in parts if p.in_units]:
        result = ui.cached(ntm.funding.funding, part, None, lang)
        cited += [x for g in result["groups"] for x in g["total_stated"] + g["by_source"] + g["items"]]
        rows += [{t("province", lang): part.name, t("col_unit", lang): g["unit"],
                  t("col_kind", lang): t("kind_" + g["kind"], lang), t("col_year", lang): g["year"],
                  t("col_amount", lang): g["total_computed"] if g["total_computed"] is not None else
                  (g["total_stated"][0]["amount"] if g["total_stated"] else None)} for g in result["groups"]]
    if not rows:
        st.info(t("no_data_here", lang))
        return
    raw = pd.DataFrame(rows)
    ui.table(ui.formatted(raw, lang, {t("col_amount", lang): 1}, plain=(t("col_year", lang),)), raw,
             f"von-{province.code}", t("funding_title", lang), _cited(cited, lang))


def _quality(province: Unit, f: dict, parts: list[Unit]) -> None:
    lang = f["lang"]
    rows, cited = [], []
    for part in [p for p in parts if p.in_units]:
        found = ui.cached(ntm.quality.findings, part, lang)
        cited += [s for x in found for s in x["sources"]]
        rows += [{t("province", lang): part.name, t("check", lang): t(f"check_{x['check']}", lang),
                  t("col_unit", lang): x["unit_name"], t("col_year", lang): x["year"],
                  t("col_message", lang): x["message_vi" if lang == "vi" else "message_en"],
                  t("col_sources", lang): " | ".join(s["citation"] for s in x["sources"][:2])}
                 for x in found]
    if not rows:
        st.info(t("no_data_here", lang))
        return
    raw = pd.DataFrame(rows)
    ui.table(ui.formatted(raw, lang, plain=(t("col_year", lang),)), raw, f"chat-luong-{province.code}",
             t("quality_title", lang), _cited(cited, lang))


def _cited(rows: list[dict], lang: str) -> str:
    """The documents and lines behind these rows (each with its doc_id and line), as citations."""
    return ntm.sources.of_rows(ntm.store.documents(ui.cursor()), pd.DataFrame(rows, columns=["doc_id", "line"]), lang)


def _units_sources(parts: list[Unit], lang: str) -> str:
    """The 2025 units and their crosswalk (dvhcvn, checked against the resolutions), then the documents behind
    the old units' statuses."""
    return " · ".join([t("units_2025_attribution", lang)]
                      + [ui.cached(ntm.communes.source_text, part, lang) for part in parts if part.in_units])
