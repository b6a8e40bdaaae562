"""Recognitions over time: which communes reached (or are to reach) a level in which year, as counts.

A commune can appear in several documents and several times in one (planned for 2023, then moved to 2024).
Its status for a level is: recognised, in the earliest year any document records (year unknown when the
document gives none); otherwise planned, for the latest year of the most recent document that plans it.
"""

import copy

import pandas as pd

from ntm import store
from ntm.sources import citation
from ntm.unit import Unit
from ntm.units import resolve_province

# The commune levels, lowest first: level (programme_targets.csv) -> recognition level of the facts
# (count_lists.csv). Named once here; tests/test_vocabulary.py checks them against the rulebook tables.
LEVELS = {"ntm": "xa_ntm", "nang_cao": "xa_nang_cao", "kieu_mau": "xa_kieu_mau"}


_STATUS: dict[tuple, pd.DataFrame] = {}
_STOCKS: dict[tuple, dict] = {}


def commune_status(con, province: str, level: str) -> pd.DataFrame:
    """One row per commune with a recognition record at `level` (xa_ntm / xa_nang_cao / xa_kieu_mau). Worked out
    once per build (the roadmap, the risks, the map and the communes ask for it); do not modify the frame."""
    return store.per_build(con, _STATUS, (province, level), lambda: _commune_status(con, province, level), limit=256)


def _commune_status(con, province: str, level: str) -> pd.DataFrame:
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


def _counts(status: pd.DataFrame) -> tuple[dict, dict[str, dict]]:
    """Communes per (year, status) for the whole status frame and per district: one group-by each, the year of
    an undated row -1."""
    status = status.assign(_year=pd.to_numeric(status["status_year"]).fillna(-1).astype(int))
    whole = {(int(y), k): int(n) for (y, k), n in status.groupby(["_year", "status"]).size().items()}
    per: dict[str, dict] = {}
    for (d, y, k), n in status.groupby(["district_code", "_year", "status"]).size().items():
        per.setdefault(d, {})[(int(y), k)] = int(n)
    return whole, per


def _series(counts: dict[tuple[int, str], int], programme: int | None) -> list[dict]:
    """The yearly series from the communes per (year, status) of `_counts`."""
    years = []
    cumulative = counts.get((-1, "actual"), 0)
    if cumulative:
        years.append({"year": None, "kind": "actual", "new": cumulative, "cumulative": cumulative,
                      "share_pct": _share(cumulative, programme), "basis": "list"})
    planned = 0  # expected is not achieved: an actual year's cumulative never counts what was only planned
    for (year, kind), n in sorted(((k, n) for k, n in counts.items() if k[0] != -1),
                                  key=lambda kv: (kv[0][0], kv[0][1] != "actual")):
        if kind == "actual":
            cumulative += n
        else:
            planned += n
        total = cumulative + (planned if kind != "actual" else 0)
        years.append({"year": year, "kind": kind, "new": n, "cumulative": total,
                      "share_pct": _share(total, programme), "basis": "list"})
    return years


def _share(count: int, programme: int | None) -> float | None:
    return round(100 * count / programme, 1) if programme else None


def stocks(con, province: str, level: str, lang: str = "vi") -> dict[str, list[dict]]:
    """Per unit, the counts of communes already at `level` that the documents state (actual only): the whole
    count (no category) or a stock category of data/rules/stock_categories.csv (Quảng Nam's "112 xã đã đạt
    chuẩn NTM giai đoạn 2016-2020"), each with its date, basis and source, oldest first. Worked out once per
    build; each caller gets its own copy."""
    return copy.deepcopy(store.per_build(con, _STOCKS, (province, level, lang),
                                         lambda: _stocks(con, province, level, lang), limit=256))


def _stocks(con, province: str, level: str, lang: str) -> dict[str, list[dict]]:
    rows = store.facts(con, "reported_aggregates", province)
    categories = store.stock_categories(con).set_index("category")
    rows = rows[(rows["measure"] == f"communes_{level}") & (rows["fact_kind"] == "actual") & rows["year"].notna()
                & (rows["category"].isna() | rows["category"].isin(categories.index))]
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    out: dict[str, list[dict]] = {}
    for r in rows.to_dict("records"):
        cat = r["category"] if isinstance(r["category"], str) else None
        year = int(categories.loc[cat, "stock_year"]) if cat and pd.notna(categories.loc[cat, "stock_year"]) \
            else int(r["year"])
        basis = categories.loc[cat, f"basis_{lang}"] if cat else None
        out.setdefault(r["unit_code"], []).append({
            "year": year, "value": int(r["value"]), "category": cat, "basis": basis,
            "denominator": None if pd.isna(r["denominator"]) else r["denominator"],
            "doc_id": r["doc_id"], "line": int(r["line"]), "original_text": r["original_text"],
            "citation": citation(docs[r["doc_id"]], r["section"], [r["line"]], lang)})
    return {u: sorted(v, key=lambda x: (x["year"], x["doc_id"], x["line"])) for u, v in out.items()}


def whole_districts(con, province: str, year: int | None = None) -> dict[str, dict]:
    """Districts whose stated count of NTM communes (by `year`) equals their programme communes — Trà Cú's
    "15/15 xã" (001 l.119): every one of their communes is NTM, though no document names them. The stated stock
    of each."""
    programme = store.programme_communes_per_district(con, province)
    out = {}
    for district, stated in stocks(con, province, "ntm").items():
        whole = [s for s in stated if (year is None or s["year"] <= year) and s["category"] is None
                 and s["value"] == programme.get(district)]
        if whole:
            out[district] = whole[-1]
    return out


def anchored(series: list[dict], stated: list[dict], programme: int | None,
             complete: bool = False) -> tuple[list[dict], dict | None, bool]:
    """Stock before flow. Returns (years, stock used, whether the cumulative figures are known).

    - The documents' list is kept as it is where no stated stock exceeds it (Khánh Hòa's appendices list every
      commune since 2014): its cumulative figures are known when some stated count exists.
    - Where a stated stock exceeds what the list holds by its date, the series starts from that stock (the
      latest such) and adds the recognitions and plans dated after it.
    - Where no count is stated, the list gives increments only: `cumulative` is None, never counted from zero —
      unless the list is known to be `complete` (a district of a province whose stated counts the list matches).
    """
    def listed(year):
        done = [y["cumulative"] for y in series if y["kind"] == "actual" and (y["year"] is None or y["year"] <= year)]
        return done[-1] if done else 0

    short = [s for s in stated if s["value"] > listed(s["year"])]
    if not short:
        if stated and series and series[0]["year"] is None and series[0]["cumulative"] == stated[-1]["value"] \
                and not any(y["kind"] == "actual" and y["year"] is not None for y in series):
            # an undated list that the stated stock counts (Trà Cú's 2 advanced communes, 001 l.39): the stock dates it
            s = stated[-1]
            head = {"year": s["year"], "kind": "actual", "new": None, "cumulative": s["value"],
                    "share_pct": series[0]["share_pct"], "basis": "stock", "stock_basis": s["basis"],
                    "source": f"{s['doc_id']}:{s['line']}"}
            return [head, *series[1:]], s, True
        if stated or complete:
            return series, stated[-1] if stated else None, True
        return [{**y, "cumulative": None, "share_pct": None} for y in series], None, False
    stock = short[-1]
    per_year = {}  # every stated stock up to the one used, one per year (the whole count before a category)
    for s in sorted((s for s in stated if s["year"] <= stock["year"]), key=lambda s: s["category"] is None):
        per_year[s["year"]] = s
    stock = per_year[stock["year"]]
    years = [{"year": y, "kind": "actual", "new": None, "cumulative": s["value"],
              "share_pct": _share(s["value"], programme), "basis": "stock", "stock_basis": s["basis"],
              "source": f"{s['doc_id']}:{s['line']}"} for y, s in sorted(per_year.items())]
    total = stock["value"]
    for y in series:
        if y["year"] is None or y["year"] <= stock["year"]:
            continue  # inside the stated stock
        total += y["new"]
        years.append({**y, "cumulative": total, "share_pct": _share(total, programme)})
    return years, stock, True


_BY_YEAR: dict[tuple, dict] = {}


def by_year(con, province: Unit, level: str = "ntm", lang: str = "vi") -> dict:
    """Per year: communes newly recognised (actual) or planned, the cumulative count from the stated stock and
    its share of the province's programme communes; the same per district. Worked out once per build (the
    roadmap, the progress of targets and the map all ask for it); each caller gets its own copy."""
    return copy.deepcopy(_shared_by_year(con, province, level, lang))


def _shared_by_year(con, province: Unit, level: str, lang: str = "vi") -> dict:
    """`by_year` itself, not a copy: for a reader in this module that changes nothing."""
    return store.per_build(con, _BY_YEAR, (province.code, province.name, level, lang),
                           lambda: _by_year(con, province, level, lang), limit=256)


def _by_year(con, province: Unit, level: str, lang: str) -> dict:
    code = province.code
    status = pd.concat([commune_status(con, code, LEVELS[level]), _unmatched(con, code, LEVELS[level])],
                       ignore_index=True)
    scope = store.programme_scope(con, code)
    programme = int(scope.iloc[0]["count"]) if not scope.empty else None
    stated = stocks(con, code, level, lang)
    result = {"province": province.ref(), "level": level,
              "programme_communes": programme, "years": [], "districts": [], "communes": [], "sources": [],
              "stock": None, "stocks": stated.get(code, []), "cumulative_known": False}
    units = store.units(con, province_code=code).set_index("code")
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    if not status.empty:
        status = status.assign(district_code=status["parent_code"],
                               district=status["parent_code"].map(units["name"]),
                               unmatched=status.get("unmatched", pd.Series(False, index=status.index)).fillna(False))
    whole, per_district = _counts(status) if not status.empty else ({}, {})
    result["years"], result["stock"], result["cumulative_known"] = anchored(
        _series(whole, programme), stated.get(code, []), programme)
    programme_of = store.programme_communes_per_district(con, code)
    district_codes = sorted(set(status["district_code"]) if not status.empty else set()
                            | {u for u in stated if u in units.index and units.loc[u, "level"] == "district"})
    for district_code in district_codes:
        years, stock, known = anchored(_series(per_district.get(district_code, {}), None),
                                       stated.get(district_code, []), None,
                                       complete=result["cumulative_known"] and result["stock"] is not None
                                       and not any(y.get("basis") == "stock" for y in result["years"]))
        result["districts"].append({"district_code": district_code, "district": units.loc[district_code, "name"],
                                    "years": years, "stock": stock, "stocks": stated.get(district_code, []),
                                    "cumulative_known": known, "programme_communes": programme_of.get(district_code)})
    sources = pd.DataFrame([{"doc_id": s["doc_id"], "line": s["line"]} for v in stated.values() for s in v],
                           columns=["doc_id", "line"])
    if not status.empty:
        for s in status.sort_values(["status", "status_year", "district_code", "unit_code"],
                                    na_position="first").itertuples():
            result["communes"].append({"code": s.unit_code, "name": s.unit_name, "district": s.district,
                                       "status": s.status,
                                       "year": None if pd.isna(s.status_year) else int(s.status_year),
                                       "written": s.unit_name_original, "matched": not s.unmatched,
                                       "doc_id": s.doc_id, "line": int(s.line),
                                       "citation": citation(docs[s.doc_id], s.section, [s.line], lang)})
        sources = pd.concat([status[["doc_id", "line"]], sources], ignore_index=True)
    for doc_id, group in sources.groupby("doc_id"):
        result["sources"].append({"doc_id": doc_id, "citation": citation(
            docs[doc_id], None, sorted(set(group["line"].astype(int))), lang)})
    if not scope.empty:
        row = scope.iloc[0]
        result["programme_source"] = citation(docs[row["doc_id"]], row["section"], [row["line"]], lang)
    return result


def cumulative(series: list[dict], year: int) -> int | None:
    """The cumulative count of actual recognitions by the end of `year` in a roadmap series."""
    done = [y["cumulative"] for y in series if y["kind"] == "actual" and (y["year"] is None or y["year"] <= year)
            and y.get("basis") != "stock"]
    return done[-1] if done else None


def recognised_counts(con, province: str, level: str, years: list[int]) -> dict[int, dict[str, int]]:
    """Communes recognised at `level` by the end of each year, per unit (province and districts): the count a
    document states for the unit, else the documents' commune list — but only where that list is known to be
    complete (the province's stated count for the year equals it). Elsewhere the count is unknown (absent),
    never 0."""
    stated = store.facts(con, "reported_aggregates", province)
    stated = stated[(stated["measure"] == f"communes_{level}") & stated["category"].isna()
                    & (stated["fact_kind"] == "actual")].sort_values("year")
    series = _shared_by_year(con, resolve_province(con, province), level)  # read only
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
