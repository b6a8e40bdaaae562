"""The national illustrative database (`python -m ntm sample --national`): every province, district and commune
of the national unit lists, with generated values — "Dữ liệu minh họa / illustrative", never real.

The build is the ordinary one (ntm.loader: rulebook, periods, the 2025 units, all checks) with the documents'
facts taken out and replaced: the pre-2025 list (63 provinces, 704 districts, 10.542 communes;
data/geo/units_2024.csv) completes the units, and every rural commune (xã) gets indicator values for the NTM and
advanced sets, declared results where the rulebook leaves a criterion open, recognitions, and every province
targets, funding and reported counts. All of it cites one document of kind `minh_hoa`, and `build_info` carries
`illustrative`, which the app shows as a banner on every page. Deterministic for a seed; set-based (numpy and
SQL), no loop over communes.
"""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from ntm import dbfile, loader, paths, period, sample, store, unit_history
from ntm.criteria import SET_NANG_CAO, SET_NTM, Rulebook, evaluate
from ntm.names import normalize

KIND = "illustrative"  # the sidecar's `kind`: loader.ensure rebuilds such a file with this module
DEFAULT_DB = paths.ROOT / "var" / "national.duckdb"
VERSION = "1"  # bump when the generated content changes: the fingerprint changes and the file is rebuilt
SEED = 2025
DOC_ID = "minh_hoa"
UNITS_2024 = "geo/units_2024.csv"
UNITS_SOURCE = "dvhcvn@f3d30bd:data/dvhcvn.json (GSO 2024-09-01), GPL-3.0 — data/geo/SOURCES.md"
REAL_ONLY = ("reviewed_findings", "unmatched_names")  # about the documents' figures, which are taken out
BULK = 100_000  # rows from which a table is inserted without its row-by-row foreign-key check (store)
NOTE = "Sinh tự động (ntm/national.py), không phải số liệu thật / generated, not real"


def fingerprint(data_dir: Path) -> str:
    """What the file is built from: the ordinary sources, this generator's version and seed."""
    return hashlib.sha256(f"{KIND}:{VERSION}:{SEED}:{loader.source_fingerprint(data_dir)}".encode()).hexdigest()


def ensure(db: Path, data_dir: Path) -> dbfile.Status:
    return dbfile.ensure(db, fingerprint(data_dir), lambda: build(db, data_dir))


def build(db: Path = DEFAULT_DB, data_dir: Path | None = None) -> dict[str, int]:
    """Build the illustrative database at `db` (never the real one); returns the row count per table."""
    data_dir = data_dir or paths.data_dir()
    if Path(db).resolve() == paths.DEFAULT_DB.resolve():
        raise ValueError(f"{db} is the real database: write the illustrative one elsewhere")
    return loader.build(db, data_dir, extend=_extend, fingerprint=fingerprint(data_dir), kind=KIND)


def _extend(con, data_dir: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Replace the documents' facts with generated ones (inside the build's transaction-free temp file)."""
    for table in (*store.FACT_TABLES, *REAL_ONLY):
        con.execute(f'DELETE FROM "{table}"')
    store.insert_frame(con, "documents", pd.DataFrame([{
        "doc_id": DOC_ID, "file": "ntm/national.py", "kind": "minh_hoa", "issuer": NOTE, "number": None,
        "date": None, "date_text": None, "title": f"{sample.LABEL} — {NOTE}", "province_code": None,
        "district_code": None, "note": f"seed {SEED}"}]).reindex(columns=store.table_columns(con, "documents")))
    counts = {"units_added": _add_units(con, data_dir)}
    units = store.unit_attributes(con, xa_only=True)
    rng = np.random.default_rng(SEED)
    rules = Rulebook.from_db(con)
    counts |= {table: 0 for table in (*store.FACT_TABLES, *REAL_ONLY)}
    for table, frame in _facts(units, rules, rng, years(con)).items():
        columns = [c for c in store.table_columns(con, table) if c in frame]  # without the helper columns
        store.insert_cited(con, table, frame[columns], SOURCE, bulk=len(frame) > BULK)
        counts[table] = len(frame)
    return counts, {"illustrative": sample.LABEL, "generator": f"ntm.national v{VERSION} seed {SEED}"}


def years(con) -> list[int]:
    """The years generated: those of the documents' commune set (2021-2025)."""
    first, last = period.span(con, SET_NTM)
    return list(range(first, last + 1))


def _add_units(con, data_dir: Path) -> int:
    """The units of the pre-2025 national list that the ordinary build does not hold, with their versions and
    parents (valid until the 2025 reform)."""
    known = set(con.execute("SELECT code FROM units").df()["code"])
    listed = pd.read_csv(data_dir / UNITS_2024, dtype=str, keep_default_na=False)
    new = listed[~listed["code"].isin(known)].copy()
    regions = pd.read_csv(data_dir / "provinces_regions.csv", dtype=str)
    region = regions.set_index("province_code_pre2025")["ntm_region_code"]
    new = new.assign(full_name=new["type"] + " " + new["name"], name_norm=new["name"].map(normalize),
                     parent_code=new["parent_code"].replace("", None), region_code=new["province_code"].map(region),
                     offshore=False, source=UNITS_SOURCE)
    columns = store.table_columns(con, "units")
    for level in ("province", "district", "commune"):  # parents before children (foreign key)
        store.insert_frame(con, "units", new[new["level"] == level].reindex(columns=columns))
    end = unit_history.REFORM_DATE
    # the crosswalk already gave the old units of the merged provinces a version (not a row of `units`)
    versioned = set(con.execute("SELECT unit_id FROM unit_versions").df()["unit_id"])
    con.execute("UPDATE unit_versions SET in_units = TRUE WHERE list_contains(?, unit_id)",
                [sorted(versioned & set(new["code"]))])
    fresh = new[~new["code"].isin(versioned)]
    store.insert_frame(con, "unit_versions", fresh.assign(unit_id=fresh["code"], valid_from=None, valid_to=end,
                                                          in_units=True).reindex(
        columns=store.table_columns(con, "unit_versions")))
    parents = pd.concat([fresh[fresh["level"] != "province"].assign(parent_id=fresh["parent_code"]),
                         fresh[fresh["level"] == "commune"].assign(parent_id=fresh["province_code"])])
    store.insert_frame(con, "unit_parents", parents.assign(child_id=parents["code"], valid_from=None,
                                                           valid_to=end).reindex(
        columns=store.table_columns(con, "unit_parents")))
    return len(new)


SOURCE = {"doc_id": DOC_ID, "line": 1, "section": None, "note": NOTE}  # cited "Dữ liệu minh họa, Sinh tự động …"


def _facts(units: pd.DataFrame, rules: Rulebook, rng, years: list[int]) -> dict[str, pd.DataFrame]:
    values, declared = [], []
    for i, set_code in enumerate((SET_NTM, SET_NANG_CAO)):
        v, _ = sample.generate(units, rules, set_code, years, SEED + i)
        values.append(v)
        declared.append(_declared(v, units, rules, set_code, rng, years))
    recognitions = _recognitions(units, rng, years)
    provinces = units.groupby("province_code").size().rename("n_xa").reset_index()
    return {"indicator_values": pd.concat(values, ignore_index=True),
            "criteria_status": pd.concat(declared, ignore_index=True),
            "recognitions": recognitions,
            "reported_aggregates": _counts(recognitions, units, provinces, years),
            "targets": _targets(provinces, rng, years),
            "funding": _funding(provinces, rng, years)}


def _declared(values: pd.DataFrame, units: pd.DataFrame, rules: Rulebook, set_code: str, rng,
              years: list[int]) -> pd.DataFrame:
    """A declared result only where the values leave a criterion open (its thresholds are unknown), so a
    declaration never contradicts what the values settle."""
    criteria = evaluate(values, units, rules, set_code, None, years).criteria
    open_ = criteria.loc[criteria["status"] == "incomplete", ["unit_code", "year", "criterion_no"]]
    met = rng.random(len(open_)) < 0.86
    return open_.assign(set_code=set_code, status=np.where(met, "met", "not_met"))


def _recognitions(units: pd.DataFrame, rng, years: list[int]) -> pd.DataFrame:
    """About 55 % of xã recognised NTM before 2021, 25 % in 2021-2025, the rest planned for the last year;
    a third of those recognised by 2022 advanced later, a tenth of those model."""
    n, first, last = len(units), years[0], years[-1]
    draw = rng.random(n)
    ntm_year = np.where(draw < 0.55, rng.integers(first - 10, first, n), rng.integers(first, last + 1, n))
    reached = draw < 0.80
    advanced = reached & (ntm_year <= last - 3) & (rng.random(n) < 0.35)
    nc_year = np.minimum(np.maximum(ntm_year + rng.integers(2, 6, n), first), last)
    model = advanced & (nc_year <= last - 1) & (rng.random(n) < 0.10)
    code = units["unit_code"].to_numpy()
    parts = [
        pd.DataFrame({"unit_code": code[reached], "level": "xa_ntm", "year": ntm_year[reached], "kind": "actual"}),
        pd.DataFrame({"unit_code": code[~reached], "level": "xa_ntm", "year": last, "kind": "planned"}),
        pd.DataFrame({"unit_code": code[advanced], "level": "xa_nang_cao", "year": nc_year[advanced],
                      "kind": "actual"}),
        pd.DataFrame({"unit_code": code[model], "level": "xa_kieu_mau", "year": last, "kind": "actual"})]
    return pd.concat(parts, ignore_index=True)


def _counts(recognitions: pd.DataFrame, units: pd.DataFrame, provinces: pd.DataFrame, years: list[int]
            ) -> pd.DataFrame:
    """Per province and year: the xã and the xã recognised NTM by the end of the year (from the recognitions
    above, so the counts and the lists agree)."""
    actual = recognitions[(recognitions["level"] == "xa_ntm") & (recognitions["kind"] == "actual")]
    actual = actual.merge(units[["unit_code", "province_code"]], on="unit_code")
    grid = provinces.merge(pd.DataFrame({"year": years}), how="cross")
    reached = grid.merge(actual[["province_code", "year"]].rename(columns={"year": "at"}), on="province_code")
    cumulative = reached[reached["at"] <= reached["year"]].groupby(["province_code", "year"]).size()
    grid["value"] = grid.set_index(["province_code", "year"]).index.map(cumulative).fillna(0).to_numpy()
    ntm = grid.assign(measure="communes_ntm", denominator=grid["n_xa"], unit="xã")
    total = grid.assign(measure="communes_total", value=grid["n_xa"], denominator=None, unit="xã")
    return pd.concat([ntm, total], ignore_index=True).rename(columns={"province_code": "unit_code"})


def _targets(provinces: pd.DataFrame, rng, years: list[int]) -> pd.DataFrame:
    n = len(provinces)
    last = years[-1]
    return pd.concat([
        provinces.assign(measure="communes_ntm_share", value=rng.integers(75, 101, n).astype(float)),
        provinces.assign(measure="communes_nang_cao_share", value=rng.integers(20, 51, n).astype(float)),
    ], ignore_index=True).assign(target_year=last, unit="%", comparator=">=").rename(
        columns={"province_code": "unit_code"})


def _funding(provinces: pd.DataFrame, rng, years: list[int]) -> pd.DataFrame:
    """Per province and year, million VND: central and provincial budget planned, the total allocated and
    disbursed (never more than allocated)."""
    grid = provinces.merge(pd.DataFrame({"year": years}), how="cross")
    n = len(grid)
    central = np.round(grid["n_xa"].to_numpy() * rng.uniform(600, 1400, n))
    provincial = np.round(central * rng.uniform(0.3, 0.8, n))
    allocated = np.round((central + provincial) * rng.uniform(0.85, 1.0, n))
    disbursed = np.round(allocated * rng.uniform(0.55, 0.98, n))
    rows = [("central_budget", "planned", central), ("provincial_budget", "planned", provincial),
            ("total", "allocated", allocated), ("total", "disbursed", disbursed)]
    return pd.concat([grid.assign(source=s, kind=k, amount_mvnd=a) for s, k, a in rows], ignore_index=True).assign(
        capital_type="all").rename(columns={"province_code": "unit_code"})
