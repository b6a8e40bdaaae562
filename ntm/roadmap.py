"""Recognitions over time: which communes reached (or are to reach) a level in which year, as counts.

A commune can appear in several documents and several times in one (planned for 2023, then moved to 2024).
Its status for a level is: recognised, in the earliest year any document records (year unknown when the
document gives none); otherwise planned, for the latest year of the most recent document that plans it.
"""

import pandas as pd

from ntm import store
from ntm.sources import citation
from ntm.units import resolve_province

LEVELS = {"ntm": "xa_ntm", "nang_cao": "xa_nang_cao", "kieu_mau": "xa_kieu_mau"}


def commune_status(con, province: str, level: str) -> pd.DataFrame:
    """One row per commune with a recognition record at `level` (xa_ntm / xa_nang_cao / xa_kieu_mau)."""
    rec = store.facts(con, "recognitions", province)
    rec = rec[(rec["level"] == level) & (rec["unit_level"] == "commune")]
    if rec.empty:
        return rec.assign(status=[], status_year=[])
    dates = store.documents(con).set_index("doc_id")["date"]
    rec = rec.assign(doc_date=rec["doc_id"].map(dates))
    actual = rec[rec["kind"] == "actual"]
    dated = actual[actual["year"].notna()].sort_values("year").drop_duplicates("unit_code")
    undated = actual[~actual["unit_code"].isin(dated["unit_code"])].drop_duplicates("unit_code")
    planned = rec[(rec["kind"] == "planned") & ~rec["unit_code"].isin(actual["unit_code"])]
    planned = planned.sort_values(["doc_date", "year"], na_position="first").drop_duplicates("unit_code", keep="last")
    out = pd.concat([pd.concat([dated, undated]).assign(status="actual"), planned.assign(status="planned")],
                    ignore_index=True)
    return out.assign(status_year=out["year"].astype("Int64").astype(object).where(out["year"].notna(), None))


def _unmatched(con, province: str, level: str) -> pd.DataFrame:
    """Names a document lists at this level that match no unit: counted (they are in the document's list),
    never attached to a guessed commune."""
    names = store.unmatched_names(con, province)
    names = names[names["level"] == level]
    rows = []
    for written, group in names.groupby("written"):
        actual = group[group["kind"] == "actual"]
        pick = (actual if not actual.empty else group).sort_values("year").iloc[0]
        rows.append({"unit_code": None, "unit_name": written, "unit_name_original": written,
                     "parent_code": pick["district_code"], "doc_id": pick["doc_id"], "line": pick["line"],
                     "section": pick["section"], "status": "actual" if not actual.empty else "planned",
                     "status_year": None if pd.isna(pick["year"]) else int(pick["year"]), "unmatched": True})
    return pd.DataFrame(rows)


def _series(status: pd.DataFrame, programme: int | None) -> list[dict]:
    years = []
    undated = status[status["status_year"].isna() & (status["status"] == "actual")]
    cumulative = len(undated)
    if cumulative:
        years.append({"year": None, "kind": "actual", "new": cumulative, "cumulative": cumulative,
                      "share_pct": _share(cumulative, programme)})
    dated = status[status["status_year"].notna()]
    planned = 0  # expected is not achieved: an actual year's cumulative never counts what was only planned
    for (year, kind), group in sorted(dated.groupby(["status_year", "status"]),
                                      key=lambda kv: (kv[0][0], kv[0][1] != "actual")):
        if kind == "actual":
            cumulative += len(group)
        else:
            planned += len(group)
        total = cumulative + (planned if kind != "actual" else 0)
        years.append({"year": int(year), "kind": kind, "new": len(group), "cumulative": total,
                      "share_pct": _share(total, programme)})
    return years


def _share(count: int, programme: int | None) -> float | None:
    return round(100 * count / programme, 1) if programme else None


def by_year(con, province: dict, level: str = "ntm", lang: str = "vi") -> dict:
    """Per year: communes newly recognised (actual) or planned, the cumulative count and its share of the
    province's programme communes; the same per district."""
    code = province["code"]
    status = pd.concat([commune_status(con, code, LEVELS[level]), _unmatched(con, code, LEVELS[level])],
                       ignore_index=True)
    scope = store.programme_scope(con, code)
    programme = int(scope.iloc[0]["count"]) if not scope.empty else None
    result = {"province": {"code": code, "name": province["name"]}, "level": level,
              "programme_communes": programme, "years": [], "districts": [], "communes": [], "sources": []}
    if status.empty:
        return result
    result["years"] = _series(status, programme)
    units = store.units(con, province_code=code).set_index("code")
    status = status.assign(district_code=status["parent_code"],
                           district=status["parent_code"].map(units["name"]),
                           unmatched=status.get("unmatched", pd.Series(False, index=status.index)).fillna(False))
    for district_code, group in sorted(status.groupby("district_code"), key=lambda kv: kv[0]):
        result["districts"].append({"district_code": district_code, "district": units.loc[district_code, "name"],
                                    "years": _series(group, None)})
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    for s in status.sort_values(["status", "status_year", "district_code", "unit_code"],
                                na_position="first").itertuples():
        result["communes"].append({"code": s.unit_code, "name": s.unit_name, "district": s.district,
                                   "status": s.status, "year": None if pd.isna(s.status_year) else int(s.status_year),
                                   "written": s.unit_name_original, "matched": not s.unmatched,
                                   "doc_id": s.doc_id, "line": int(s.line),
                                   "citation": citation(docs[s.doc_id], s.section, [s.line], lang)})
    for doc_id, group in status.groupby("doc_id"):
        result["sources"].append({"doc_id": doc_id, "citation": citation(
            docs[doc_id], None, group["line"].tolist(), lang)})
    if not scope.empty:
        row = scope.iloc[0]
        result["programme_source"] = citation(docs[row["doc_id"]], row["section"], [row["line"]], lang)
    return result


def cumulative(series: list[dict], year: int) -> int | None:
    """The cumulative count of actual recognitions by the end of `year` in a roadmap series."""
    done = [y["cumulative"] for y in series if y["kind"] == "actual" and (y["year"] is None or y["year"] <= year)]
    return done[-1] if done else None


def recognised_counts(con, province: str, level: str, years: list[int]) -> dict[int, dict[str, int]]:
    """Communes recognised at `level` by the end of each year, per unit (province and districts): the count a
    document states for the unit, else the documents' commune list — but only where that list is known to be
    complete (the province's stated count for the year equals it). Elsewhere the count is unknown (absent),
    never 0."""
    stated = store.facts(con, "reported_aggregates", province)
    stated = stated[(stated["measure"] == f"communes_{level}") & stated["category"].isna()].sort_values("year")
    series = by_year(con, resolve_province(con, province), level)
    districts = store.programme_communes_per_district(con, province)
    out = {}
    for year in years:
        counts = {r["unit_code"]: int(r["value"]) for r in stated[stated["year"] <= year].to_dict("records")}
        if counts.get(province) is not None and counts[province] == cumulative(series["years"], year):
            listed = {d["district_code"]: cumulative(d["years"], year) or 0 for d in series["districts"]}
            for d in districts:
                counts.setdefault(d, listed.get(d, 0))
        out[year] = counts
    return out
