"""Chất lượng dữ liệu / Data quality: every place the documents contradict themselves, with both sources."""

import pandas as pd
import streamlit as st

import ui
from ntm.i18n import t

f = ui.filters()
if ui.merged_page("quality"):  # a province merged in 2025: its view across the reform
    st.stop()
lang, province = f["lang"], f["province"]
st.title(t("quality_title", lang))
st.caption(t("quality_intro", lang))
findings = ui.cached("ntm.quality.findings", province["code"], lang)
if not findings:
    st.info(t("no_data_here", lang))
    st.stop()
checks = sorted({x["check"] for x in findings})
chosen = st.multiselect(t("check", lang), checks, default=checks, key="quality_checks",
                        format_func=lambda c: t(f"check_{c}", lang))
rows = [x for x in findings if x["check"] in chosen]
raw = pd.DataFrame([{t("check", lang): t(f"check_{x['check']}", lang), t("col_unit", lang): x["unit_name"],
                     t("col_year", lang): x["year"],
                     t("col_stated", lang): x["stated"], t("col_computed", lang): x["computed"],
                     t("col_message", lang): x["message_vi" if lang == "vi" else "message_en"],
                     t("col_sources", lang): " | ".join(s["citation"] for s in x["sources"][:3])
                     + (f" (+{len(x['sources']) - 3})" if len(x["sources"]) > 3 else "")} for x in rows])
ui.table(ui.formatted(raw, lang, plain=(t("col_year", lang),)), raw, f"chat-luong-{province['code']}",
         t("quality_title", lang), "; ".join(sorted({x["sources"][0]["citation"] for x in rows})))
