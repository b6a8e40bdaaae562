"""Tiêu chí theo huyện / Criteria by district: communes by criteria group, total and average per district."""

import streamlit as st

import ntm.communes
import ntm.store
import ntm.summary
import ui
from ntm import charts
from ntm.criteria import SET_NTM
from ntm.i18n import t
from ntm.tables import summary_table

f = ui.filters()
if ui.merged_page("criteria_by_district"):  # a province merged in 2025: its view across the reform
    st.stop()
lang, province = f["lang"], f["province"]
year = ui.year_filter(ui.cached(ntm.store.summary_years, province.code, SET_NTM), lang, province.code)

st.title(t("criteria_by_district_title", lang))
if year is None:
    st.info(t("no_data", lang))
    st.stop()

result = ui.cached(ntm.summary.summary, province, year, lang=lang)
st.subheader(f"{province.name} — {t('year', lang).lower()} {year}")
basis = result["total"]["basis"] if result["total"] else "reported"
st.caption(t(f"basis_{basis}", lang))
if not all(d.get("set_stated", True) for d in result["districts"]):
    st.caption(t("set_not_stated", lang))
if any(d["basis"] == "computed_partial" for d in result["districts"]):
    st.warning(t("basis_partial", lang))
st.table(summary_table(result, lang).style.set_properties(**{"text-align": "right"}))
ui.source_lines(result["sources"])
raw = summary_table(result, lang, formatted=False)
ui.table(None, raw.reset_index(), f"nhom-xa-{province.code}-{year}", t("criteria_by_district_title", lang),
         " · ".join(s["citation"] for s in result["sources"]), extra_filter=f"{t('year', lang)}: {year}")

for entry in result["districts"] + ([result["total"]] if result["total"] else []):
    if entry.get("checks"):
        st.warning(t("check_failed", lang, details=entry["checks"]))
    if entry.get("differences"):
        st.warning(t("differences", lang, details=entry["differences"]))

source_text = " · ".join(s["citation"] for s in result["sources"])
whole = [d for d in result["districts"] if d["basis"] != "computed_partial" and d["avg_criteria"] is not None]
if whole:  # districts known only through a few communes are not charted against the province average
    ui.chart(charts.district_average_bar({**result, "districts": whole}, source_text, lang),
             f"tieu-chi-binh-quan-{province.code}-{year}", f"{t('year', lang)}: {year}")

heat = ui.cached(ntm.communes.criteria_shares, province, year, f["set"], lang)
if heat["communes"]:
    st.subheader(t("heatmap_title", lang, year=heat["target_year"]))
    st.caption(t("heatmap_partial", lang, n=heat["communes"]))
    ui.chart(charts.heatmap(heat["shares"], heat["targets"], source_text, lang, heat["names"], heat["coverage"],
                            heat["target_year"]),
             f"tieu-chi-theo-huyen-{province.code}-{year}",
             f"{t('criteria_set', lang)}: {t('set_' + f['set'], lang)}")
