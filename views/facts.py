"""Số liệu theo văn bản / Facts by document: every figure a document states, by section and line, searchable, a
page of rows at a time (the search and the count in SQL: a document may hold hundreds of thousands)."""

import pandas as pd
import streamlit as st

import ntm.merged
import ntm.statements
import ntm.store
import ui
from ntm.i18n import t

PAGE_ROWS = 1000  # rows on one page of the table (every document of the seed data fits on one)
f = ui.filters()
lang, province = f["lang"], f["province"]
st.title(t("facts_title", lang))
st.caption(t("facts_intro", lang))
merged = f.get("merged")
scopes = (province,)
if merged and province == merged:  # a province merged in 2025: the documents of its old provinces
    scopes = tuple(p for p in ui.cached(ntm.merged.parts, merged) if p.in_units)
counts = ui.cached(ntm.statements.documents, scopes)
if not counts:
    st.info(t("no_data_here", lang))
    st.stop()
docs = ui.cached(ntm.store.documents)
titles = dict(zip(docs["doc_id"], docs["issuer"] + " — " + docs["date_text"].fillna(""), strict=True))
left, right = st.columns([2, 3])
doc = left.selectbox(t("col_doc", lang), list(counts), key="facts_doc", format_func=lambda d: f"{d} · {titles[d]}")
query = right.text_input(t("facts_search", lang), key="facts_query")
found = ui.cached(ntm.statements.page, scopes, doc, query, 0, PAGE_ROWS, lang)
pages = -(-found["count"] // PAGE_ROWS)
number = st.number_input(t("facts_page", lang, pages=pages), 1, pages,  # from page 1 again for another search
                         key=f"facts_page_{doc}_{pages}") if pages > 1 else 1
if number > 1:
    found = ui.cached(ntm.statements.page, scopes, doc, query, (number - 1) * PAGE_ROWS, PAGE_ROWS, lang)
st.caption(t("facts_count", lang, n=found["count"], total=counts[doc]))


def raw(rows: pd.DataFrame) -> pd.DataFrame:
    kinds = {k: t(f"fact_kind_{k}", lang) for k in rows["kind"].unique()}
    return pd.DataFrame({t("col_section", lang): rows["section"], t("col_line", lang): rows["line"],
                         t("col_unit", lang): rows["unit_name"], t("col_year", lang): rows["year"],
                         t("col_indicator", lang): rows["measure_name"].fillna(rows["measure"]),
                         t("col_category", lang): rows["category_name"], t("col_value", lang): rows["value"],
                         t("col_kind", lang): rows["kind"].map(kinds),
                         t("col_original", lang): rows["original_text"], t("col_note", lang): rows["note"]})


shown = raw(found["facts"])
ui.table(ui.formatted(shown, lang, plain=(t("col_line", lang), t("col_year", lang))),  # downloads: every page
         lambda: raw(ntm.statements.page(ui.cursor(), scopes, doc, query, lang=lang)["facts"]),
         f"so-lieu-{province.unit_id}-{doc}", t("facts_title", lang), f"{doc} · {titles[doc]}",
         extra_filter=f"{t('col_doc', lang)}: {doc}")
