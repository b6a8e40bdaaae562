"""Xã / Communes: a searchable, sortable list; one commune's criteria checklist, recognitions, plan and progress
toward the next level."""

import pandas as pd
import streamlit as st

import ntm.communes
import ntm.roadmap
import ntm.store
import ui
from ntm.i18n import t
from ntm.names import normalize

INDICATOR_STATUS = {"met": "crit_met", "not_met": "crit_not_met", "no_value": "ind_no_value",
                    "unknown_threshold": "ind_unknown_threshold"}
f = ui.filters()
if ui.merged_page("communes"):  # a province merged in 2025: its view across the reform
    st.stop()
lang, province, as_of = f["lang"], f["province"], f["as_of"]
st.title(t("communes_title", lang))
frame = ui.cached(ntm.communes.overview, province, as_of)


def level_text(level, year, key) -> str:
    if level is None:
        return "–"
    return t(key, lang, level=t(f"level_{level}", lang), year=year if year is not None else "?")


query = st.text_input(t("search", lang), key="commune_search")
shown = frame[frame["name"].map(normalize).str.contains(normalize(query), regex=False)] if query else frame
raw = pd.DataFrame({
    t("col_commune", lang): shown["name"], t("district", lang): shown["district"],
    t("col_status_level", lang): [level_text(lv, y, "recognised") for lv, y in zip(shown["reached"],
                                                                                   shown["reached_year"], strict=True)],
    t("col_planned", lang): [level_text(lv, y, "planned_for") for lv, y in zip(shown["planned"],
                                                                               shown["planned_year"], strict=True)],
    t("col_criteria_met", lang): shown["criteria_met"], t("col_group", lang): shown["group"],
    t("col_results_year", lang): shown["results_year"], "GSO": shown["code"]})
plain = (t("col_results_year", lang), t("col_group", lang), t("col_criteria_met", lang))
ui.table(ui.formatted(raw, lang, plain=plain), raw, f"xa-{province.code}", t("communes_title", lang),
         ui.cached(ntm.communes.source_text, province, lang))

st.subheader(t("commune_detail", lang))
codes = frame["code"].tolist()
names = dict(zip(frame["code"], frame["name"] + " (" + frame["district"] + ")", strict=True))
default = st.query_params.get("commune")  # a commune chosen in the URL, else the first one with results
if default not in codes:
    default = next(iter(frame.loc[frame["results_year"].notna(), "code"]), codes[0])
chosen = st.selectbox(t("col_commune", lang), codes, format_func=names.get, key="commune_pick",
                      index=codes.index(default))
st.query_params["commune"] = chosen
commune = next(u for u in ui.cached(ntm.store.unit_list, "commune", province.code) if u.code == chosen)
detail = ui.cached(ntm.communes.detail, commune, as_of, lang)

st.markdown(f"#### {t('history', lang)}")
if detail["history"]:
    for h in detail["history"]:
        level = {v: k for k, v in ntm.roadmap.LEVELS.items()}.get(h["level"])
        label = t(f"level_{level}", lang) if level else h["level"]
        st.markdown(f"- **{label}** — {t('kind_' + h['kind'], lang)} {h['year'] or ''}")
        ui.source_lines([h])
else:
    st.caption(t("not_listed", lang))

st.markdown(f"#### {t('checklist', lang)}")
check = detail["checklist"]
if check is None:
    st.info(t("no_results", lang))
else:
    st.markdown(f"{t('col_criteria_met', lang)}: **{check['criteria_met']}/{check['n_criteria']}** "
                f"({t('col_results_year', lang)} {check['year']}) · {t('col_group', lang)}: {check['group'] or '–'}")
    rows = [{t("col_criterion", lang): f"{item['criterion']}. {item['name']}",
             t("col_criterion_status", lang): t(f"crit_{item['status']}", lang),
             t("col_indicator", lang): i["code"],
             t("col_indicator_status", lang): t(INDICATOR_STATUS[i["status"]], lang),
             t("col_value", lang): i["value"],
             t("col_threshold", lang): i["threshold_text"],
             t("col_gap", lang): i["gap"],
             t("col_measure_unit", lang): t(f"iu_{i['unit']}", lang) if i.get("unit") else None,  # of all three
             t("col_document_threshold", lang): "; ".join(d["text"] for d in i.get("document_threshold", [])) or None,
             t("col_agency", lang): i.get("agency") or item.get("agency"),
             t("col_expected", lang): (item["document_says"][0] if item["document_says"] else {}).get("expected")}
            for item in check["items"]
            for i in [i for i in item["indicators"] if i["status"] == "not_met"] or item["indicators"][:1]]
    raw = pd.DataFrame(rows)
    raw = raw.drop(columns=[c for c in (t("col_document_threshold", lang), t("col_expected", lang))  # optional
                            if c in raw and raw[c].isna().all()])
    decimals = {t("col_value", lang): 2, t("col_gap", lang): 2}
    source = "; ".join(sorted({s["citation"] for it in check["items"] for s in it["document_says"]}
                              | {it["agency_source"] for it in check["items"] if it.get("agency_source")}))
    if rows:  # none when every criterion is met (19/19 above)
        ui.table(ui.formatted(raw, lang, decimals), raw, f"tieu-chi-{chosen}", f"{names[chosen]}: "
                 f"{t('checklist', lang)}", source, decimals, extra_filter=names[chosen])
    ui.source_lines(sorted({s["citation"] for it in check["items"] for s in it["document_says"]})[:4])
    differs = [(it["criterion"], i, d) for it in check["items"] for i in it["indicators"]
               for d in i.get("document_threshold", []) if d["differs"]]
    if differs:  # the rulebook's threshold for the region beside the one the document applies to this commune
        st.warning(t("threshold_differs", lang, details=", ".join(i["code"] for _, i, _ in differs)))
        ui.source_lines([f"{i['code']}: {i['threshold_text']} / {d['text']} · {d['citation']}" for _, i, d in differs])
    if detail["nang_cao"]:
        nc = detail["nang_cao"]
        st.markdown(f"#### {t('next_level', lang)}")
        st.progress(nc["criteria_met"] / nc["n_criteria"], text=f"{nc['criteria_met']}/{nc['n_criteria']} · "
                    f"{t('crit_not_met', lang)}: {', '.join(nc['missing']) or '–'}")
