"""Nguồn & phương pháp / Sources & methods: the documents, the methods, the rulebook's sources, licences."""

from pathlib import Path

import pandas as pd
import streamlit as st

import ntm.store
import ui
from ntm.i18n import t

f = ui.filters()
lang = f["lang"]
st.title(t("sources_title", lang))
st.subheader(t("documents", lang))
docs = ui.cached(ntm.store.documents)
raw = pd.DataFrame({t("col_doc", lang): docs["doc_id"], t("col_issuer", lang): docs["issuer"],
                    t("col_number", lang): docs["number"].fillna("–"), t("col_date", lang): docs["date_text"],
                    t("col_title", lang): docs["title"]})
ui.table(raw, raw, "van-ban-nguon", t("documents", lang), "data/documents.csv")
st.subheader(t("rulebook", lang))
sets = ui.cached(ntm.store.criteria_sets)
raw = pd.DataFrame({t("criteria_set", lang): sets["name_vi" if lang == "vi" else "name_en"],
                    t("col_source", lang): sets["legal_source"]})
ui.table(raw, raw, "bo-tieu-chi", t("rulebook", lang), "data/rules/criteria_sets.csv")
st.subheader(t("method", lang))
methods = (Path(__file__).resolve().parent.parent / "docs" / "methods.md").read_text(encoding="utf-8")
st.markdown(methods.split("\n", 1)[1].replace("\n## ", "\n#### "))  # the page has its own title
st.subheader(t("licences", lang))
st.markdown(f"- {t('software_licence', lang)}\n- {t('boundary_attribution', lang)}\n- {t('points_attribution', lang)}"
            f"\n- {t('units_2025_attribution', lang)}")
