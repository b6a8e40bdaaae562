"""Nguồn vốn / Funding: the mix by source, stated totals beside computed sums, plan or need beside mobilized,
and disbursement (stated and computed)."""

import pandas as pd
import streamlit as st

import ntm.funding
import ui
from ntm import charts, fmt
from ntm.i18n import t

f = ui.filters()
if ui.merged_page("funding"):  # a province merged in 2025: its view across the reform
    st.stop()
lang, province = f["lang"], f["province"]
st.title(t("funding_title", lang))
result = ui.cached(ntm.funding.funding, province, None, lang)
if not result["groups"]:
    st.info(t("no_data_here", lang))
    st.stop()


def period(year) -> str:
    return str(year) if year is not None else t("year_all", lang)


for g in [g for g in result["groups"] if g["by_source"]]:
    label = f"{g['unit']} · {t('kind_' + g['kind'], lang)} · {period(g['year'])}"
    st.subheader(label)
    source = " · ".join(sorted({b["citation"] for b in g["by_source"]}))
    ui.chart(charts.funding_mix(g, source, lang), f"nguon-von-{g['unit_code']}-{g['kind']}-{g['year']}", label)
    raw = pd.DataFrame([{t("col_source_kind", lang): t(f"src_{b['source']}", lang), t("col_amount", lang): b["amount"],
                         t("col_share", lang): b["share_pct"]} for b in g["by_source"]]
                       + [{t("col_source_kind", lang): f"  {t('src_' + b['source'], lang)}: "
                                                       f"{t('cap_' + c['capital_type'], lang)}",
                           t("col_amount", lang): c["amount"], t("col_share", lang): None}
                          for b in g["by_source"] for c in b["by_capital_type"]])
    decimals = {t("col_amount", lang): 1, t("col_share", lang): 2}
    ui.table(ui.formatted(raw, lang, decimals), raw, f"co-cau-{g['unit_code']}-{g['kind']}-{g['year']}", label,
             source, decimals)
    stated = [x["amount"] for x in g["total_stated"]]
    if stated:
        message = t("stated_vs_computed", lang, stated=" / ".join(fmt.number(s, None, lang) for s in stated),
                    computed=fmt.number(g["total_computed"], None, lang))
        (st.warning if any(abs(s - g["total_computed"]) > 0.5 for s in stated) else st.caption)(message)

for g in [g for g in result["groups"] if not g["by_source"]]:
    label = f"{g['unit']} · {t('kind_' + g['kind'], lang)} · {period(g['year'])}"
    rows = g["total_stated"] + g["total_split"] + g["items"]
    raw = pd.DataFrame([{t("col_item", lang): r["item"] or t(f"src_{r['source']}", lang),
                         t("col_source_kind", lang): t(f"cap_{r['capital_type']}", lang),
                         t("col_amount", lang): r["amount"], t("col_source", lang): f"{r['doc_id']}:{r['line']}"}
                        for r in rows])
    st.subheader(label)
    ui.table(ui.formatted(raw, lang, {t("col_amount", lang): 1}), raw, f"von-{g['unit_code']}-{g['kind']}-{g['year']}",
             label, "; ".join(sorted({r["citation"] for r in rows})), {t("col_amount", lang): 1})
    if g["total_split_sum"] is not None:  # the parts' sum beside the stated total (or alone where none is stated)
        stated = [x["amount"] for x in g["total_stated"]]
        message = t("parts_sum", lang, computed=fmt.number(g["total_split_sum"], None, lang),
                    stated=" / ".join(fmt.number(x, None, lang) for x in stated) or "–")
        (st.warning if any(abs(x - g["total_split_sum"]) > 0.5 for x in stated) else st.caption)(message)

if result["plan_vs_mobilized"]:
    st.subheader(t("plan_title", lang))
    raw = pd.DataFrame([{t("col_unit", lang): p["unit_code"], t("col_year", lang): period(p["year"]),
                         t("col_kind", lang): t("kind_" + p["kind"], lang), t("col_amount", lang): p["amount"],
                         t("kind_mobilized", lang): p["mobilized"]} for p in result["plan_vs_mobilized"]])
    names = {g["unit_code"]: g["unit"] for g in result["groups"]}
    raw[t("col_unit", lang)] = raw[t("col_unit", lang)].map(names)
    ui.table(ui.formatted(raw, lang), raw, f"ke-hoach-von-{province.code}", t("plan_title", lang), "")

if result["disbursement"]:
    st.subheader(t("disbursement_title", lang))
    raw = pd.DataFrame([{t("col_unit", lang): d["unit"], t("col_year", lang): d["year"],
                         t("col_item", lang): t(f"cap_{d['item']}", lang) if d["item"] in ("all", "investment",
                                                                                         "recurrent") else
                         t("items_total", lang, n=d["n_items"]) if d["item"] == "items_total" else d["item"],
                         t("col_allocated", lang): d.get("allocated"), t("col_disbursed", lang): d.get("disbursed"),
                         t("col_stated_pct", lang): d["stated_pct"], t("col_computed_pct", lang): d.get("computed_pct"),
                         t("col_source", lang): "; ".join(f"{s['doc_id']}:{s['line']}" for s in d["sources"])}
                        for d in result["disbursement"]])
    decimals = {t("col_stated_pct", lang): 2, t("col_computed_pct", lang): 2}
    ui.table(ui.formatted(raw, lang, decimals, plain=(t("col_year", lang),)), raw, f"giai-ngan-{province.code}",
             t("disbursement_title", lang), "; ".join(sorted({s["citation"] for d in result["disbursement"]
                                                             for s in d["sources"]})), decimals)
