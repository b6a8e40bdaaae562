"""Xuất báo cáo / Export the report: the Word report of a province (ntm.report), built when asked for; a province
merged in 2025 is reported per old province."""

import streamlit as st

import ntm.glance
import ntm.period
import ntm.report
import ui
from ntm import report
from ntm.i18n import t

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

f = ui.filters()
lang, as_of, merged = f["lang"], f["as_of"], f.get("merged")
st.title(t("report_page_title", lang))
st.markdown(t("report_page_intro", lang))
whole = merged and f["province"] == merged
held = {p.code: p for p in ui.provinces()}
provinces = [held[c] for c in merged.parts if c in held] if whole else [f["province"]]
if whole:
    st.info(t("report_merged", lang))
default = ui.cached(ntm.period.target_year, as_of)
years = sorted({y for p in provinces for y in ui.cached(ntm.glance.target_years, p)} | {default})
target_year = st.selectbox(t("report_target_year", lang), years, index=years.index(default),
                           key="report_target_year")
pdf = report.converter() is not None
for p in provinces:
    name = f"bao-cao-ntm-{p.code}-{as_of}-muc-tieu-{target_year}"
    left, right, _ = st.columns([2, 2, 3])
    left.download_button(f"{t('report_download', lang)} — {p.name}", file_name=f"{name}.docx", mime=DOCX,
                         data=lambda p=p: ui.cached(ntm.report.build, p, as_of, target_year, lang),
                         key=f"docx_{p.code}", on_click="ignore")
    if pdf:
        right.download_button(f"{t('report_download_pdf', lang)} — {p.name}", file_name=f"{name}.pdf",
                              mime="application/pdf", key=f"pdf_{p.code}", on_click="ignore",
                              data=lambda p=p: report.pdf(ui.cached(ntm.report.build, p, as_of, target_year, lang)))
if not pdf:
    st.caption(t("report_pdf_note", lang))
