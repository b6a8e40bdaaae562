"""Bản đồ / Map: districts coloured by a measure, communes at their points, the roadmap replayed year by year,
drill-down to a district or a commune, and the province's own commune boundaries."""

import pandas as pd
import streamlit as st

import ntm.maps
import ntm.period
import ui
import ui_plot
from ntm import boundaries, fmt, geo, imports, maps, store
from ntm.errors import DataError
from ntm.i18n import t

f = ui.filters()
if ui.merged_page("map"):  # a province merged in 2025: its view across the reform
    st.stop()
lang, province, as_of = f["lang"], f["province"], f["as_of"]
code = province.code
st.title(t("map_page_title", lang))
if not geo.has_districts(code):  # e.g. the national illustrative database: boundaries for four provinces only
    st.info(t("map_no_boundaries", lang))
    st.stop()
left, right = st.columns([2, 3])
measure = left.selectbox(t("measure", lang), maps.MEASURES, key="map_measure",
                         format_func=lambda m: t(f"measure_{m}", lang))
first, last = ui.cached(ntm.period.first_recognition_year), ui.cached(ntm.period.target_year, as_of)
year = right.slider(t("map_year", lang), first, last, value=min(as_of, last), key="map_year")
districts = ui.cached(ntm.maps.district_values, province, year, measure)
communes = ui.cached(ntm.maps.commune_states, province, year)
listed = set(communes["district_code"])
with_communes = {d.code: d for d in ui.cached(store.unit_list, "district", code) if d.code in listed}
WHOLE = ""  # the filter's option for the whole province (None would read as no choice made)
if st.session_state.get("map_district") not in with_communes:  # another province's, or none yet
    st.session_state["map_district"] = WHOLE
chosen_district = st.session_state["map_district"]  # a district's code: the filter's and a click's
shown = communes[communes["district_code"] == chosen_district] if chosen_district else communes
own = boundaries.load(code)
source = maps.source_text(ui.cursor(), communes, lang)  # the documents behind the communes shown
fig = maps.figure(province, districts, measure, shown, year, source, lang, own, name_communes=bool(chosen_district))

map_col, side = st.columns([3, 1])
with map_col:
    clicked = ui_plot.show(fig, "map", t("chart_not_loaded", lang), clicks=True, config={"scrollZoom": True})
    st.caption(t("map_select_hint", lang))
    ui.chart_downloads(fig, f"ban-do-{code}-{measure}-{year}", f"{t('year', lang)}: {year}")
    st.caption(geo.attribution(lang))
for point in clicked:  # a click is reported once: the run it causes reads it, the next does not
    if point.get("customdata"):
        st.switch_page("views/communes.py", query_params={**st.query_params.to_dict(), "commune": point["customdata"]})
    elif point.get("location") in with_communes and point["location"] != chosen_district:
        st.session_state["map_district"] = point["location"]  # the filter below shows it
        st.rerun()

with side:
    st.markdown(f"**{t('map_counts', lang, year=year)}**")
    for c in ui.cached(ntm.maps.province_counts, province, year, lang):
        st.markdown("- " + t("map_count_line", lang, level=t(f"level_{c['level']}", lang),
                                  actual=fmt.number(c["actual"], 0, lang) if c["actual"] is not None else "–",
                                  planned=fmt.number(c["with_planned"], 0, lang)
                                  if c["with_planned"] is not None else "–"))
        if c["stock"] and c["actual"] is None:
            ui.source_lines([t("stock_line", lang, value=c["stock"]["value"], year=c["stock"]["year"],
                               basis=f" — {c['stock']['basis']}" if c["stock"]["basis"] else "")
                             + f" · {c['stock']['citation']}"])
    st.selectbox(t("map_district_filter", lang), [WHOLE, *with_communes], key="map_district",
                 format_func=lambda c: with_communes[c].name if c else t("whole_province", lang))
    offshore = geo.offshore(code)
    if offshore:
        st.info(t("map_offshore", lang, names=", ".join(offshore)))
    missing = shown[shown["lat"].isna()]
    if len(missing):
        st.markdown(f"**{t('map_no_point', lang)}** ({len(missing)})")
        st.caption(ui.literal(", ".join(f"{r['name']} ({r['district']})" for r in missing.to_dict("records"))))

raw = pd.DataFrame({t("col_commune", lang): shown["name"], t("district", lang): shown["district"],
                    t("col_status_level", lang): [t(f"level_{lv}", lang) + " · " + t(f"kind_{k}", lang) if lv else
                                                  t("map_not_yet" if k == "none" else "map_unknown", lang)
                                                  for lv, k in zip(shown["level"], shown["kind"], strict=True)],
                    t("col_year", lang): shown["year"], "GSO": shown["code"]})
ui.table(ui.formatted(raw, lang, plain=(t("col_year", lang),)), raw, f"ban-do-xa-{code}-{year}",
         t("map_title", lang, province=province.name, year=year, measure=t(f"measure_{measure}", lang)), source)

with st.expander(t("upload_title", lang), expanded=own is not None):
    st.caption(t("upload_help", lang))
    editor = (st.session_state.get("user") or {}).get("role") == "editor"  # signed in on views/imports.py
    if own:
        meta = own.get("ntm", {})
        st.success(t("upload_saved", lang, n=len(own["features"])))
        st.text(f"{t('upload_source', lang)}: {meta.get('source', '')}\n{t('upload_licence', lang)}: "
                f"{meta.get('licence', '')}")
        if editor and st.button(t("upload_remove", lang), key="boundary_remove"):
            boundaries.remove(code)
            imports.remove_boundaries(code, st.session_state["user"]["name"])
            st.rerun()
    if not editor:
        st.info(t("upload_needs_editor", lang))
        st.stop()
    upload = st.file_uploader("GeoJSON / .zip / .gpkg", type=["geojson", "json", "zip", "gpkg"], key="boundary_file")
    source_in = st.text_input(t("upload_source", lang), key="boundary_source", max_chars=500)
    licence_in = st.text_input(t("upload_licence", lang), key="boundary_licence", max_chars=200)
    if upload is not None and st.button(t("upload_check", lang), key="boundary_check"):
        st.session_state.pop("boundary_pending", None)
        try:  # the upload's bytes and name are handed over as data: its name never becomes a path
            frame = boundaries.read_upload(upload.getvalue(), upload.name)
            report = boundaries.match(frame, store.units(ui.cursor()), code, upload.name)
            st.session_state["boundary_pending"] = (boundaries.prepare(frame, report), report)
        except DataError as exc:
            ui.problems(exc, lang)
    pending = st.session_state.get("boundary_pending")
    if pending:
        collection, report = pending
        st.info(t("upload_report", lang, matched=report["matched"], features=report["features"],
                  missing=len(report["communes_without_feature"]), ambiguous=len(report["ambiguous"])))
        if report["unmatched"]:
            ui.dataframe(pd.DataFrame(report["unmatched"][:200]).rename(
                columns={"feature": t("upload_feature", lang), "written": t("upload_written", lang)}))
        confirm = False
        if own and len(own["features"]) > report["matched"]:
            confirm = st.checkbox(t("upload_confirm_replace", lang, old=len(own["features"]), new=report["matched"]),
                                  key="boundary_confirm")
        if not report["matched"]:
            st.warning(t("upload_nothing_matched", lang))
        elif st.button(t("upload_save", lang), key="boundary_save"):
            if not source_in.strip() or not licence_in.strip():
                st.error(t("upload_needs_source", lang))
            else:
                try:
                    boundaries.save(code, collection, source_in, licence_in, report, replace_confirmed=confirm)
                    imports.record_boundaries(code, upload.getvalue(), upload.name, st.session_state["user"]["name"],
                                              report["matched"], source_in, licence_in)
                    st.session_state.pop("boundary_pending", None)
                    st.rerun()
                except DataError as exc:
                    ui.problems(exc, lang)
