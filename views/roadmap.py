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
from ntm.i18n import t
from ntm.names import normalize
from ntm.progress import LEVEL_OF

f = ui.filters()
if ui.merged_page("roadmap"):  # a province merged in 2025: its view across the reform
    st.stop()
lang, province, as_of = f["lang"], f["province"], f["as_of"]
st.title(t("roadmap_title", lang))
districts = ui.cached(ntm.store.unit_list, "district", province.code)
left, right = st.columns(2)
level = left.radio(t("level", lang), list(ntm.roadmap.LEVELS), horizontal=True, key="roadmap_level",
                   format_func=lambda x: t(f"level_{x}", lang))
district = right.selectbox(t("district", lang), [None, *districts], key="roadmap_district",
                           format_func=lambda d: t("whole_province", lang) if d is None else d.name)
unit_name = district.name if district else province.name

view = ui.cached(ntm.progress.roadmap_view, province, level, district, as_of, lang)
if not view["years"]:
    st.info(t("no_data_here", lang))
else:
    source = " · ".join(s["citation"] for s in view["sources"])
    ui.chart(charts.trajectory(view, unit_name, source, lang), f"lo-trinh-{province.code}-{level}",
             f"{t('level', lang)}: {t(f'level_{level}', lang)}; {t('district', lang)}: {unit_name}")
    st.caption(f"{t('assumptions', lang)}: {view['assumptions'][lang]}")
    ui.source_lines([line["source"] for line in view["target_lines"][:3]])
stock = [view["stock"]] if view["stock"] else []
ui.source_lines([t("stock_line", lang, value=s["value"], year=s["year"], basis=f" — {s['basis']}" if s["basis"] else "")
                 + f" · {s['citation']}" for s in stock]
                + [t("stock_conflict", lang, value=s["value"], year=s["year"],
                     series_value=fmt.number(s["series_value"], lang=lang)) + f" · {s['citation']}"
                   for s in view["stock_conflicts"]])
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
             f"lo-trinh-so-lieu-{province.code}-{level}", t("trajectory_table", lang),
             " · ".join(s["citation"] for s in view["sources"]), decimals)

st.subheader(t("targets_table", lang))
default = ui.cached(ntm.period.target_year, as_of)
target_years = sorted(set(ui.cached(ntm.glance.target_years, province)) | {default})
target_year = st.selectbox(t("report_target_year", lang), target_years, index=target_years.index(default),
                           key="roadmap_target_year")
progress = ui.cached(ntm.progress.progress, province, target_year, as_of, district, lang)
show_all = st.toggle(t("show_no_data", lang), value=False, key="roadmap_all")
rows = [r for r in ntm.glance.planner_rows(progress["targets"]) if show_all or r["status"] != "no_data"]
by_unit: dict[str, list[dict]] = {}  # one table per unit of measure, so that every header says its unit
for r in rows:
    by_unit.setdefault(r["unit_of_measure"], []).append(r)
for unit, group in by_unit.items():
    raw = pd.DataFrame([{
        t("col_status", lang): t(f"status_{r['status']}", lang), t("col_unit", lang): r["unit"],
        t("col_indicator", lang): (t(f"level_{LEVEL_OF[r['indicator']]}", lang) if r["indicator"] in LEVEL_OF
                                   else r["indicator_name"]) + (f" ({r['category']})" if r["category"] else ""),
        t("col_target_in", lang, unit=unit): r["target"], t("col_target_in", lang, unit="%"): r["target_share"],
        t("col_target_up_to", lang, unit=unit): r["target_range_max"],  # "từ 8-10 HTX": judged on the lower bound
        t("col_actual_in", lang, unit=unit): r["actual"], t("col_actual_in", lang, unit="%"): r["actual_share"],
        t("col_gap_in", lang, unit=t("unit_points", lang) if unit == "%" else unit): r["gap"],
        t("col_achieved", lang): r["achieved_pct"], t("col_reading", lang): t(f"reading_{r['reading']}", lang),
        t("col_stock", lang): f"{r['stock']['value']} ({r['stock']['year']})" if r["stock"] else None,
        t("col_expected_figure", lang): "; ".join(f"{fmt.number(e['value'], None, lang)} ({e['year']})"
                                           for e in r["expected"]) or None,
        t("col_note", lang): ntm.glance.differs_text(r["differs"], r["target"], lang) if r["differs"] else None,
        t("col_source", lang): "; ".join(f"{s['doc_id']}:{s['line']}" for s in r["sources"])} for r in group])
    # no column empty throughout; 80 - 70,65 is 9,35 in the export too, not 9,350000000000009
    raw = raw.loc[:, raw.notna().any() | raw.columns.isin(raw.columns[:3])].round(2)
    if {r["reading"] for r in group} <= {"cumulative", "share"}:  # said by the unit already
        raw = raw.drop(columns=t("col_reading", lang))
    decimals = {t("col_achieved", lang): 1}  # counts as whole numbers, shares as the documents write them
    shown = ui.formatted(raw, lang, decimals)
    up_to = t("col_target_up_to", lang, unit=unit)
    if up_to in shown:  # on screen a range as the document writes it: "8-10"
        target = t("col_target_in", lang, unit=unit)
        shown[target] = shown[target].where(shown[up_to] == "–", shown[target] + "-" + shown[up_to])
        shown = shown.drop(columns=up_to)
    for key in ("col_target_in", "col_actual_in"):  # on screen "37 (40 %)": one column for the count and its share
        count, share = t(key, lang, unit=unit), t(key, lang, unit="%")
        if unit != "%" and share in shown:
            shown[count] = shown[count].where(shown[share] == "–", shown[count] + " (" + shown[share] + " %)")
            shown = shown.drop(columns=share).rename(columns={count: t(key, lang, unit=f"{unit}; %")})
    slug = normalize(unit).replace("%", "phan-tram").replace("/", "-").replace(" ", "-")
    ui.table(shown, raw, f"muc-tieu-{target_year}-{province.code}-{slug}",
             t("targets_table", lang), progress["method"], decimals,
             extra_filter=f"{t('report_target_year', lang)}: {target_year}")
    ui.source_lines([f"{r['unit']}: {ntm.glance.differs_text(r['differs'], r['target'], lang)}"  # the note in full
                     for r in group if r["differs"]])
if rows:
    counts = ", ".join(f"{t('status_' + s, lang)}: {n}" for s, n in progress["status_counts"].items())
    st.caption(f"{t('method', lang)}: {progress['method']} ({counts})")
else:
    st.info(t("no_data_here", lang))

st.subheader(t("at_risk_title", lang))
if view["at_risk"]:
    raw = pd.DataFrame([{t("col_commune", lang): r["name"], t("district", lang): r["district"],
                         t("col_planned", lang): r["planned_year"], t("col_criteria_met", lang): r["criteria_met"],
                         t("col_message", lang): r["reason"][lang]} for r in view["at_risk"]])
    ui.table(ui.formatted(raw, lang, plain=(t("col_planned", lang),)), raw, f"xa-nguy-co-{province.code}-{level}",
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
             f"lui-tien-do-{province.code}-{level}", t("slippage_title", lang), "")
else:
    st.caption(t("no_data_here", lang))
