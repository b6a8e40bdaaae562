"""Nguồn & phương pháp / Sources & methods: the documents, the methods, the rulebook's sources, licences."""

import re
from pathlib import Path

import pandas as pd
import streamlit as st

import ntm.store
import ui
from ntm.i18n import t

ITALIC = re.compile(r"(?<![*\w])\*(?!\*)((?:\*\*[^*]*\*\*|[^*])+?)\*(?![*\w])")


def _cell(cell: str, lang: str) -> str:
    """A table cell "vi / en" (bold or not) in one language."""
    parts = cell.split(" / ")
    if len(parts) != 2:
        return cell
    bold = parts[0].strip().startswith("**")
    text = parts[0 if lang == "vi" else 1].strip().strip("*") if bold else parts[0 if lang == "vi" else 1].strip()
    return f" **{text}** " if bold else f" {text} "


def _english_blocks(markdown: str) -> str:
    """Each paragraph or list item as its English italics (those of more than two words), where it has any."""
    out = []
    for block in re.split(r"\n(?=- |\n|#|\|)", markdown):
        body = block.lstrip("\n")
        english = [" ".join(m.group(1).split()) for m in ITALIC.finditer(block) if len(m.group(1).split()) > 2]
        if english and not body.startswith(("#", "|")):
            out.append(block[:len(block) - len(body)] + ("- " if body.startswith("- ") else "") + " ".join(english))
        else:
            out.append(block)
    return "\n".join(out)


def in_language(markdown: str, lang: str) -> str:
    """docs/methods.md is written Vietnamese first with the English in italics, headings, bold labels and table
    cells as "vi / en": each view shows its own language (a one- or two-word italic, a variable such as *T*, stays;
    a document's wording quoted in Vietnamese stays in the English view)."""
    markdown = "\n".join("|".join(_cell(c, lang) for c in line.split("|")) if line.startswith("|") else line
                         for line in markdown.split("\n"))
    if lang == "vi":
        markdown = re.sub(r"^(#+ [^/\n]+?) / [^\n]+$", r"\1", markdown, flags=re.M)
        return ITALIC.sub(lambda m: "" if len(m.group(1).split()) > 2 else m.group(0), markdown)
    markdown = re.sub(r"^(#+ )(\d+\. )?[^/\n]+? / ([^\n]+)$", r"\1\2\3", markdown, flags=re.M)
    markdown = re.sub(r"\*\*[^*/\n]+? / ([^*\n]+?)\*\*", r"**\1**", markdown)  # bold "vi / en" labels
    return _english_blocks(markdown)


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
st.markdown(in_language(methods.split("\n", 1)[1], lang).replace("\n## ", "\n#### "))  # the page has its own title
st.subheader(t("licences", lang))
st.markdown(f"- {t('software_licence', lang)}\n- {t('boundary_attribution', lang)}\n- {t('points_attribution', lang)}"
            f"\n- {t('units_2025_attribution', lang)}")
