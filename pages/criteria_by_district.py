"""Tiêu chí theo huyện / Criteria by district: communes by criteria group, total and average per district."""

import streamlit as st

import ui
from ntm import charts, store
from ntm.criteria import SET_NTM
from ntm.i18n import t
from ntm.summary import summary
from ntm.tables import summary_table

filters = st.session_state["filters"]
lang, province = filters["lang"], filters["province"]
con = ui.cursor()
year = ui.year_filter(store.summary_years(con, province["code"], SET_NTM), lang, province["code"])

st.title(t("criteria_by_district_title", lang))
if year is None:
    st.info(t("no_data", lang))
    st.stop()

result = summary(con, province, year, lang=lang)
st.subheader(f"{province['name']} — {t('year', lang).lower()} {year}")
basis = result["total"]["basis"] if result["total"] else "reported"
st.caption(t(f"basis_{basis}", lang))
if any(d["basis"] == "computed_partial" for d in result["districts"]):
    st.warning(t("basis_partial", lang))
st.table(summary_table(result, lang).style.set_properties(**{"text-align": "right"}))
ui.source_lines(result["sources"])

for entry in result["districts"] + ([result["total"]] if result["total"] else []):
    if entry.get("checks"):
        st.warning(t("check_failed", lang, details=entry["checks"]))
    if entry.get("differences"):
        st.warning(t("differences", lang, details=entry["differences"]))

source_text = " · ".join(s["citation"] for s in result["sources"])
st.plotly_chart(charts.district_average_bar(result, source_text, lang), width="stretch",
                config={"displaylogo": False})  # the figure carries its source line, for exports too
