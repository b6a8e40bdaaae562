"""Data-quality checks: where the documents (or imported files) contradict themselves.

Each check reads the loaded facts and returns findings; a finding names the check, the unit, the two figures
that disagree and the source of each. The checks run on whatever is loaded, so imported data is checked the
same way as the seed documents. Tolerances follow how documents round: sums of money agree within half a
million VND; a stated percentage agrees when it is the computed one rounded or cut to its own decimals.
"""

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pandas as pd

from ntm import fmt, period, roadmap, store
from ntm.criteria import SET_NANG_CAO, SET_NTM, Rulebook, declared_statuses, evaluate
from ntm.i18n import LANGS
from ntm.i18n import t as label
from ntm.sources import citation
from ntm.summary import summary
from ntm.unit import Unit
from ntm.units import resolve_province

MONEY_TOLERANCE = 0.5  # million VND
WORD = re.compile(r"\b\w+\b")
SEVERITIES = ("error", "warning", "info")  # cannot both be true / a careful reader would question it / presentation


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


@dataclass(frozen=True)
class Rule:
    """One registered check: how serious, which tables it reads, and the function; what it finds is the
    catalogue's `rule_<id>`."""
    id: str
    severity: str
    tables: tuple[str, ...]
    check: Callable

    def description(self, lang: str) -> str:
        return label(f"rule_{self.id}", lang)


RULES: dict[str, Rule] = {}


def _pair(key: str, **fields) -> tuple[str, str]:
    """A catalogue label in Vietnamese and English, for a finding's two messages; a field given as a pair (vi, en)
    is filled with its text in each language (numbers: `_num`), any other field as it is."""
    vi, en = (label(key, lang, **{k: v[i] if isinstance(v, tuple) else v for k, v in fields.items()})
              for i, lang in enumerate(LANGS))
    return vi, en


def _num(value, decimals: int | None = None) -> tuple[str, str]:
    """A number as each language writes it (1.234,5 / 1,234.5), for a message's field."""
    vi, en = (fmt.number(value, decimals, lang) for lang in LANGS)
    return vi, en


def _joined(values, separator: str = " + ") -> tuple[str, str]:
    """Numbers joined, as each language writes them."""
    vi, en = (separator.join(fmt.number(v, lang=lang) for v in values) for lang in LANGS)
    return vi, en


def rule(rule_id: str, severity: str, tables: tuple[str, ...]):
    """Register a check under `rule_id`; it returns the findings of one province."""
    assert severity in SEVERITIES

    def register(function: Callable) -> Callable:
        RULES[rule_id] = Rule(rule_id, severity, tables, function)
        return function
    return register


def _src(row) -> dict:
    return {"doc_id": row.doc_id, "line": int(row.line), "section": row.section, "original_text": row.original_text}


def _year(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _total_vs_parts(check: str, total, stated: float, parts: pd.DataFrame, column: str,
                    what: tuple[str, str]) -> Finding:
    """The finding for a stated total that is not the sum of its stated parts, with the source of each."""
    computed = round(float(parts[column].sum()), 6)
    return Finding(check, total.unit_code, total.unit_name, _year(total.year), stated, computed,
                   *_pair("finding_total_vs_parts", what=what, stated=_num(stated), terms=_joined(parts[column]),
                          computed=_num(computed)),
                   [_src(total)] + [_src(r) for r in parts.itertuples()])


def part_of(total: float, parts: pd.DataFrame, column: str, tolerance: float) -> pd.DataFrame | None:
    """The smallest proper subset of `parts` (at most 12) whose sum is the stated total, or None."""
    from itertools import combinations

    values = list(parts[column])
    if len(values) > 12:
        return None
    for size in range(1, len(values)):
        for chosen in combinations(range(len(values)), size):
            if abs(sum(values[i] for i in chosen) - total) <= tolerance:
                return parts.iloc[list(chosen)]
    return None


def _sum_findings(check, totals: pd.DataFrame, parts: pd.DataFrame, keys: list[str], what: tuple[str, str],
                  partial: bool = False) -> list[Finding]:
    """A stated total against the sum of its stated parts (only where at least two parts are stated). With
    `partial`, only the totals that equal a part of their items (Trà Cú's 93.376 = central + provincial budget);
    without, only those that do not."""
    out = []
    if totals.empty or parts.empty:
        return out
    grouped = parts.groupby(keys, dropna=False)
    sums = grouped["amount"].agg(["size", "sum"]).reset_index()  # a missing key matches a missing one
    totals = totals.merge(sums, on=keys)
    totals = totals[(totals["size"] >= 2) & ~((totals["sum"] - totals["amount"]).abs() <= MONEY_TOLERANCE)]
    for total in totals.itertuples():
        group = grouped.get_group(tuple(getattr(total, k) for k in keys))
        subset = part_of(total.amount, group, "amount", MONEY_TOLERANCE)
        if partial and subset is not None:
            out.append(_total_is_part(check, total, total.amount, group, subset, "amount", what))
        elif not partial and subset is None:
            out.append(_total_vs_parts(check, total, total.amount, group, "amount", what))
    return out


def _total_is_part(check: str, total, stated: float, parts: pd.DataFrame, subset: pd.DataFrame, column: str,
                   what: tuple[str, str]) -> Finding:
    computed = round(float(parts[column].sum()), 6)
    return Finding(check, total.unit_code, total.unit_name, _year(total.year), stated, computed,
                   *_pair("finding_total_is_part", what=what, stated=_num(stated), names=_joined(subset[column]),
                          n=len(parts), computed=_num(computed)),
                   [_src(total)] + [_src(r) for r in parts.itertuples()])


def _funding(con, province) -> pd.DataFrame:
    return store.facts(con, "funding", province).rename(columns={"amount_mvnd": "amount"})


FUNDING_KEYS = ["unit_code", "year", "kind", "doc_id"]


def _total_vs_sources(con, province, partial: bool) -> list[Finding]:
    f = _funding(con, province)
    if f.empty:
        return []
    check = "total_is_part_of_items" if partial else "funding_total_vs_sources"
    return _sum_findings(check, f[(f["source"] == "total") & (f["capital_type"] == "all")],
                         f[(f["source"] != "total") & (f["capital_type"] == "all") & f["item"].isna()], FUNDING_KEYS,
                         _pair("finding_what_funding_total"), partial)


@rule("funding_total_vs_sources", "error", ("funding",))
def funding_total_vs_sources(con, province) -> list[Finding]:
    return _total_vs_sources(con, province, partial=False)


@rule("total_is_part_of_items", "error", ("funding",))
def total_is_part_of_items(con, province) -> list[Finding]:
    return _total_vs_sources(con, province, partial=True)


@rule("funding_capital_split", "error", ("funding",))
def funding_capital_split(con, province) -> list[Finding]:
    f = _funding(con, province)
    if f.empty:
        return []
    return _sum_findings("funding_capital_split", f[(f["capital_type"] == "all") & f["item"].isna()],
                         f[f["capital_type"] != "all"], [*FUNDING_KEYS, "source"],
                         _pair("finding_what_capital_split"))


@rule("funding_years_vs_period", "error", ("funding",))
def funding_years_vs_period(con, province) -> list[Finding]:
    f = _funding(con, province)
    if f.empty:
        return []
    no_item = f["item"].isna()
    return _sum_findings("funding_years_vs_period", f[f["year"].isna() & no_item],
                         f[f["year"].notna() & no_item].assign(year=float("nan")),
                         ["unit_code", "year", "kind", "doc_id", "source", "capital_type"],
                         _pair("finding_what_period"))


def _fits(stated: float, computed: float) -> str | None:
    """How a printed percentage follows from its fraction: "rounded" (as reports round, half up, to the printed
    decimals), "truncated" (cut to them), or None."""
    from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

    places = Decimal(1).scaleb(-_decimals(stated))
    exact, printed = Decimal(repr(computed)), Decimal(repr(stated))
    if exact.quantize(places, rounding=ROUND_HALF_UP) == printed:
        return "rounded"
    if exact.quantize(places, rounding=ROUND_DOWN) == printed:
        return "truncated"
    return None


def _bases(con, province) -> dict[str, list[tuple[float, str, str]]]:
    """Denominators a share of communes could be on, per unit, each with where it comes from: the programme
    communes a document states, the denominators the documents state for the unit, and the xã of the GSO list."""
    units = store.units(con, province_code=province)
    xa = units[(units["level"] == "commune") & (units["type"] == "Xã")]
    areas = units[units["level"].isin(["province", "district"])]
    existing = xa[xa["valid_to"].isna()]
    every, current = (g.groupby("parent_code").size() for g in (xa, existing))
    gso, with_merged = _pair("base_gso_list"), _pair("base_gso_with_merged")
    out: dict[str, list[tuple[float, str, str]]] = {
        code: [(float(len(existing) if level == "province" else current.get(code, 0)), *gso),
               (float(len(xa) if level == "province" else every.get(code, 0)), *with_merged)]
        for code, level in zip(areas["code"], areas["level"], strict=True)}
    for r in store.programme_scope(con, *areas["code"]).to_dict("records"):
        out[r["unit_code"]].append((float(r["count"]), *_pair("base_programme", doc=r["doc_id"], line=r["line"])))
    for table in ("reported_aggregates", "targets"):
        f = store.facts(con, table, province)
        f = f[f["measure"].str.startswith("communes_") & f["denominator"].notna()]
        for r in f.drop_duplicates(["unit_code", "denominator"]).to_dict("records"):
            out.setdefault(r["unit_code"], []).append(
                (float(r["denominator"]), *_pair("base_document", doc=r["doc_id"], line=r["line"])))
    return out


_SHARES: dict[tuple, list[Finding]] = {}


def _share_findings(con, province) -> list[Finding]:
    """The share findings of a province, worked out once per build for the four share rules that report them."""
    return store.per_build(con, _SHARES, (province,), lambda: _compute_share_findings(con, province))


def _compute_share_findings(con, province) -> list[Finding]:
    """A printed percentage against its numerator and denominator in the same sentence or table row: rounded is
    agreement; truncated, another base, or no fit at all is a finding, saying which."""
    out = []
    pairs = store.share_pairs(con)
    scope = store.programme_scope(con, province)
    programme = float(scope.iloc[0]["count"]) if not scope.empty else None
    bases = _bases(con, province)
    for table in ("reported_aggregates", "targets"):
        f = store.facts(con, table, province)
        # a share of communes with no stated denominator is a share of the province's programme communes
        of_programme = f["measure"].str.startswith("communes_") & (f["unit_code"] == province)
        f = f.assign(base_stated=f["denominator"].notna())
        f.loc[of_programme & f["denominator"].isna(), "denominator"] = programme
        year = "year" if table == "reported_aggregates" else "target_year"
        of_measure = dict(list(f.groupby("measure", sort=False)))
        for pair in pairs.itertuples():
            if pair.share_measure not in of_measure or pair.count_measure not in of_measure:
                continue
            stated = of_measure[pair.count_measure]
            counts: dict[tuple, list] = {}  # the counts of the same sentence or row, looked up once per share
            for c in stated[stated["denominator"].notna()].itertuples():
                counts.setdefault((c.unit_code, c.doc_id, c.line, _category(c)), []).append(c)
            for p in of_measure[pair.share_measure].itertuples():
                for c in counts.get((p.unit_code, p.doc_id, p.line, _category(p)), []):
                    if table == "targets" and c.value == math.ceil(p.value * c.denominator / 100 - 1e-9) \
                            and _fits(p.value, 100 * c.value / c.denominator) != "rounded":
                        out.append(_minimum_count(p, c, getattr(p, year)))  # "10% số xã (10/92 xã)"
                        continue
                    out += _classify(p, c, getattr(p, year), bases.get(p.unit_code, []))
    return out


def _category(row) -> str:
    return "" if pd.isna(row.category) else row.category


def _minimum_count(p, c, year) -> Finding:
    computed = 100 * c.value / c.denominator
    return Finding("share_minimum_count", p.unit_code, p.unit_name, _year(year), p.value, fmt.round_half_up(computed),
                   *_pair("finding_share_minimum_count", share=_num(p.value), count=_num(c.value),
                          base=_num(c.denominator), computed=_num(computed, 2)), [_src(p), _src(c)])


def _classify(p, c, year, bases) -> list[Finding]:
    computed = 100 * c.value / c.denominator
    how = _fits(p.value, computed)
    if how == "rounded":
        return []
    head = _pair("finding_share_head", share=_num(p.value), count=_num(c.value), base=_num(c.denominator),
                 computed=_num(computed, 2))
    if how == "truncated":
        rounded = fmt.round_half_up(computed, _decimals(p.value))
        return [Finding("share_truncated", p.unit_code, p.unit_name, _year(year), p.value, rounded,
                        *_pair("finding_share_truncated", head=head, rounded=_num(rounded, _decimals(p.value))),
                        [_src(p), _src(c)])]
    fitting = [] if c.base_stated else sorted(
        {(b, vi, en) for b, vi, en in bases if b != c.denominator and b > 0
         and _fits(p.value, 100 * c.value / b) is not None}, key=lambda x: x[0])
    if fitting:
        b, vi, en = fitting[0]
        others = sorted({x[0] for x in fitting} - {b})
        return [Finding("share_other_base", p.unit_code, p.unit_name, _year(year), p.value, b,
                        *_pair("finding_share_other_bases" if others else "finding_share_other_base", head=head,
                               base=_num(b), count=_num(c.value), fits=_num(100 * c.value / b, 2), source=(vi, en),
                               others=_joined(others, ", ")),
                        [_src(p), _src(c)])]
    tried = sorted({b for b, _, _ in bases if b > 0} - {c.denominator}) if not c.base_stated else []
    return [Finding("share_vs_fraction", p.unit_code, p.unit_name, _year(year), p.value,
                    fmt.round_half_up(computed),
                    *_pair("finding_share_vs_fraction_tried" if tried else "finding_share_vs_fraction", head=head,
                           tried=_joined(tried, ", ")), [_src(p), _src(c)])]


@rule("share_vs_fraction", "error", ("reported_aggregates", "targets", "share_pairs"))
def share_vs_fraction(con, province) -> list[Finding]:
    return [f for f in _share_findings(con, province) if f.check == "share_vs_fraction"]


@rule("share_truncated", "info", ("reported_aggregates", "targets", "share_pairs"))
def share_truncated(con, province) -> list[Finding]:
    return [f for f in _share_findings(con, province) if f.check == "share_truncated"]


@rule("share_minimum_count", "info", ("targets", "share_pairs"))
def share_minimum_count(con, province) -> list[Finding]:
    return [f for f in _share_findings(con, province) if f.check == "share_minimum_count"]


@rule("share_other_base", "warning", ("reported_aggregates", "targets", "programme_scope", "units"))
def share_other_base(con, province) -> list[Finding]:
    return [f for f in _share_findings(con, province) if f.check == "share_other_base"]


@rule("total_vs_breakdown", "error", ("reported_aggregates",))
def category_parts(con, province) -> list[Finding]:
    """A stated figure against its stated breakdown: category "all" vs the star classes ("3_star", …), and
    a category "X" vs its sub-categories "X: …"."""
    f = store.facts(con, "reported_aggregates", province)
    f = f[f["category"].notna() & f["value"].notna()].reset_index(drop=True)
    if f.empty:
        return []
    keys = ["unit_code", "year", "measure", "doc_id"]
    # each row as a part of the categories it can belong to: "all" for a star class, "X" for "X: …" (and "X: Y"
    # for "X: Y: …"); parents and parts matched on the keys (a missing key matches a missing one, as before)
    pieces = f["category"].str.split(":")
    candidates = [f.loc[f["category"].str.endswith("_star"), keys].assign(parent="all")]
    for depth in range(1, int(pieces.str.len().max() or 1)):
        deep = pieces.str.len() > depth
        prefix = f.loc[deep, keys].assign(parent=pieces[deep].str[:depth].str.join(":"))
        candidates.append(prefix[prefix["parent"] != "all"])  # "all" is made of the star classes only
    parts = pd.concat(candidates).rename_axis("part").reset_index()
    matched = f[keys].assign(parent=f["category"]).rename_axis("total").reset_index().merge(parts, on=[*keys, "parent"])
    matched = matched.assign(value=f["value"].to_numpy()[matched["part"]])
    sums = matched.groupby("total")["value"].agg(["size", "sum"])
    wrong = sums[(sums["size"] >= 2) & ((sums["sum"] - f["value"].reindex(sums.index)).abs() > 1e-6)]
    out = []
    for total in wrong.index:
        parent = next(f.loc[[total]].itertuples())
        rows = f.loc[sorted(matched.loc[matched["total"] == total, "part"])]
        out.append(_total_vs_parts("total_vs_breakdown", parent, parent.value, rows, "value",
                                   _pair("finding_what_breakdown", measure=parent.measure)))
    return out


@rule("criteria_out_of_wrong_total", "warning", ("reported_aggregates", "criteria_sets"))
def criteria_denominators(con, province) -> list[Finding]:
    """"Đạt 14/15 tiêu chí" where the set has 19: a count out of the wrong number of criteria."""
    sets = store.criteria_sets(con).set_index("set_code")["n_criteria"].dropna()
    f = store.facts(con, "reported_aggregates", province)
    f = f[(f["measure"] == "criteria_met") & f["denominator"].notna() & f["set_code"].isin(sets.index)]
    f = f.assign(n=f["set_code"].map(sets).astype(int))
    return [Finding("criteria_out_of_wrong_total", r.unit_code, r.unit_name, _year(r.year), r.denominator, r.n,
                    *_pair("finding_criteria_out_of_wrong_total", value=_num(r.value), denominator=_num(r.denominator),
                           set_code=r.set_code, n=r.n), [_src(r)])
            for r in f[f["denominator"].astype(int) != f["n"]].itertuples()]


LEVEL_OF_MEASURE = {"communes_ntm": "xa_ntm", "communes_nang_cao": "xa_nang_cao", "communes_kieu_mau": "xa_kieu_mau"}


@rule("count_vs_list", "error", ("reported_aggregates", "recognitions", "unmatched_names"))
def counts_vs_lists(con, province) -> list[Finding]:
    """A count of communes at a level that a document states for a year against the communes the same
    document lists for that level (text vs its appendix; a table's totals vs its own list).

    The list counts each commune once, at the earliest year the document gives it (undated = recognised
    before), names the document lists but that match no unit included. A count agrees when it equals the
    list by the end of that year or by the end of the year before (a count "as of" early in a year).
    """
    agg = store.facts(con, "reported_aggregates", province)
    agg = agg[agg["measure"].isin(list(LEVEL_OF_MEASURE)) & agg["category"].isna() & agg["year"].notna()
              & (agg["fact_kind"] == "actual")].reset_index(drop=True)
    rec = store.facts(con, "recognitions", province)
    rec = rec[rec["kind"] == "actual"]  # what is reached against the communes listed as reached
    unmatched = store.unmatched_names(con, province)
    unmatched = unmatched[unmatched["kind"] == "actual"]
    parents = store.units(con, province_code=province).set_index("code")["parent_code"]
    # every count beside the names its document lists at its level (in its district, for a district's count)
    items = pd.concat([
        pd.DataFrame({"doc_id": rec["doc_id"], "level": rec["level"], "district": rec["unit_code"].map(parents),
                      "key": rec["unit_code"], "y": rec["year"].fillna(-1), "ix": rec.index, "listed": True}),
        pd.DataFrame({"doc_id": unmatched["doc_id"], "level": unmatched["level"],
                      "district": unmatched["district_code"], "key": "?" + unmatched["written"],
                      "y": unmatched["year"].fillna(-1), "ix": unmatched.index, "listed": False})])
    counts = agg[["doc_id", "unit_code", "year", "value"]].assign(level=agg["measure"].map(LEVEL_OF_MEASURE))
    counts = counts.rename_axis("row").reset_index()
    whole = counts["unit_code"] == province
    pairs = pd.concat([counts[whole].merge(items, on=["doc_id", "level"]),
                       counts[~whole].merge(items, left_on=["doc_id", "level", "unit_code"],
                                            right_on=["doc_id", "level", "district"])])
    first = pairs.groupby(["row", "key"]).agg(y=("y", "min"), year=("year", "first")).reset_index()
    by_year = (first["y"] <= first["year"]).groupby(first["row"]).sum()
    before = (first["y"] <= first["year"] - 1).groupby(first["row"]).sum()
    counts = counts[counts["row"].isin(pairs.loc[pairs["listed"], "row"])]  # a count with a list
    counts = counts.assign(by_year=counts["row"].map(by_year), before=counts["row"].map(before))
    wrong = counts.loc[(counts["value"] != counts["by_year"]) & (counts["value"] != counts["before"]), "row"]
    out = []
    for r in agg.loc[wrong].itertuples():
        mine = pairs[pairs["row"] == r.Index]
        by_year, by_year_before = int(counts.at[r.Index, "by_year"]), int(counts.at[r.Index, "before"])
        reached = set(mine.loc[mine["y"] <= r.year, "key"])
        listed = rec.loc[mine.loc[mine["listed"], "ix"]]
        extra = unmatched.loc[mine.loc[~mine["listed"], "ix"]]
        rows = listed[listed["unit_code"].isin(reached)]
        span = _pair("finding_count_span" if by_year == by_year_before else "finding_count_span_two",
                     before=by_year_before, year_before=int(r.year) - 1, by_year=by_year, year=int(r.year))
        n_extra = extra["written"].nunique()
        out.append(Finding(
            "count_vs_list", r.unit_code, r.unit_name, _year(r.year), r.value, float(by_year),
            *_pair("finding_count_vs_list_unmatched" if n_extra else "finding_count_vs_list", value=_num(r.value),
                   measure=r.measure, year=int(r.year), span=span, unmatched=n_extra),
            [_src(r), _list_source(rows)]))
    return out


def _list_source(rows: pd.DataFrame) -> dict:
    """One source for a list of rows: its document, the span of its lines and how many communes it lists (no
    original text: the list's lines are many, and a sentence of ours is not the document's words)."""
    lines = sorted(rows["line"].astype(int))
    return {"doc_id": rows["doc_id"].iloc[0], "line": lines[0], "line_end": lines[-1],
            "section": ", ".join(sorted(set(rows["section"].dropna()))), "original_text": None,
            "communes_listed": rows["unit_code"].nunique()}


@rule("conflicting_targets", "error", ("targets",))
def conflicting_targets(con, province) -> list[Finding]:
    """Two targets for the same thing (same unit, year, measure, category, set) that cannot both hold."""
    t = store.facts(con, "targets", province)
    t = t[t["value"].notna()].assign(hi=lambda d: d["value_max"].fillna(d["value"]))
    out = []
    keys = ["unit_code", "target_year", "measure", "category", "set_code"]
    t = t[t.duplicated(keys, keep=False)]  # a target stated once conflicts with nothing
    for _, group in t.groupby(keys, dropna=False):
        rows = list(group.itertuples())
        out += [Finding("conflicting_targets", a.unit_code, a.unit_name, _year(a.target_year), a.value, b.value,
                        *_pair("finding_conflicting_targets", measure=a.measure, first=_span(a), second=_span(b)),
                        [_src(a), _src(b)])
                for i, a in enumerate(rows) for b in rows[i + 1:] if a.hi < b.value or b.hi < a.value]
    return out


def _span(target) -> tuple[str, str]:
    """A target's value, or its range (5-7)."""
    return _joined([target.value] if target.hi == target.value else [target.value, target.hi], "-")


@rule("table_inconsistent", "error", ("reported_aggregates",))
def district_tables(con, province) -> list[Finding]:
    """The communes-by-group tables: groups vs communes, average vs total, districts vs the province."""
    out = []
    prov = resolve_province(con, province)
    for year in store.summary_years(con, province, SET_NTM):
        result = summary(con, prov, year)
        entries = [(d["district_code"], d["district"], d) for d in result["districts"]]
        if result["total"]:
            entries.append((province, prov.name, result["total"]))
        for code, name, e in entries:
            for diff in e.get("checks", []) + e.get("differences", []):
                other = next(k for k in diff if k not in ("field", "reported"))
                src = [s for s in result["sources"]]
                out.append(Finding(
                    "table_inconsistent", code, name, year, diff["reported"], diff[other],
                    *_pair("finding_table_inconsistent", field=diff["field"], reported=diff["reported"],
                           computed=diff[other], other=other),
                    [{"doc_id": s["doc_id"], "line": min(s["lines"]), "section": s["section"],
                      "original_text": None} for s in src]))
    return out


@rule("declared_vs_computed", "error", ("criteria_status", "indicator_values", "thresholds"))
def declared_vs_computed(con, province) -> list[Finding]:
    """A criterion a document declares met (or not) that the indicator values it states settle the other way."""
    values = store.facts(con, "indicator_values", province,
                         columns=["unit_code", "set_code", "indicator_code", "year", "value"])
    if values.empty:
        return []
    rules, out = Rulebook.from_db(con), []
    units = store.unit_attributes(con, codes=sorted(values["unit_code"].unique()))
    names = units.set_index("unit_code")["name"]
    for set_code in (SET_NTM, SET_NANG_CAO):
        declared = declared_statuses(con, rules, set_code, province)
        ev = evaluate(values[values["set_code"] == set_code], units, rules, set_code, declared)
        for r in ev.criteria.query("disagrees").to_dict("records"):
            stated = store.facts(con, "indicator_values", unit_codes=[r["unit_code"]], set_code=set_code,
                                 year=int(r["year"]))  # the values that settle it, with their sources
            out.append(Finding(
                "declared_vs_computed", r["unit_code"], names[r["unit_code"]], int(r["year"]), None, None,
                *_pair("finding_declared_vs_computed", criterion=r["criterion_no"], set_code=set_code,
                       declared=r["declared"], computed=r["computed"]),
                [{"doc_id": r["doc_id"], "line": int(r["line"]), "section": None, "original_text": None}]
                + [_src(x) for x in stated.itertuples()]))
    return out


# ---- rules a careful reader applies --------------------------------------------------------------------

LEVEL_NAMES = {level: _pair(f"counted_{level}") for level in (*roadmap.LEVELS.values(), "huyen_ntm")}  # vi, en


def _names(rows: pd.DataFrame) -> str:
    return ", ".join(sorted(rows["unit_name"].astype(str)))


def _by_document_level(frame: pd.DataFrame) -> dict:
    """Rows grouped by document and level (None: no rows)."""
    return {None: frame.iloc[:0], **{k: g for k, g in frame.groupby(["doc_id", "level"])}}


@rule("list_vs_count", "error", ("reported_aggregates", "targets", "recognitions", "unmatched_names", "count_lists"))
def list_vs_count(con, province) -> list[Finding]:
    """A count ("thêm 04 huyện", an appendix row's total) against the names that spell it out: on the same row,
    or in the lines that follow it in the same section, up to the next count of the same kind."""
    spec = store.count_lists(con)
    rec, extra = (_by_document_level(x) for x in (store.facts(con, "recognitions", province),
                                                   store.unmatched_names(con, province)))
    out = []
    for table, year_col in (("reported_aggregates", "year"), ("targets", "target_year")):
        f = store.facts(con, table, province)
        f = f.merge(spec.rename(columns={"category": "spec_category"}), on="measure")
        f = f[f["category"].fillna("") == f["spec_category"].fillna("")]
        lines = {k: sorted(g) for k, g in f.groupby(["doc_id", "section", "measure"])["line"]}
        for c in f.itertuples():
            later = [x for x in lines.get((c.doc_id, c.section, c.measure), []) if x > c.line]
            end = later[0] if later else float("inf")  # the next count of the same kind
            year = getattr(c, year_col)

            def near(x, c=c, end=end):  # same section (unmatched names carry its title without the brackets)
                x = x.get((c.doc_id, c.level), x[None])  # the names of the document at this level
                section = x["section"].fillna("").map(lambda v, c=c: v != "" and str(c.section).startswith(v))
                return x[(x["line"] >= c.line) & (x["line"] < end) & section.astype(bool)]  # bool when empty too
            if table == "reported_aggregates":  # an appendix row (and its continuation lines): that year's names
                names, others = near(rec), near(extra)
                names, others = names[names["year"] == year], others[others["year"] == year]
            else:  # a target: the units planned up to its year in the lines that follow
                names, others = near(rec), near(extra)
                names, others = names[(names["kind"] == "planned") & (names["year"] <= year)], \
                    others[others["year"] <= year]
            n = names["unit_code"].nunique() + others["written"].nunique()
            hi = c.value if pd.isna(getattr(c, "value_max", None)) else c.value_max
            if n == 0 or c.value <= n <= hi:
                continue
            listed = ", ".join(sorted(set(names["unit_name"].astype(str)) | set(others["written"])))
            out.append(Finding(
                "list_vs_count", c.unit_code, c.unit_name, _year(year), c.value, float(n),
                *_pair("finding_list_vs_count", value=_num(c.value), what=LEVEL_NAMES.get(c.level, (c.level, c.level)),
                       n=n, listed=listed),
                [_src(c), _list_source(names) if len(names) else _src(next(others.itertuples()))]))
    return out


@rule("target_below_achieved", "warning", ("targets", "reported_aggregates"))
def target_below_achieved(con, province) -> list[Finding]:
    """A target written without "thêm" (so it reads as a total) that is below the total the documents state
    before its year: either an increment (the reading used) or the documents disagree."""
    t = store.facts(con, "targets", province)
    said = t.assign(more=t["original_text"].fillna("").str.contains("thêm")).groupby(["doc_id", "line"])["more"].any()
    # "có thêm 06 xã …; 09 xã …" — a "thêm" anywhere in the sentence (line) governs its enumeration
    t = t[t["value"].notna() & ~t.set_index(["doc_id", "line"]).index.map(said).to_numpy(dtype=bool)]
    better = store.measures(con).set_index("measure")["better"]
    t = t[t["measure"].map(better) == "higher"].reset_index(drop=True)
    # each target beside the figures stated for its unit, measure (without "_new") and category before its year and
    # above it; the latest of them (the last in document order within that year) is the one reported
    agg = store.facts(con, "reported_aggregates", province).rename_axis("position").reset_index()
    agg = agg.assign(category=agg["category"].fillna(""))[["unit_code", "measure", "category", "year", "value",
                                                             "fact_kind", "doc_id", "line", "section",
                                                             "original_text", "position"]]
    pairs = t[["unit_code", "target_year", "value"]].assign(
        measure=t["measure"].str.removesuffix("_new"), category=t["category"].fillna("")).rename_axis(
        "target").reset_index().merge(agg, on=["unit_code", "measure", "category"], suffixes=("_target", ""))
    pairs = pairs[(pairs["year"] < pairs["target_year"]) & (pairs["value"] > pairs["value_target"])]
    latest = pairs.sort_values(["target", "year", "position"]).groupby("target").tail(1).set_index("target")
    out = []
    for r in t.loc[latest.index].itertuples():
        d = latest.loc[r.Index]
        out.append(Finding(
            "target_below_achieved", r.unit_code, r.unit_name, _year(r.target_year), r.value, d["value"],
            *_pair("finding_target_below_achieved", year=int(r.target_year), value=_num(r.value), measure=r.measure,
                   done=_num(d["value"]), kind=DONE[d["fact_kind"]], done_year=int(d["year"])),
            [_src(r), {"doc_id": d["doc_id"], "line": int(d["line"]), "section": d["section"],
                       "original_text": d["original_text"]}]))
    return out


DONE = {"actual": _pair("finding_done_actual"), "expected": _pair("finding_done_expected"),
        "planned": _pair("finding_done_planned")}  # what a stated figure is, by its kind
COMMUNE_LEVELS = tuple(roadmap.LEVELS.values())  # lowest first


@rule("two_levels_same_year", "warning", ("recognitions",))
def two_levels_same_year(con, province) -> list[Finding]:
    rec = store.facts(con, "recognitions", province)
    rec = rec[(rec["kind"] == "planned") & rec["year"].notna() & rec["level"].isin(COMMUNE_LEVELS)]
    rec = rec[rec.groupby(["unit_code", "year"])["level"].transform("nunique") >= 2]
    out = []
    for (unit, year), g in rec.groupby(["unit_code", "year"]):
        levels = sorted(g["level"].unique(), key=COMMUNE_LEVELS.index)
        named = tuple(f" {word} ".join(LEVEL_NAMES[x][i] for x in levels)
                      for i, word in enumerate(_pair("finding_and")))
        out.append(Finding(
            "two_levels_same_year", unit, g["unit_name"].iloc[0], int(year), None, None,
            *_pair("finding_two_levels_same_year", levels=named, year=int(year)), [_src(r) for r in g.itertuples()]))
    return out


def _whole_districts(con, province) -> set[str]:
    """Districts whose stated NTM count equals their programme communes (Trà Cú 15/15): every commune is NTM."""
    from ntm import roadmap

    return set(roadmap.whole_districts(con, province))


@rule("higher_without_lower", "warning", ("recognitions", "reported_aggregates"))
def higher_without_lower(con, province) -> list[Finding]:
    rec = store.facts(con, "recognitions", province)
    whole = _whole_districts(con, province)
    out = []
    for higher, lower in (("xa_nang_cao", "xa_ntm"), ("xa_kieu_mau", "xa_nang_cao")):
        top = rec[(rec["level"] == higher) & (rec["kind"] == "actual")]
        below = set(rec.loc[rec["level"] == lower, "unit_code"])
        missing = top[~top["unit_code"].isin(below) & ~top["parent_code"].isin(whole if lower == "xa_ntm" else [])]
        for (_doc, _line), g in missing.drop_duplicates("unit_code").groupby(["doc_id", "line"]):
            out.append(Finding(
                "higher_without_lower", province if len(g) > 1 else g["unit_code"].iloc[0],
                g["unit_name"].iloc[0] if len(g) == 1 else _province_name(con, province),
                _year(g["year"].iloc[0]), float(len(g)), None,
                *_pair("finding_higher_without_lower", n=len(g), higher=LEVEL_NAMES[higher], names=_names(g),
                       lower=LEVEL_NAMES[lower]), [_list_source(g)]))
    return out


def _province_name(con, province) -> str:
    return resolve_province(con, province).name


@rule("criteria_19_without_decision", "warning", ("reported_aggregates", "recognitions"))
def criteria_19_without_decision(con, province) -> list[Finding]:
    sets = store.criteria_sets(con).set_index("set_code")["n_criteria"]
    a = store.facts(con, "reported_aggregates", province)
    a = a[(a["measure"] == "criteria_met") & (a["set_code"] == SET_NTM) & (a["unit_level"] == "commune")
          & (a["fact_kind"] == "actual")]
    a = a[a["value"] >= sets.get(SET_NTM, 19)]
    rec = store.facts(con, "recognitions", province)
    done = rec[(rec["level"] == "xa_ntm") & (rec["kind"] == "actual")]
    whole = _whole_districts(con, province)
    # a count with a decision by its year (or an undated one) or in a whole-NTM district is no finding
    a = a.reset_index(drop=True)
    dated = a[["unit_code", "year"]].reset_index().merge(done[["unit_code", "year"]], on="unit_code",
                                                          suffixes=("", "_done"))
    decided = dated.loc[dated["year_done"].isna() | (dated["year_done"] <= dated["year"]), "index"]
    a = a[~a.index.isin(decided) & ~a["parent_code"].isin(whole)]
    out = []
    for r in a.itertuples():
        plans = rec[(rec["unit_code"] == r.unit_code) & (rec["level"] == "xa_ntm")]
        out.append(Finding(
            "criteria_19_without_decision", r.unit_code, r.unit_name, _year(r.year), r.value, None,
            *_pair("finding_criteria_19_without_decision", value=_num(r.value), n=_num(sets.get(SET_NTM, 19)),
                   year=int(r.year)),
            [_src(r), *[_src(p) for p in plans.itertuples()][:2]]))
    return out


_THRESHOLDS: dict[tuple, pd.DataFrame] = {}


def _document_thresholds(con, province) -> pd.DataFrame:
    """The thresholds the province's documents state, worked out once per build for the two rules that read them
    (do not modify the frame)."""
    return store.per_build(con, _THRESHOLDS, (province,), lambda: _compute_document_thresholds(con, province))


def _compute_document_thresholds(con, province) -> pd.DataFrame:
    from ntm.assessment import stated_thresholds

    rules_ = Rulebook.from_db(con)
    frames = [stated_thresholds(con, rules_, s, province=province).assign(set_code=s) for s in (SET_NTM, SET_NANG_CAO)]
    stated = pd.concat(frames, ignore_index=True)
    regions = store.unit_attributes(con, province_code=province).set_index("unit_code")["region_code"]
    return stated.assign(region_code=stated["unit_code"].map(regions))


@rule("two_thresholds_one_document", "warning", ("criteria_gaps", "units"))
def two_thresholds_one_document(con, province) -> list[Finding]:
    stated = _document_thresholds(con, province)
    keys = ["doc_id", "set_code", "indicator", "year", "region_code"]
    stated = stated[stated.groupby(keys)["stated"].transform("nunique") >= 2]
    out = []
    for (_doc, set_code, indicator, year, region), g in stated.groupby(keys):
        values = sorted(g["stated"].unique())
        by_value = tuple("; ".join(f"{fmt.number(v, lang=lang)}: {_names(g[g['stated'] == v])}" for v in values)
                         for lang in LANGS)
        out.append(Finding(
            "two_thresholds_one_document", province, _province_name(con, province), int(year), values[0], values[-1],
            *_pair("finding_two_thresholds_one_document", indicator=indicator, set_code=set_code, year=int(year),
                   region=region, n=len(values), by_value=by_value),
            [_src(r) for r in g.drop_duplicates("stated").itertuples()]))
    return out


@rule("threshold_vs_rulebook", "warning", ("criteria_gaps", "thresholds", "units"))
def threshold_vs_rulebook(con, province) -> list[Finding]:
    stated = _document_thresholds(con, province)
    if stated.empty:
        return []
    rules_, out = Rulebook.from_db(con), []
    units = store.unit_attributes(con, codes=sorted(stated["unit_code"].unique()))
    for (set_code, year), g in stated.groupby(["set_code", "year"]):
        empty = pd.DataFrame(columns=["unit_code", "indicator_code", "year", "value"])
        no_declared = pd.DataFrame(columns=["unit_code", "set_code", "year", "criterion_no", "status", "doc_id",
                                            "line"])
        ev = evaluate(empty, units[units["unit_code"].isin(g["unit_code"])], rules_, set_code, no_declared,
                      [int(year)])
        numeric = set(rules_.of_set("indicators", set_code).query("kind == 'numeric'")["indicator_code"])
        known = ev.indicators[ev.indicators["threshold"].notna() & ev.indicators["certainty"].isin(
            ["confirmed", "as_quoted"]) & ev.indicators["indicator_code"].isin(numeric)]
        known = known[["unit_code", "indicator_code", "threshold", "threshold_text"]].rename(
            columns={"indicator_code": "indicator", "threshold": "rule", "threshold_text": "rule_text"})
        g = g.merge(known, on=["unit_code", "indicator"])  # the stated thresholds the rulebook settles
        out += [Finding("threshold_vs_rulebook", r.unit_code, r.unit_name, int(year), r.stated, float(r.rule),
                        *_pair("finding_threshold_vs_rulebook", indicator=r.indicator, set_code=set_code,
                               year=int(year), stated=r.threshold_text, region=r.region_code, threshold=r.rule_text),
                        [_src(r)])
                for r in g[~((g["rule"] - g["stated"]).abs() < 1e-9)].itertuples()]
    return out


@rule("name_in_wrong_district", "warning", ("recognitions", "units"))
def name_in_wrong_district(con, province) -> list[Finding]:
    """The extractors note the column a name is printed under (cột "Vạn Ninh"); a name under another district's
    column than its own is a misaligned row."""
    from ntm.matching import UnitMatcher

    rec = store.facts(con, "recognitions", province)
    rec = rec.assign(column=rec["note"].str.extract(r'cột "([^"]+)"', expand=False))
    rec = rec[rec["column"].notna()]
    if rec.empty:
        return []
    matcher = UnitMatcher(store.units(con, province_code=province))
    printed = {c: matcher.match(c, province, level="district").code for c in rec["column"].unique()}
    rec = rec.assign(printed=rec["column"].map(printed))
    wrong = rec[rec["printed"].notna() & (rec["printed"] != rec["parent_code"])]
    names = store.units(con, province_code=province).set_index("code")["name"]
    out = []
    for (_doc, line), g in wrong.groupby(["doc_id", "line"]):
        moves = [_pair("finding_name_move", name=r.unit_name, column=r.column, district=names[r.parent_code])
                 for r in g.itertuples()]
        out.append(Finding(
            "name_in_wrong_district", province, _province_name(con, province), _year(g["year"].iloc[0]),
            float(len(g)), None,
            *_pair("finding_name_in_wrong_district", section=g["section"].iloc[0], line=int(line), n=len(g),
                   moves=tuple("; ".join(move[i] for move in moves) for i in range(len(LANGS)))),
            [_src(next(g.itertuples()))]))
    return out


@rule("detail_vs_unmet_list", "warning", ("criteria_status", "criteria_gaps"))
def detail_vs_unmet_list(con, province) -> list[Finding]:
    keys = ["unit_code", "year", "doc_id", "set_code"]
    status = store.facts(con, "criteria_status", province).dropna(subset=keys)
    gaps = store.facts(con, "criteria_gaps", province)
    gaps = gaps[(gaps["unit_level"] == "commune") & gaps["criterion_no"].notna()]
    unmet = status.loc[status["status"] == "not_met", [*keys, "criterion_no"]].drop_duplicates()
    if unmet.empty or gaps.empty:
        return []
    # the detail rows of a (commune, year, document, set) with an unmet list that give a criterion not in it
    extra = gaps.merge(unmet[keys].drop_duplicates(), on=keys).merge(
        unmet.assign(listed=True), on=[*keys, "criterion_no"], how="left")
    extra = extra[extra["listed"].isna()]
    first = status.drop_duplicates(keys).set_index(keys, drop=False)  # the list's first row: its unit name and source
    unmet_of = unmet.groupby(keys)["criterion_no"].agg(set)
    out = []
    for key, g in extra.groupby(keys):
        unmet_here, head = unmet_of[key], first.loc[key]
        listed = ", ".join(sorted(unmet_here, key=lambda c: (len(c), c)))
        more = ", ".join(sorted(set(g["criterion_no"]), key=lambda c: (len(c), c)))
        unit, year, _doc, set_code = key
        out.append(Finding(
            "detail_vs_unmet_list", unit, head["unit_name"], int(year), float(len(unmet_here)),
            float(len(unmet_here) + g["criterion_no"].nunique()),
            *_pair("finding_detail_vs_unmet_list", set_code=set_code, listed=listed, more=more),
            [_src(head)] + [_src(r) for r in g.drop_duplicates("criterion_no").itertuples()]))
    return out


@rule("date_outside_frame", "info", ("recognitions", "targets", "document_periods"))
def date_outside_frame(con, province) -> list[Finding]:
    periods = store.document_periods(con).set_index("doc_id")
    rec = store.facts(con, "recognitions", province)
    rec = rec[(rec["kind"] == "planned") & rec["year"].notna()].rename(columns={"year": "when"})
    t = store.facts(con, "targets", province).rename(columns={"target_year": "when"})
    out = []
    for frame in (rec, t):
        frame = frame[frame["doc_id"].isin(periods.index) & frame["when"].notna()]
        if frame.empty:  # (an empty map takes the doc_id column's text type: nothing to compare)
            continue
        frame = frame.assign(lo=frame["doc_id"].map(periods["year_from"]), hi=frame["doc_id"].map(periods["year_to"]))
        outside = frame[(frame["when"] < frame["lo"]) | (frame["when"] > frame["hi"])]
        for (doc, _line), g in outside.groupby(["doc_id", "line"]):
            p = periods.loc[doc]
            when = int(g["when"].iloc[0])
            out.append(Finding(
                "date_outside_frame", g["unit_code"].iloc[0] if len(g) == 1 else province,
                g["unit_name"].iloc[0] if len(g) == 1 else _province_name(con, province), when, float(when),
                None, *_pair("finding_date_outside_frame", start=int(p["year_from"]), end=int(p["year_to"]), year=when,
                             names=_names(g)),
                [_list_source(g),
                 {"doc_id": doc, "line": int(p["line"]), "section": None, "original_text": p["original_text"]}]))
    return out


def findings(con, province: Unit | None = None, lang: str = "vi") -> list[dict]:
    """Every finding, for one province or all, with a citation for each source."""
    provinces = [province.code] if province else list(store.provinces(con)["code"])
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    out = []
    for code in provinces:
        for r in RULES.values():
            for f in r.check(con, code):
                record = {**asdict(f), "province_code": code, "severity": r.severity, "reviewed": False,
                          "rule": r.description(lang)}
                out.append(record)
        out += reviewed(con, code, lang)
    names = store.measures(con).set_index("measure")
    sets = period.selectable_sets(con)  # the sets a message may name
    labels = {lang_code: {**names[column].to_dict(), **{c: label(f"set_{c}", lang_code) for c in sets}}
              for lang_code, column in (("vi", "name_vi"), ("en", "name_en"))}
    for record in out:  # a measure or criteria-set code in a message is said by its name, never shown as a code
        for lang_code in ("vi", "en"):
            key = f"message_{lang_code}"
            if isinstance(record[key], str):  # codes are whole words: each word looked up
                record[key] = WORD.sub(lambda m, c=lang_code: labels[c].get(m.group(0), m.group(0)), record[key])
        for s in record["sources"]:
            s["citation"] = citation(docs[s["doc_id"]], s["section"], [s["line"], s.get("line_end", s["line"])],
                                     lang)
    return out


def reviewed(con, province_code: str, lang: str = "vi") -> list[dict]:
    """The findings a data editor recorded (data/quality/reviewed.csv), each with both sources, marked reviewed."""
    return [{"check": "reviewed", "unit_code": r["unit_code"], "unit_name": r["unit_name"], "year": r["year"],
             "stated": None, "computed": None, "message_vi": r["note_vi"], "message_en": r["note_en"],
             "sources": [{"doc_id": r["doc_id"], "line": int(r["line"]), "section": r["section"],
                          "original_text": r["original_text"]},
                         {"doc_id": r["doc_id_2"], "line": int(r["line_2"]), "section": r["section_2"],
                          "original_text": r["original_text_2"]}],
             "province_code": province_code, "severity": r["severity"], "reviewed": True,
             "rule": label("rule_reviewed", lang)}
            for r in store.reviewed_findings(con, province_code).to_dict("records")]


def rulebook(lang: str = "vi") -> list[dict]:
    """The registered rules: id, severity, what they find and the tables they read."""
    return [{"id": r.id, "severity": r.severity, "tables": list(r.tables),
             "description": r.description(lang)} for r in RULES.values()]
