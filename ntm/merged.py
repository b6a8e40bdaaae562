"""A province merged in 2025 seen across the reform: the 2021-2025 results of its old provinces side by side,
combined only where every old province has the figure for the same year (never an estimate for a missing part);
its new units with their old components and their last recorded status; the old components' points on a map.
"""

import pandas as pd

from ntm import period, progress, roadmap, store, summary, timeline
from ntm.criteria import SET_NTM
from ntm.i18n import LANGS, t
from ntm.unit import Unit
from ntm.unit_history import REFORM_YEAR
from ntm.units import resolve_province

ADDITIVE = ("ntm", "nang_cao", "kieu_mau", "communes", "total_criteria")
MEASURES = (*ADDITIVE, "avg_criteria")


def parts(con, province: Unit) -> list[Unit]:
    """The old provinces a merged province holds; those outside the dashboard's data carry `in_units` False."""
    versions = store.unit_versions(con, list(province.parts)).set_index("unit_id")
    return [resolve_province(con, code) if versions.loc[code, "in_units"] else
            Unit(code, str(versions.loc[code, "name"]), in_units=False) for code in province.parts]


def _part_rows(con, part: Unit, as_of_year: int, lang: str) -> tuple[list[dict], list[str]]:
    rows, sources = [], []
    for level in roadmap.LEVELS:
        view = progress.roadmap_view(con, part, level, None, as_of_year, lang)
        rows += [{"measure": level, "year": y["year"], "value": y["cumulative"]} for y in view["years"]
                 if y["kind"] == "actual" and y["year"] is not None and y["year"] <= as_of_year]
        sources += [s["citation"] for s in view["sources"][:1]]
    for year in store.summary_years(con, part.code, SET_NTM):
        if year > as_of_year:
            continue
        result = summary.summary(con, part, year, lang=lang)
        total = result["total"]
        if total and total["basis"] != "computed_partial":
            rows += [{"measure": m, "year": year, "value": total[m]} for m in ("communes", "total_criteria",
                                                                               "avg_criteria")]
            sources += [s["citation"] for s in result["sources"][:1]]
    return rows, sources


def history(con, province: Unit, as_of_year: int, lang: str = "vi") -> dict:
    """2021-2025 (and earlier) figures of each old province by measure and year, and their combination where
    every old province has the figure: counts add up; the average is the combined total over the combined
    communes. Old provinces without data in the dashboard leave every combination empty."""
    found = parts(con, province)
    frames, sources = [], []
    for part in found:
        rows, cited = _part_rows(con, part, as_of_year, lang) if part.in_units else ([], [])
        frames.append(pd.DataFrame(rows, columns=["measure", "year", "value"]).assign(part=part.code))
        sources += cited
    long = pd.concat(frames, ignore_index=True)
    codes = [p.code for p in found]
    wide = long.pivot_table(index=["measure", "year"], columns="part", values="value", aggfunc="first")
    wide = wide.reindex(columns=codes).reset_index()
    complete = wide[codes].notna().all(axis=1)
    wide["combined"] = wide[codes].sum(axis=1).where(complete & wide["measure"].isin(ADDITIVE))
    totals = wide[wide["measure"].isin(("communes", "total_criteria"))].pivot_table(
        index="year", columns="measure", values="combined")
    if {"communes", "total_criteria"} <= set(totals.columns):
        avg = (totals["total_criteria"] / totals["communes"]).round(2)
        is_avg = wide["measure"] == "avg_criteria"
        wide.loc[is_avg, "combined"] = wide.loc[is_avg, "year"].map(avg).where(complete[is_avg])
    wide["order"] = wide["measure"].map({m: i for i, m in enumerate(MEASURES)})
    wide = wide.sort_values(["order", "year"]).drop(columns="order").reset_index(drop=True)
    return {"province": province.name, "parts": [{**p.ref(), "in_units": p.in_units} for p in found],
            "rows": wide.to_dict("records"), "sources": list(dict.fromkeys(sources))}


def new_units(con, province: Unit, as_of: str, by_year: int = REFORM_YEAR) -> pd.DataFrame:
    """The province's units on `as_of` with their components (timeline.units_with_components) and the old
    districts they come from ("huyện cũ", an optional grouping)."""
    units = timeline.units_with_components(con, province, as_of, "commune", by_year)
    comp = timeline.components(con, list(units["unit_id"]), by_year)
    districts = comp.groupby("new_id")["old_district"].agg(lambda d: sorted(set(d.dropna())))
    units["old_districts"] = units["unit_id"].map(districts).map(lambda d: d if isinstance(d, list) else [])
    for lang in LANGS:
        via = (("; " + t("via", lang) + " ") + comp["via"]).fillna("")  # merged earlier into the unit named
        label = comp["old_name"] + " (" + comp["old_province"].fillna("") + ", " + comp["extent"].map(
            lambda e, lang=lang: t(f"extent_{e}", lang)) + via + ")"
        units[f"components_{lang}"] = units["unit_id"].map(label.groupby(comp["new_id"]).agg("; ".join))
    return units


def component_points(con, province: Unit, as_of: str, by_year: int = REFORM_YEAR) -> pd.DataFrame:
    """The GeoNames points of the old components of each new unit (no point = not placed: never a guess)."""
    units = store.units_as_of(con, province.unit_id, as_of, "commune")
    comp = timeline.components(con, list(units["unit_id"]), by_year)
    points = pd.concat([store.commune_points(con, p.code) for p in parts(con, province) if p.in_units]
                       + [pd.DataFrame(columns=["code", "lat", "lon", "source_id"])], ignore_index=True)
    out = comp.merge(points.rename(columns={"code": "old_id"}), on="old_id", how="left")
    return out[["new_id", "new_name", "old_id", "old_name", "old_district", "old_province", "extent",
                "last_level", "last_year", "lat", "lon", "source_id"]]


def unit_labels(con, province: Unit, as_of: str) -> dict[str, str]:
    """The new units' names as the map writes them: the short name, the full one where two units share it."""
    units = store.units_as_of(con, province.unit_id, as_of, "commune")
    shared = units["name"].duplicated(keep=False)
    return dict(zip(units["unit_id"], units["name"].where(~shared, units["full_name"]), strict=True))


def old_units(con, province: Unit, as_of: str) -> pd.DataFrame:
    """Before the merger: the communes of each old province on `as_of`, with the new unit(s) each became."""
    frames = []
    for part in parts(con, province):
        units = store.units_as_of(con, part.code, as_of, "commune").assign(old_province=part.name)
        frames.append(units)
    units = pd.concat(frames, ignore_index=True)
    changes = store.unit_changes(con, old_ids=list(units["unit_id"]))
    changes = changes[changes["checked"].isin(timeline.USED)]
    for lang in LANGS:
        label = changes["new_name"] + " (" + changes["extent"].map(lambda e, lang=lang: t(f"extent_{e}", lang)) + ")"
        units[f"became_{lang}"] = units["unit_id"].map(label.groupby(changes["old_id"]).agg("; ".join))
    return units


def units_on(con, province: Unit, as_of: str, by_year: int = REFORM_YEAR) -> pd.DataFrame:
    """The units that apply on `as_of`: the new units (with components) from the merger, the old ones before."""
    if province.valid_from is None or as_of >= province.valid_from:
        return new_units(con, province, as_of, by_year)
    return old_units(con, province, as_of)


def period_info(con, as_of: str) -> dict | None:
    """The period `as_of` falls in, with its commune set's counts and its targets, all from the rulebook."""
    info = period.period_of(con, as_of)
    sets = store.criteria_sets(con).set_index("set_code")
    if info["commune_set"] not in sets.index:
        return None
    row = sets.loc[info["commune_set"]]
    count = {k: None if pd.isna(row[k]) else int(row[k]) for k in ("n_criteria", "n_indicators")}
    targets = store.period_targets(con, info["period"])
    targets = targets.astype(object).where(targets.notna(), None)  # a missing level is None, not NaN
    return {**info, **count, "targets": targets.to_dict("records")}
