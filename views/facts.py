"""Số liệu theo văn bản / Facts by document: every figure a document states, by section and line, searchable."""

import pandas as pd
import streamlit as st

import ntm.merged
import ntm.statements
import ntm.store
import ui
from ntm.i18n import t

f = ui.filters()
lang, province = f["lang"], f["province"]
st.title(t("facts_title", lang))
st.caption(t("facts_intro", lang))
merged = f.get("merged")
scopes = [province]
if merged and province == merged:  # a province merged in 2025: the documents of its old provinces
    scopes = [p for p in ui.cached(ntm.merged.parts, merged) if p.in_units]
facts = [row for scope in scopes for row in ui.cached(ntm.statements.statements, scope, None, None, None,
                                                      lang)["facts"]]
if not facts:
    st.info(t("no_data_here", lang))
    st.stop()
frame = pd.DataFrame(facts)
docs = ui.cached(ntm.store.documents)
titles = dict(zip(docs["doc_id"], docs["issuer"] + " — " + docs["date_text"].fillna(""), strict=True))
left, right = st.columns([2, 3])
doc_ids = sorted(frame["doc_id"].unique())
doc = left.selectbox(t("col_doc", lang), doc_ids, key="facts_doc", format_func=lambda d: f"{d} · {titles[d]}")
query = right.text_input(t("facts_search", lang), key="facts_query")
rows = frame[frame["doc_id"] == doc]
if query:  # a plain, case-insensitive substring: what a user types is data, never a pattern
    text = rows[["section", "unit_name", "measure", "measure_name", "category", "original_text", "note"]] \
        .fillna("").astype(str)
    haystack = text.iloc[:, 0].str.cat([text[c] for c in text.columns[1:]], sep=" ").str.lower()
    rows = rows[haystack.str.contains(query.lower(), regex=False)]
st.caption(t("facts_count", lang, n=len(rows), total=int((frame["doc_id"] == doc).sum())))
raw = pd.DataFrame({t("col_section", lang): rows["section"], t("col_line", lang): rows["line"],
                    t("col_unit", lang): rows["unit_name"], t("col_year", lang): rows["year"],
                    t("col_indicator", lang): rows["measure_name"].fillna(rows["measure"]),
                    t("col_category", lang): rows["category_name"], t("col_value", lang): rows["value"],
                    t("col_kind", lang): rows["kind"].map(lambda k: t(f"fact_kind_{k}", lang)),
                    t("col_original", lang): rows["original_text"], t("col_note", lang): rows["note"]})
ui.table(ui.formatted(raw, lang, plain=(t("col_line", lang), t("col_year", lang))), raw,
         f"so-lieu-{province.unit_id}-{doc}", t("facts_title", lang), f"{doc} · {titles[doc]}",
         extra_filter=f"{t('col_doc', lang)}: {doc}")
