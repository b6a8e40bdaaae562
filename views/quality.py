"""Chất lượng dữ liệu / Data quality: every place the documents contradict themselves, with both sources — the
rules' findings and those a data editor reviewed — filtered by severity, document and rule."""

import pandas as pd
import streamlit as st

import ntm.quality
import ui
from ntm.i18n import t

f = ui.filters()
if ui.merged_page("quality"):  # a province merged in 2025: its view across the reform
    st.stop()
lang, province = f["lang"], f["province"]
st.title(t("quality_title", lang))
st.caption(t("quality_intro", lang))
findings = ui.cached(ntm.quality.findings, province, lang)
if not findings:
    st.info(t("no_data_here", lang))
    st.stop()
severities = [s for s in ("error", "warning", "info") if any(x["severity"] == s for x in findings)]
documents = sorted({s["doc_id"] for x in findings for s in x["sources"]})
checks = sorted({x["check"] for x in findings})
left, middle, right = st.columns(3)
chosen_severity = left.multiselect(t("severity", lang), severities, default=severities, key="quality_severity",
                                   format_func=lambda s: t(f"severity_{s}", lang))
chosen_docs = middle.multiselect(t("col_doc", lang), documents, default=documents, key="quality_docs")
chosen = right.multiselect(t("check", lang), checks, default=checks, key="quality_checks",
                           format_func=lambda c: t(f"check_{c}", lang))
rows = [x for x in findings if x["check"] in chosen and x["severity"] in chosen_severity
        and any(s["doc_id"] in chosen_docs for s in x["sources"])]
st.caption(t("quality_counts", lang, n=len(rows), errors=sum(x["severity"] == "error" for x in rows),
             warnings=sum(x["severity"] == "warning" for x in rows), infos=sum(x["severity"] == "info" for x in rows),
             reviewed=sum(x["reviewed"] for x in rows)))
if not rows:
    st.stop()
raw = pd.DataFrame([{t("severity", lang): t(f"severity_{x['severity']}", lang),
                     t("check", lang): t(f"check_{x['check']}", lang), t("col_unit", lang): x["unit_name"],
                     t("col_year", lang): x["year"],
                     t("col_stated", lang): x["stated"], t("col_computed", lang): x["computed"],
                     t("col_message", lang): x["message_vi" if lang == "vi" else "message_en"],
                     t("col_reviewed", lang): t("reviewed_mark", lang) if x["reviewed"] else "",
                     t("col_sources", lang): " | ".join(s["citation"] for s in x["sources"][:3])
                     + (f" (+{len(x['sources']) - 3})" if len(x["sources"]) > 3 else "")} for x in rows])
ui.table(ui.formatted(raw, lang, plain=(t("col_year", lang),)), raw, f"chat-luong-{province.code}",
         t("quality_title", lang), "; ".join(sorted({x["sources"][0]["citation"] for x in rows})))
