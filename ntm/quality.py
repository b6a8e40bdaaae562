"""Data-quality checks: where the documents (or imported files) contradict themselves.

Each check reads the loaded facts and returns findings; a finding names the check, the unit, the two figures
that disagree and the source of each. The checks run on whatever is loaded, so imported data is checked the
same way as the seed documents. Tolerances follow how documents round: sums of money agree within half a
million VND; a stated percentage agrees when it is the computed one rounded or cut to its own decimals.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pandas as pd

from ntm import fmt, store
from ntm.criteria import SET_NANG_CAO, SET_NTM, Rulebook, declared_statuses, evaluate
from ntm.sources import citation
from ntm.summary import summary
from ntm.units import resolve_province

MONEY_TOLERANCE = 0.5  # million VND


@dataclass
class Finding:
    check: str
    unit_code: str
    unit_name: str
    year: int | None
    stated: float | None
    computed: float | None
    message_vi: str
    message_en: str
    sources: list[dict] = field(default_factory=list)


def _src(row) -> dict:
    return {"doc_id": row.doc_id, "line": int(row.line), "section": row.section, "original_text": row.original_text}


def _year(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _n(value, lang="vi") -> str:
    return fmt.number(value, lang=lang)


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _total_vs_parts(check: str, total, stated: float, parts: pd.DataFrame, column: str, what_vi: str,
                    what_en: str) -> Finding:
    """The finding for a stated total that is not the sum of its stated parts, with the source of each."""
    computed = round(float(parts[column].sum()), 6)
    terms = " + ".join(_n(v) for v in parts[column])
    terms_en = " + ".join(_n(v, "en") for v in parts[column])
    return Finding(check, total.unit_code, total.unit_name, _year(total.year), stated, computed,
                   f"{what_vi} ghi {_n(stated)} nhưng các thành phần cộng lại bằng {terms} = {_n(computed)}",
                   f"{what_en} states {_n(stated, 'en')} but its parts add up to {terms_en} = {_n(computed, 'en')}",
                   [_src(total)] + [_src(r) for r in parts.itertuples()])


def _sum_findings(check, totals: pd.DataFrame, parts: pd.DataFrame, keys: list[str], what_vi: str,
                  what_en: str) -> list[Finding]:
    """A stated total against the sum of its stated parts (only where at least two parts are stated)."""
    out = []
    if totals.empty or parts.empty:
        return out
    grouped = parts.groupby(keys, dropna=False)
    for total in totals.itertuples():
        key = tuple(getattr(total, k) for k in keys)
        try:
            group = grouped.get_group(key)
        except KeyError:
            continue
        if len(group) < 2:
            continue
        if abs(float(group["amount"].sum()) - total.amount) > MONEY_TOLERANCE:
            out.append(_total_vs_parts(check, total, total.amount, group, "amount", what_vi, what_en))
    return out


def funding_totals(con, province) -> list[Finding]:
    """Funding: a stated total vs its sources; a source vs its investment + recurrent split; a multi-year
    total vs its years."""
    f = store.facts(con, "funding", province).rename(columns={"amount_mvnd": "amount"})
    if f.empty:
        return []
    no_item = f["item"].isna()
    keys = ["unit_code", "year", "kind", "doc_id"]
    out = _sum_findings("funding_total_vs_sources",
                        f[(f["source"] == "total") & (f["capital_type"] == "all")],
                        f[(f["source"] != "total") & (f["capital_type"] == "all") & no_item], keys,
                        "Tổng nguồn vốn", "The funding total")
    out += _sum_findings("funding_capital_split", f[(f["capital_type"] == "all") & no_item],
                         f[f["capital_type"] != "all"], keys + ["source"],
                         "Tổng vốn đầu tư + sự nghiệp", "Investment + recurrent total")
    out += _sum_findings("funding_years_vs_period", f[f["year"].isna() & no_item],
                         f[f["year"].notna() & no_item].assign(year=float("nan")),
                         ["unit_code", "year", "kind", "doc_id", "source", "capital_type"],
                         "Tổng cả giai đoạn", "The multi-year total")
    return out


def shares(con, province) -> list[Finding]:
    """A stated percentage against its stated numerator and denominator, in the same sentence."""
    out = []
    pairs = store.share_pairs(con)
    scope = store.programme_scope(con, province)
    programme = float(scope.iloc[0]["count"]) if not scope.empty else None
    for table in ("reported_aggregates", "targets"):
        f = store.facts(con, table, province)
        # a share of communes with no stated denominator is a share of the province's programme communes
        of_programme = f["measure"].str.startswith("communes_") & (f["unit_code"] == province)
        f.loc[of_programme & f["denominator"].isna(), "denominator"] = programme
        year = "year" if table == "reported_aggregates" else "target_year"
        for pair in pairs.itertuples():
            pct = f[f["measure"] == pair.share_measure]
            cnt = f[(f["measure"] == pair.count_measure) & f["denominator"].notna()]
            for p in pct.itertuples():
                match = cnt[(cnt["unit_code"] == p.unit_code) & (cnt["doc_id"] == p.doc_id)
                            & (cnt["line"] == p.line)
                            & (cnt["category"].fillna("") == ("" if pd.isna(p.category) else p.category))]
                for c in match.itertuples():
                    computed = 100 * c.value / c.denominator
                    if abs(computed - p.value) >= 10 ** -_decimals(p.value):
                        out.append(Finding(
                            "share_vs_fraction", p.unit_code, p.unit_name, _year(getattr(p, year)), p.value,
                            fmt.round_half_up(computed),
                            f"Tỷ lệ ghi {_n(p.value)}% nhưng {_n(c.value)}/{_n(c.denominator)} = "
                            f"{fmt.number(computed, 2)}%",
                            f"The stated share is {_n(p.value, 'en')}% but {_n(c.value, 'en')}/"
                            f"{_n(c.denominator, 'en')} = {fmt.number(computed, 2, 'en')}%",
                            [_src(p), _src(c)]))
    return out


def category_parts(con, province) -> list[Finding]:
    """A stated figure against its stated breakdown: category "all" vs the star classes ("3_star", …), and
    a category "X" vs its sub-categories "X: …"."""
    out = []
    f = store.facts(con, "reported_aggregates", province)
    f = f[f["category"].notna() & f["value"].notna()]
    keys = ["unit_code", "year", "measure", "doc_id"]
    for parent in f.itertuples():
        same = f
        for k in keys:
            same = same[same[k].isna()] if pd.isna(getattr(parent, k)) else same[same[k] == getattr(parent, k)]
        if parent.category == "all":
            parts = same[same["category"].str.endswith("_star")]
        else:
            parts = same[same["category"].str.startswith(parent.category + ":")]
        if len(parts) >= 2 and abs(parts["value"].sum() - parent.value) > 1e-6:
            out.append(_total_vs_parts("total_vs_breakdown", parent, parent.value, parts, "value",
                                       f"Tổng ({parent.measure})", f"The total ({parent.measure})"))
    return out


def criteria_denominators(con, province) -> list[Finding]:
    """"Đạt 14/15 tiêu chí" where the set has 19: a count out of the wrong number of criteria."""
    sets = store.criteria_sets(con).set_index("set_code")["n_criteria"].dropna()
    f = store.facts(con, "reported_aggregates", province)
    f = f[(f["measure"] == "criteria_met") & f["denominator"].notna() & f["set_code"].isin(sets.index)]
    out = []
    for r in f.itertuples():
        n = int(sets[r.set_code])
        if int(r.denominator) != n:
            out.append(Finding(
                "criteria_out_of_wrong_total", r.unit_code, r.unit_name, _year(r.year), r.denominator, n,
                f"Ghi đạt {_n(r.value)}/{_n(r.denominator)} tiêu chí nhưng bộ tiêu chí {r.set_code} có {n} tiêu chí",
                f"States {_n(r.value, 'en')}/{_n(r.denominator, 'en')} criteria but set {r.set_code} has {n}",
                [_src(r)]))
    return out


LEVEL_OF_MEASURE = {"communes_ntm": "xa_ntm", "communes_nang_cao": "xa_nang_cao", "communes_kieu_mau": "xa_kieu_mau"}


def counts_vs_lists(con, province) -> list[Finding]:
    """A count of communes at a level that a document states for a year against the communes the same
    document lists for that level (text vs its appendix; a table's totals vs its own list).

    The list counts each commune once, at the earliest year the document gives it (undated = recognised
    before), names the document lists but that match no unit included. A count agrees when it equals the
    list by the end of that year or by the end of the year before (a count "as of" early in a year).
    """
    agg = store.facts(con, "reported_aggregates", province)
    agg = agg[agg["measure"].isin(list(LEVEL_OF_MEASURE)) & agg["category"].isna() & agg["year"].notna()]
    rec = store.facts(con, "recognitions", province)
    unmatched = store.unmatched_names(con, province)
    units = store.units(con, province_code=province).set_index("code")
    out = []
    for r in agg.itertuples():
        level = LEVEL_OF_MEASURE[r.measure]
        listed = rec[(rec["doc_id"] == r.doc_id) & (rec["level"] == level)]
        extra = unmatched[(unmatched["doc_id"] == r.doc_id) & (unmatched["level"] == level)]
        if r.unit_code != province:
            listed = listed[listed["unit_code"].isin(units.index[units["parent_code"] == r.unit_code])]
            extra = extra[extra["district_code"] == r.unit_code]
        if listed.empty:
            continue
        first = pd.concat([listed.assign(key=listed["unit_code"], y=listed["year"].fillna(-1)),
                           extra.assign(key="?" + extra["written"], y=extra["year"].fillna(-1))]
                          ).groupby("key")["y"].min()
        by_year, by_year_before = int((first <= r.year).sum()), int((first <= r.year - 1).sum())
        if r.value in (by_year, by_year_before):
            continue
        rows = listed[listed["unit_code"].isin(first.index[first <= r.year])]
        n_extra = extra["written"].nunique()
        note_vi = f" (gồm {n_extra} tên không khớp danh mục)" if n_extra else ""
        note_en = f" (including {n_extra} names that match no unit)" if n_extra else ""
        out.append(Finding(
            "count_vs_list", r.unit_code, r.unit_name, _year(r.year), r.value, float(by_year),
            f"Văn bản ghi {_n(r.value)} xã ({r.measure}, năm {int(r.year)}) nhưng danh sách trong cùng văn bản "
            f"có {by_year_before} xã đến hết năm {int(r.year) - 1} và {by_year} xã đến hết năm {int(r.year)}"
            + note_vi,
            f"The document states {_n(r.value, 'en')} communes ({r.measure}, {int(r.year)}) but its own list has "
            f"{by_year_before} by the end of {int(r.year) - 1} and {by_year} by the end of {int(r.year)}" + note_en,
            [_src(r), _list_source(rows)]))
    return out


def _list_source(rows: pd.DataFrame) -> dict:
    """One source for a list of rows: its document and the span of its lines."""
    lines = sorted(rows["line"].astype(int))
    return {"doc_id": rows["doc_id"].iloc[0], "line": lines[0], "line_end": lines[-1],
            "section": ", ".join(sorted(set(rows["section"].dropna()))),
            "original_text": f"{rows['unit_code'].nunique()} xã trong danh sách"}


def conflicting_targets(con, province) -> list[Finding]:
    """Two targets for the same thing (same unit, year, measure, category, set) that cannot both hold."""
    t = store.facts(con, "targets", province)
    t = t[t["value"].notna()].assign(hi=lambda d: d["value_max"].fillna(d["value"]))
    out = []
    keys = ["unit_code", "target_year", "measure", "category", "set_code"]
    for _, group in t.groupby(keys, dropna=False):
        rows = list(group.itertuples())
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                if a.hi < b.value or b.hi < a.value:
                    def show(x, lang="vi"):
                        return _n(x.value, lang) + ("" if x.hi == x.value else f"-{_n(x.hi, lang)}")
                    out.append(Finding(
                        "conflicting_targets", a.unit_code, a.unit_name, _year(a.target_year), a.value, b.value,
                        f"Hai mục tiêu khác nhau cho cùng một chỉ tiêu ({a.measure}): {show(a)} và {show(b)}",
                        f"Two different targets for the same measure ({a.measure}): {show(a, 'en')} and "
                        f"{show(b, 'en')}",
                        [_src(a), _src(b)]))
    return out


def district_tables(con, province) -> list[Finding]:
    """The communes-by-group tables: groups vs communes, average vs total, districts vs the province."""
    out = []
    prov = resolve_province(con, province)
    for year in store.summary_years(con, province, SET_NTM):
        result = summary(con, prov, year)
        entries = [(d["district_code"], d["district"], d) for d in result["districts"]]
        if result["total"]:
            entries.append((province, prov["name"], result["total"]))
        for code, name, e in entries:
            for diff in e.get("checks", []) + e.get("differences", []):
                other = next(k for k in diff if k not in ("field", "reported"))
                src = [s for s in result["sources"]]
                out.append(Finding(
                    "table_inconsistent", code, name, year, diff["reported"], diff[other],
                    f"Bảng nhóm xã: {diff['field']} ghi {diff['reported']} nhưng tính ra {diff[other]} ({other})",
                    f"Communes-by-group table: {diff['field']} states {diff['reported']} but {other} gives "
                    f"{diff[other]}",
                    [{"doc_id": s["doc_id"], "line": min(s["lines"]), "section": s["section"],
                      "original_text": None} for s in src]))
    return out


def declared_vs_computed(con, province) -> list[Finding]:
    """A criterion a document declares met (or not) that the indicator values it states settle the other way."""
    values = store.facts(con, "indicator_values", province)
    if values.empty:
        return []
    rules, out = Rulebook.from_db(con), []
    units = store.unit_attributes(con, codes=sorted(values["unit_code"].unique()))
    names = units.set_index("unit_code")["name"]
    for set_code in (SET_NTM, SET_NANG_CAO):
        declared = declared_statuses(con, rules, set_code, province)
        of_set = values[values["set_code"] == set_code]
        ev = evaluate(of_set, units, rules, set_code, declared)
        for r in ev.criteria.query("disagrees").to_dict("records"):
            stated = of_set[(of_set["unit_code"] == r["unit_code"]) & (of_set["year"] == r["year"])]
            out.append(Finding(
                "declared_vs_computed", r["unit_code"], names[r["unit_code"]], int(r["year"]), None, None,
                f"Tiêu chí {r['criterion_no']} ({set_code}) được ghi là {r['declared']} nhưng các giá trị chỉ tiêu "
                f"trong văn bản cho kết quả {r['computed']}",
                f"Criterion {r['criterion_no']} ({set_code}) is declared {r['declared']} but the indicator values "
                f"the document states give {r['computed']}",
                [{"doc_id": r["doc_id"], "line": int(r["line"]), "section": None, "original_text": None}]
                + [_src(x) for x in stated.itertuples()]))
    return out


CHECKS: list[Callable] = [funding_totals, shares, category_parts, criteria_denominators, counts_vs_lists,
                          conflicting_targets, district_tables, declared_vs_computed]


def findings(con, province: str | None = None, lang: str = "vi") -> list[dict]:
    """Every finding, for one province (GSO code) or all, with a citation for each source."""
    provinces = [province] if province else list(store.provinces(con)["code"])
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    out = []
    for code in provinces:
        for check in CHECKS:
            for f in check(con, code):
                record = asdict(f)
                record["province_code"] = code
                for s in record["sources"]:
                    s["citation"] = citation(docs[s["doc_id"]], s["section"],
                                             [s["line"], s.get("line_end", s["line"])], lang)
                out.append(record)
    return out
