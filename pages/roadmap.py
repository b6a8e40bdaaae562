"""Lộ trình & mục tiêu / Roadmap & targets: trajectories with target lines, targets vs actuals with a status,
projections with their assumptions, communes at risk and slippage."""

import pandas as pd
import streamlit as st

import ntm.glance
import ntm.period
import ntm.progress
import ntm.roadmap
import ntm.store
import ui
from ntm import charts, fmt
from ntm.glance import STATUS_ORDER, merged_targets
from ntm.i18n import t

f = ui.filters()
if ui.merged_page("roadmap"):  # a province merged in 2025: its view across the reform
    st.stop()
lang, province, as_of = f["lang"], f["province"], f["as_of"]
st.title(t("roadmap_title", lang))
districts = ui.cached(ntm.store.units, "district", province["code"])
left, right = st.columns(2)
level = left.radio(t("level", lang), list(ntm.roadmap.LEVELS), horizontal=True, key="roadmap_level",
                   format_func=lambda x: t(f"level_{x}", lang))
options = [None, *districts["code"].tolist()]
names = dict(zip(districts["code"], districts["name"], strict=True))
district = right.selectbox(t("district", lang), options, key="roadmap_district",
                           format_func=lambda c: t("whole_province", lang) if c is None else names[c])
unit_name = names[district] if district else province["name"]

view = ui.cached(ntm.progress.roadmap_view, province, level, district, as_of, lang)
if not view["years"]:
    st.info(t("no_data_here", lang))
else:
    source = " · ".join(s["citation"] for s in view["sources"])
    ui.chart(charts.trajectory(view, unit_name, source, lang), f"lo-trinh-{province['code']}-{level}",
             f"{t('level', lang)}: {t(f'level_{level}', lang)}; {t('district', lang)}: {unit_name}")
    st.caption(f"{t('assumptions', lang)}: {view['assumptions'][lang]}")
    ui.source_lines([line["source"] for line in view["target_lines"][:3]])
ui.source_lines([t("stock_line", lang, value=s["value"], year=s["year"], basis=f" — {s['basis']}" if s["basis"] else "")
                 + f" · {s['citation']}" for s in ([view["stock"]] if view["stock"] else []) + view["stock_conflicts"]])
if view["years"] and not view["cumulative_known"]:
    st.info(t("stock_not_stated", lang))
ui.source_lines([t("stock_district", lang, district=d["district"], value=d["value"], year=d["year"],
                   programme=d["programme_communes"] or "–") + f" · {d['citation']}" for d in view["district_stocks"]])
if view["years"]:
    raw = pd.DataFrame([{t("col_year", lang): y["year"], t("col_kind", lang): t(f"kind_{y['kind']}", lang),
                         t("col_new", lang): y.get("new"), t("col_cumulative", lang): y["cumulative"],
                         t("col_share_programme", lang): y["share_pct"],
                         t("col_stated_share", lang): y.get("stated_share_pct"),
                         t("col_stock_basis", lang): y.get("stock_basis"),
                         t("col_source", lang): y.get("source") or y.get("stated_share_source")}
                        for y in view["years"]])
    decimals = {t("col_share_programme", lang): 1, t("col_stated_share", lang): 1}
    ui.table(ui.formatted(raw, lang, decimals, plain=(t("col_year", lang), t("col_new", lang))), raw,
             f"lo-trinh-so-lieu-{province['code']}-{level}", t("trajectory_table", lang),
             " · ".join(s["citation"] for s in view["sources"]), decimals)

st.subheader(t("targets_table", lang))
default = ui.cached(ntm.period.target_year, as_of)
target_years = sorted(set(ui.cached(ntm.glance.target_years, province)) | {default})
target_year = st.selectbox(t("report_target_year", lang), target_years, index=target_years.index(default),
                           key="roadmap_target_year")
progress = ui.cached(ntm.progress.progress, province, target_year, as_of, district, lang)
show_all = st.toggle(t("show_no_data", lang), value=False, key="roadmap_all")
order = {s: i for i, s in enumerate(STATUS_ORDER)}
rows = sorted((r for r in merged_targets(progress["targets"]) if show_all or r["status"] != "no_data"),
              key=lambda r: (order[r["status"]], r["unit"]))  # one row per target, most urgent first
if rows:
    raw = pd.DataFrame([{
        t("col_status", lang): t(f"status_{r['status']}", lang), t("col_unit", lang): r["unit"],
        t("col_indicator", lang): r["indicator_name"] + (f" ({r['category']})" if r["category"] else ""),
        t("col_measure_unit", lang): r["unit_of_measure"] if lang == "vi" or r["unit_of_measure"] == "%" else
        t("measure_unit_count", lang),
        **{t(f"col_{k}", lang): None if r[k] is None else round(r[k], 2) for k in ("target", "actual", "gap")},
        t("col_achieved", lang): r["achieved_pct"],
        t("col_reading", lang): t(f"reading_{r['reading']}", lang),
        t("col_stock", lang): f"{r['stock']['value']} ({r['stock']['year']})" if r["stock"] else None,
        t("col_expected_figure", lang): "; ".join(f"{fmt.number(e['value'], None, lang)} ({e['year']})"
                                           for e in r["expected"]) or None,
        t("col_source", lang): "; ".join(f"{s['doc_id']}:{s['line']}" for s in r["sources"])} for r in rows])
    decimals = {t("col_achieved", lang): 1}  # counts as whole numbers, shares as the documents write them
    ui.table(ui.formatted(raw, lang, decimals), raw, f"muc-tieu-{target_year}-{province['code']}",
             t("targets_table", lang), progress["method"], decimals, extra_filter=f"{t('report_target_year', lang)}: "
             f"{target_year}")
    counts = ", ".join(f"{t('status_' + s, lang)}: {n}" for s, n in progress["status_counts"].items())
    st.caption(f"{t('method', lang)}: {progress['method']} ({counts})")
else:
    st.info(t("no_data_here", lang))

st.subheader(t("at_risk_title", lang))
if view["at_risk"]:
    raw = pd.DataFrame([{t("col_commune", lang): r["name"], t("district", lang): r["district"],
                         t("col_planned", lang): r["planned_year"], t("col_criteria_met", lang): r["criteria_met"],
                         t("col_message", lang): r["reason"][lang]} for r in view["at_risk"]])
    ui.table(ui.formatted(raw, lang, plain=(t("col_planned", lang),)), raw, f"xa-nguy-co-{province['code']}-{level}",
             t("at_risk_title", lang), view["sources"][0]["citation"] if view["sources"] else "")
else:
    st.caption(t("no_data_here", lang))

st.subheader(t("slippage_title", lang))
if view["slippage"]:
    raw = pd.DataFrame([{t("col_commune", lang): s["name"], t("col_planned", lang): s["planned_year"],
                         t("col_year", lang): s["moved_to"],
                         t("col_source", lang): f"{s['first_plan']['citation']} → {s['later']['citation']}"}
                        for s in view["slippage"]])
    ui.table(ui.formatted(raw, lang, plain=(t("col_planned", lang), t("col_year", lang))), raw,
             f"lui-tien-do-{province['code']}-{level}", t("slippage_title", lang), "")
else:
    st.caption(t("no_data_here", lang))
