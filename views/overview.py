"""Tổng quan / Overview: where the province stands against its period's targets, with the source of every card."""

import pandas as pd
import streamlit as st

import ntm.funding
import ntm.glance
import ntm.period
import ntm.quality
import ntm.roadmap
import ntm.store
import ntm.summary
import ui
from ntm import fmt
from ntm.i18n import t


def sources(lines: list) -> None:
    """Citations one click away, not under every number."""
    if lines:
        with st.popover(t("glance_sources", lang)):
            ui.source_lines(lines)


f = ui.filters()
if ui.merged_page("overview"):  # a province merged in 2025: its view across the reform
    st.stop()
lang, province, as_of = f["lang"], f["province"], f["as_of"]
code = province.code
st.title(t("overview_title", lang))
st.subheader(f"{province.name} — {t('as_of_note', lang, year=as_of)}")

target_year = ui.cached(ntm.period.target_year, as_of)
glance = ui.cached(ntm.glance.headline, province, as_of, target_year, lang)
bars = [x for x in glance["levels"] if x["target"]]
if bars:  # actual against the target in communes, what is still needed, one status colour
    columns = st.columns(len(bars))
    for column, item in zip(columns, bars, strict=True):
        a, target = item["actual"], item["target"]
        status = item["status"]
        with column.container(border=True):
            st.markdown(f"**{t('level_' + item['level'], lang)}** · :{ui.STATUS_COLOURS[status]}-badge["
                        f"{t('glance_not_evaluable' if status == 'no_data' else 'status_' + status, lang)}]")
            if a:
                st.progress(min(a["count"] / target["count"], 1.0) if target["count"] else 1.0,
                            text=t("glance_bar", lang, actual=a["count"], target=target["count"], year=target_year,
                                   n=item["remaining"], as_of=a["year"]))
            else:
                st.markdown(t("glance_no_actual", lang, target=target["count"], year=target_year))
            sources((a["sources"] if a else []) + target["sources"])
if glance["districts"]:
    st.markdown(f"**{t('glance_districts', lang)}**")
    # a few rows, all shown; st.table renders its cells as markdown: the names literally, the status as the
    # cards' badge (no pandas Styler: it costs a fresh process its template engine)
    ranked = pd.DataFrame([{t("district", lang): ui.literal(d["name"]), t("glance_col_actual", lang): d["actual"],
                            t("glance_col_target", lang): d["target"], t("glance_col_gap", lang): d["gap"],
                            t("col_status", lang): f":{ui.STATUS_COLOURS[d['status']]}-badge["
                                                   f"{t('status_' + d['status'], lang)}]"}
                           for d in glance["districts"]])
    st.table(ui.formatted(ranked, lang).set_index(t("district", lang)))
    sources(list(dict.fromkeys(d["source"] for d in glance["districts"])))
progress = glance["progress"]
years = ui.cached(ntm.store.summary_years, code, ui.cached(ntm.period.current, as_of)["commune_set"])
usable = [y for y in years if y <= as_of]
result = ui.cached(ntm.summary.summary, province, usable[-1], lang=lang) if usable else None
cards = st.columns(3)
views = {item["level"]: item["view"] for item in glance["levels"]}  # the headline's own roadmap views
for column, level in zip(cards, ntm.roadmap.LEVELS, strict=True):
    view = views[level]
    actual = [y for y in view["years"] if y["kind"] == "actual" and y["year"] is not None and y["year"] <= as_of
              and y["cumulative"] is not None]
    own = [r for r in progress["targets"] if r["unit_code"] == code and r["indicator"] == f"communes_{level}_share"]
    with column.container(border=True):
        st.markdown(f"**{t(f'level_{level}', lang)}**")
        if actual:
            last = actual[-1]
            share = fmt.number(last["share_pct"], 1, lang) + " %" if last["share_pct"] is not None else "–"
            st.metric(t(f"level_{level}", lang), fmt.number(last["cumulative"], 0, lang),
                      label_visibility="collapsed")
            st.caption(t("card_share", lang, count=fmt.number(last["cumulative"], 0, lang), share=share,
                         programme=fmt.number(view["programme_communes"], 0, lang)))
            if last.get("basis") == "stock":  # a stated stock, with its date and basis (data text: as a source line)
                ui.source_lines([t("stock_line", lang, value=last["cumulative"], year=last["year"],
                                   basis=f" — {last['stock_basis']}" if last.get("stock_basis") else "")])
        elif view["district_stocks"]:  # the province states nothing, its districts do (Trà Cú 15/15)
            d = view["district_stocks"][-1]
            st.metric(t(f"level_{level}", lang), f"{d['value']}/{d['programme_communes'] or '–'}",
                      label_visibility="collapsed")
            ui.source_lines([t("stock_district", lang, district=d["district"], value=d["value"], year=d["year"],
                                 programme=d["programme_communes"] or "–") for d in view["district_stocks"]]
                            + [d["citation"] for d in view["district_stocks"]])
        elif level == "ntm" and result and result["total"] and result["total"]["groups"]["1"] is not None:
            # no count of recognised communes: the communes at 19 criteria the document states, labelled as such
            st.metric(t(f"level_{level}", lang), fmt.number(result["total"]["groups"]["1"], 0, lang),
                      label_visibility="collapsed")
            st.caption(t("card_group_1", lang, year=result["year"]))
            ui.source_lines(result["sources"][:1])
        else:
            st.metric(t(f"level_{level}", lang), "–", label_visibility="collapsed")
            st.caption(t("no_data_here", lang))
        line = own[0] if own else None
        if line:
            status = "glance_not_evaluable" if line["status"] == "no_data" else "status_" + line["status"]
            target_text = fmt.number(line["target"], 1, lang) + " %"
            st.markdown(f"{t('card_target', lang, year=target_year, target=target_text)} · **{t(status, lang)}**")
        sources((line["sources"][:1] if line else []) + view["sources"][:1])

second = st.columns(3)
with second[0].container(border=True):
    st.markdown(f"**{t('avg_criteria_card', lang)}**")
    if result and result["total"] and result["total"]["avg_criteria"] is not None:
        st.metric(t("avg_criteria_card", lang), fmt.number(result["total"]["avg_criteria"], 2, lang),
                  label_visibility="collapsed")
        st.caption(f"{t('year', lang)} {usable[-1]}")
        sources(result["sources"])
    else:
        st.metric(t("avg_criteria_card", lang), "–", label_visibility="collapsed")
        st.caption(t("no_data_here", lang))
funding = ui.cached(ntm.funding.funding, province, None, lang)
mobilized = [g for g in funding["groups"] if g["kind"] == "mobilized" and g["total_computed"]
             and (g["year"] or 0) <= as_of]
with second[1].container(border=True):
    st.markdown(f"**{t('mobilized_card', lang)}**")
    if mobilized:
        g = mobilized[-1]
        st.metric(t("mobilized_card", lang), fmt.money(g["total_computed"], "ty", lang), label_visibility="collapsed")
        st.caption(ui.literal(f"{g['unit']} · {g['year']}"))
        sources(g["by_source"][:1])
    else:
        st.metric(t("mobilized_card", lang), "–", label_visibility="collapsed")
        st.caption(t("no_data_here", lang))
rates = [d for d in funding["disbursement"] if d["item"] == "all" and d["stated_pct"] is not None]
with second[2].container(border=True):
    st.markdown(f"**{t('disbursement_card', lang)}**")
    if rates:
        st.metric(t("disbursement_card", lang), fmt.percent(rates[-1]["stated_pct"], 0, lang),
                  label_visibility="collapsed")
        sources(rates[-1]["sources"][:1])
    else:
        st.metric(t("disbursement_card", lang), "–", label_visibility="collapsed")
        st.caption(t("no_data_here", lang))

st.subheader(t("attention", lang))
off = [r for r in progress["targets"] if r["status"] == "off_track"]
risk = views["ntm"]["at_risk"] + views["nang_cao"]["at_risk"]
findings = ui.cached(ntm.quality.findings, province, lang)
unknown = [r for r in progress["targets"] if r["status"] in ("no_data", "ambiguous")]
off_names = ", ".join(ui.literal(f"{r['unit']} ({r['indicator_name']})") for r in off[:8])
if off:
    st.markdown(f"- {t('attention_off_track', lang, n=len(off))}: {off_names}")
elif len(unknown) < len(progress["targets"]):
    st.markdown(f"- {t('attention_off_track', lang, n=0)}")
if not progress["targets"]:
    st.markdown(f"- {t('attention_no_targets', lang)}")
if unknown:  # nothing evaluable is not good news
    st.markdown(f"- {t('attention_unevaluable', lang, n=len(unknown))}")
risk_names = ", ".join(ui.literal(r["name"]) for r in risk[:10])
st.markdown(f"- {t('attention_at_risk', lang, n=len(risk))}" + (f": {risk_names}" if risk else ""))
st.markdown(f"- {t('attention_quality', lang, n=len(findings))}")
