"""Build the DuckDB file from the text files in `data/`.

The build is all or nothing: it writes a new file beside the target and moves it into place only when every
file has loaded and every check has passed, so a failed build leaves the previous database untouched.
Rebuilding from the same files gives the same database (idempotent).
"""

import csv
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ntm import dbfile, imports, paths, store, unit_history
from ntm.errors import DataError, Problem
from ntm.names import normalize
from ntm.paths import DATA_DIR

GEO_SOURCE = "dvhcvn@f3d30bd (GSO 2024-09-01; polygons gis.chinhphu.vn), GPL-3.0 — data/geo/SOURCES.md"
INTEGER = {"year", "stock_year", "line", "line_2", "target_year", "n_criteria", "n_indicators", "group_no",
           "min_met", "max_met", "count", "year_from", "year_to"}
NUMERIC = INTEGER | {"value", "denominator", "value_max", "amount_mvnd", "threshold", "share_pct", "lat", "lon"}


def data_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A hash of every file under data/ (names and contents): the database is stale when it changes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(data_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def source_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """What the database is built from: data/ and the applied import batches (ntm.imports)."""
    return hashlib.sha256((data_fingerprint(data_dir) + imports.fingerprint()).encode()).hexdigest()


def ensure(db: Path, data_dir: Path | None = None) -> dbfile.Status:
    """The database to serve: current, rebuilt from data/ and the applied batches, or the last good one with the
    reason (dbfile)."""
    db, data_dir = Path(db), data_dir or paths.data_dir()
    if dbfile.recorded(db).get("kind") == "illustrative":
        from ntm import national  # an illustrative database is rebuilt as one (ntm.national builds on this module)

        return national.ensure(db, data_dir)
    return dbfile.ensure(db, source_fingerprint(data_dir), lambda: build(db, data_dir))


def build(db: Path, data_dir: Path = DATA_DIR, extend: Callable | None = None, fingerprint: str | None = None,
          kind: str | None = None) -> dict[str, int]:
    """Build `db` from `data_dir` and the applied import batches; returns the row count per table. Raises
    DataError on bad input, and leaves the previous database and its sidecar as they were. `extend(con,
    data_dir)` -> (row counts, build info) changes the content before it is sealed with `fingerprint` and
    `kind` (ntm.national: the illustrative database)."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with dbfile.lock(db, exclusive=True):
        dbfile.remove_stale_builds(db)
        tmp = db.with_name(f".{db.name}.building-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            batches = imports.applied()
            fingerprint = fingerprint or source_fingerprint(data_dir)
            con = store.connect(tmp, read_only=False)
            try:
                store.create_schema(con)
                counts = _load_all(con, data_dir, batches)
                extra_counts, info = extend(con, data_dir) if extend else ({}, {})
                counts |= extra_counts
                store.set_build_info(con, {
                    "data_fingerprint": fingerprint,
                    "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "row_counts": json.dumps(counts, sort_keys=True),
                    **info,
                })
                con.execute("CHECKPOINT")
            finally:
                con.close()
            dbfile.seal(tmp, db, fingerprint, kind)
            return counts
        finally:
            for leftover in (tmp, Path(str(tmp) + ".wal"), dbfile.sidecar(tmp)):
                leftover.unlink(missing_ok=True)


# ---- reading text files ---------------------------------------------------------------------------

def _rel(path: Path, data_dir: Path, label: str = "data") -> str:
    return f"{label}/" + str(path.relative_to(data_dir))


def _read_csv(path: Path, data_dir: Path, columns: list[str], label: str = "data") -> list[dict]:
    """Rows of a CSV as dicts of strings; the header must be exactly `columns`."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != columns:
            raise DataError([Problem(
                _rel(path, data_dir, label), 1, None,
                f"tiêu đề cột phải là {','.join(columns)} (đang là {','.join(header or [])})",
                f"header must be {','.join(columns)} (found {','.join(header or [])})")])
        rows = []
        for lineno, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                raise DataError([Problem(_rel(path, data_dir, label), lineno, None,
                                         f"có {len(values)} ô, cần {len(columns)}",
                                         f"has {len(values)} cells, expected {len(columns)}")])
            rows.append({"_row": lineno, **dict(zip(columns, values, strict=True))})
        return rows


def _geojson_props(path: Path) -> list[dict]:
    return [f["properties"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]


# ---- units ----------------------------------------------------------------------------------------

def _unit_rows(data_dir: Path) -> list[dict]:
    geo = data_dir / "geo"
    regions = {r["province_code_pre2025"]: r["ntm_region_code"]
               for r in csv.DictReader((data_dir / "provinces_regions.csv").open(encoding="utf-8"))}
    rows = [dict(code=p["code"], name=p["name"], full_name=p["full_name"], level="province",
                 type=p["type"], parent_code=None, province_code=p["code"],
                 region_code=regions.get(p["code"]), offshore=False, status_2025=None,
                 valid_to=None, source=GEO_SOURCE) for p in _geojson_props(geo / "provinces.geojson")]
    rows += [dict(code=p["code"], name=p["name"], full_name=p["full_name"], level="district",
                  type=p["type"], parent_code=p["province_code"], province_code=p["province_code"],
                  region_code=regions.get(p["province_code"]),
                  offshore=bool(p.get("offshore_archipelago")), status_2025=None, valid_to=None,
                  source=GEO_SOURCE)
             for path in sorted(geo.glob("districts_*.geojson")) for p in _geojson_props(path)]
    offshore_districts = {r["code"] for r in rows if r["offshore"]}
    for path in sorted(geo.glob("communes_*.csv")):
        for c in csv.DictReader(path.open(encoding="utf-8")):
            status = c["status_2025_01_01"]
            rows.append(dict(code=c["code"], name=c["name"], full_name=c["full_name"], level="commune",
                             type=c["type"], parent_code=c["district_code"], province_code=c["province_code"],
                             region_code=regions.get(c["province_code"]),
                             offshore=c["district_code"] in offshore_districts,
                             status_2025=None if status == "unchanged" else status,
                             valid_to=None if status == "unchanged" or status.startswith("moved") else "2025-01-01",
                             source=c["source_id"]))
    for r in rows:
        r["name_norm"] = normalize(str(r["name"]))
    return rows


def _apply_programme_scope(units: list[dict], data_dir: Path) -> list[Problem]:
    """Mark communes in the NTM programme where a document's count settles it.

    A stated count for a district (or province) marks all its xã when it equals the number of xã in the GSO
    list; otherwise which xã are meant is unknown and stays NULL. When the district counts of a province add
    up to the province's count, the xã of the province outside those districts are outside the programme.
    """
    path = data_dir / "programme_scope.csv"
    cols = ["unit_code", "unit_type", "count", "doc_id", "line", "section", "original_text", "note"]
    scope = _read_csv(path, data_dir, cols)
    by_code = {u["code"]: u for u in units}
    problems = []
    xa_of: dict[str, list[dict]] = {}
    for u in units:
        if u["level"] == "commune" and u["type"] == "Xã":
            xa_of.setdefault(u["parent_code"], []).append(u)
            xa_of.setdefault(u["province_code"], []).append(u)
    for u in units:
        u.setdefault("in_programme", None)
        u.setdefault("programme_source", None)
    ordered = sorted(scope, key=lambda r: len(r["unit_code"]))  # provinces first, then districts
    for r in ordered:
        if r["unit_code"] not in by_code:
            problems.append(Problem(_rel(path, data_dir), r["_row"], "unit_code",
                                    f"mã đơn vị '{r['unit_code']}' không có trong danh mục",
                                    f"unit code '{r['unit_code']}' is not in the unit list"))
            continue
        members = xa_of.get(r["unit_code"], [])
        cite = f"doc {r['doc_id']} line {r['line']}: {r['original_text']}"
        if len(members) == int(r["count"]):
            for u in members:
                u["in_programme"], u["programme_source"] = True, cite
        else:
            for u in members:
                u["in_programme"] = None
                u["programme_source"] = (f"{cite} — {r['count']} of {len(members)} xã in the GSO list; "
                                         "which ones is not stated")
    district_counts = Counter()
    for r in scope:
        if len(r["unit_code"]) == 3 and r["unit_code"] in by_code:
            district_counts[by_code[r["unit_code"]]["province_code"]] += int(r["count"])
    for r in scope:
        code = r["unit_code"]
        if len(code) == 2 and district_counts.get(code) == int(r["count"]):
            covered = {d["unit_code"] for d in scope if len(d["unit_code"]) == 3}
            for u in xa_of.get(code, []):
                if u["parent_code"] not in covered:
                    u["in_programme"] = False
                    u["programme_source"] = (f"doc {r['doc_id']} line {r['line']}: the district counts add up "
                                             f"to the province's {r['count']} without this district")
    return problems


# ---- reference tables and facts -------------------------------------------------------------------

def _coerce(rows: list[dict], columns: list[str], rel: str, problems: list[Problem]) -> list[dict]:
    out = []
    for r in rows:
        rec = {"_row": r["_row"]}  # the CSV row number, for messages; not a table column
        for col in columns:
            raw = (r.get(col) or "").strip()
            if col in NUMERIC and raw:
                try:
                    rec[col] = int(raw) if col in INTEGER else float(raw)
                except ValueError:
                    problems.append(Problem(rel, r["_row"], col, f"'{raw}' không phải là số (dùng dấu chấm thập phân)",
                                            f"'{raw}' is not a number (use a dot as decimal separator)"))
                    rec[col] = None
            else:
                rec[col] = raw or None
        out.append(rec)
    return out


def _check_sources(rows, rel, docs: dict[str, int], problems):
    for rec in rows:
        if not rec.get("doc_id"):
            problems.append(Problem(rel, rec["_row"], "doc_id", "thiếu nguồn (doc_id)", "missing source (doc_id)"))
        elif rec["doc_id"] not in docs:
            problems.append(Problem(rel, rec["_row"], "doc_id",
                                    f"tài liệu '{rec['doc_id']}' không có trong documents.csv",
                                    f"document '{rec['doc_id']}' is not in documents.csv"))
        if rec.get("line") is None:
            problems.append(Problem(rel, rec["_row"], "line", "thiếu số dòng nguồn", "missing source line"))
        elif docs.get(rec.get("doc_id")) and not 1 <= rec["line"] <= docs[rec["doc_id"]]:
            n = docs[rec["doc_id"]]
            problems.append(Problem(rel, rec["_row"], "line",
                                    f"dòng {rec['line']} nằm ngoài tài liệu {rec['doc_id']} ({n} dòng)",
                                    f"line {rec['line']} is outside document {rec['doc_id']} ({n} lines)"))


def _load_table(con, table: str, path: Path, data_dir: Path, known: dict, problems: list[Problem],
                is_fact: bool = True, label: str = "data") -> int:
    """Load one CSV into `table`, collecting every problem; facts are checked against units and measures."""
    columns = store.table_columns(con, table)
    already = len(problems)
    rel = _rel(path, data_dir, label)
    rows = _coerce(_read_csv(path, data_dir, columns, label), columns, rel, problems)
    if "doc_id" in columns:
        _check_sources(rows, rel, known["documents"], problems)
    if "doc_id_2" in columns:  # a second source (reviewed findings): checked the same way
        _check_sources([{**r, "doc_id": r["doc_id_2"], "line": r["line_2"]} for r in rows], rel, known["documents"],
                       problems)
    for rec in rows if is_fact else []:
        for col, vocab, what_vi, what_en in (("unit_code", known["units"], "mã đơn vị", "unit code"),
                                             ("measure", known["measures"], "chỉ tiêu đo", "measure")):
            if col in columns and rec.get(col) not in vocab:
                problems.append(Problem(rel, rec["_row"], col,
                                        f"{what_vi} '{rec.get(col)}' không có trong danh mục",
                                        f"{what_en} '{rec.get(col)}' is not known"))
    if len(problems) == already:  # a file with problems is reported, not inserted
        store.insert_frame(con, table, pd.DataFrame(rows, columns=columns))
    return len(rows)


def _doc_line_counts(data_dir: Path, docs: list[dict]) -> dict[str, int]:
    counts = {}
    for d in docs:
        path = data_dir / d["file"]
        counts[d["doc_id"]] = len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0
    return counts


def _load_all(con, data_dir: Path, batches: list[Path]) -> dict[str, int]:
    problems: list[Problem] = []
    counts: dict[str, int] = {}

    regions = {}
    for r in csv.DictReader((data_dir / "provinces_regions.csv").open(encoding="utf-8")):
        regions[r["ntm_region_code"]] = r["ntm_region_name_vi"]
    store.insert_frame(con, "regions", pd.DataFrame(
        {"region_code": list(regions), "name_vi": list(regions.values())}))

    doc_cols = store.table_columns(con, "documents")
    docs = _read_csv(data_dir / "documents.csv", data_dir, doc_cols)
    store.insert_frame(con, "documents", pd.DataFrame(
        _coerce(docs, doc_cols, "data/documents.csv", problems), columns=doc_cols))
    known: dict[str, dict[str, int] | set[str]] = {"documents": _doc_line_counts(data_dir, docs)}

    units = _unit_rows(data_dir)
    problems += _apply_programme_scope(units, data_dir)
    unit_cols = store.table_columns(con, "units")
    frame = pd.DataFrame(units).reindex(columns=unit_cols)
    for level in ("province", "district", "commune"):  # parents before children (foreign key)
        store.insert_frame(con, "units", frame[frame["level"] == level])
    known["units"] = {u["code"] for u in units}
    history, found = unit_history.build(data_dir, units)
    problems += found
    if not found:
        for table in ("unit_versions", "unit_parents", "unit_changes"):
            columns = store.table_columns(con, table)
            store.insert_frame(con, table, pd.DataFrame(history[table]).reindex(columns=columns))
            counts[table] = len(history[table])

    reference = (("programme_scope", "programme_scope.csv"), ("measures", "measures.csv"),
                 ("criteria_sets", "rules/criteria_sets.csv"), ("commune_groups", "rules/commune_groups.csv"),
                 ("share_pairs", "rules/share_pairs.csv"), ("pending_markers", "rules/pending_markers.csv"),
                 ("stock_categories", "rules/stock_categories.csv"),
                 ("unmatched_names", "names/unmatched.csv"),
                 ("criteria", "rules/criteria/criteria.csv"), ("indicators", "rules/criteria/indicators.csv"),
                 ("thresholds", "rules/criteria/thresholds.csv"),
                 ("criteria_correspondence", "rules/criteria/correspondence.csv"),
                 ("programme_targets", "rules/programme_targets.csv"), ("periods", "rules/periods.csv"),
                 ("period_targets", "rules/period_targets.csv"), ("commune_categories", "rules/commune_categories.csv"),
                 ("commune_category_assignments", "rules/commune_category_assignments.csv"),
                 ("category_thresholds", "rules/criteria/thresholds_by_category.csv"),
                 ("reviewed_findings", "quality/reviewed.csv"),
                 ("document_periods", "rules/document_periods.csv"), ("count_lists", "rules/count_lists.csv"))
    reference += tuple(("commune_points", str(p.relative_to(data_dir)))
                       for p in sorted((data_dir / "geo").glob("commune_points_*.csv")))
    for table, rel in reference:
        path = data_dir / rel
        counts[table] = counts.get(table, 0) + _load_table(con, table, path, data_dir, known, problems,
                                                           is_fact=False)
        if table == "measures":
            known["measures"] = set(con.execute("SELECT measure FROM measures").df()["measure"])

    problems += unit_history.check_assignments(con, data_dir)
    for table in store.FACT_TABLES:
        counts[table] = 0
        for path in sorted((data_dir / "facts" / table).glob("*.csv")):
            counts[table] += _load_table(con, table, path, data_dir, known, problems)
    counts["documents"] = len(docs) + _load_batches(con, batches, known, problems, counts)
    if problems:
        raise DataError(problems)
    counts["units"] = len(units)
    return counts


def _load_batches(con, batches: list[Path], known: dict, problems: list[Problem], counts: dict) -> int:
    """Each applied import batch (ntm.imports) as a source document: its one documents row, its rows.txt (line N
    = row N of the uploaded sheet) and its fact files, through the same checks as data/."""
    doc_cols = store.table_columns(con, "documents")
    for folder in batches:
        base, label = folder.parent, "imports"
        docs = _coerce(_read_csv(folder / "documents.csv", base, doc_cols, label), doc_cols,
                       _rel(folder / "documents.csv", base, label), problems)
        store.insert_frame(con, "documents", pd.DataFrame(docs, columns=doc_cols))
        lines = len((folder / "rows.txt").read_text(encoding="utf-8").splitlines())
        known["documents"].update({d["doc_id"]: lines for d in docs})
        for path in sorted(folder.glob("facts/*/*.csv")):
            table = path.parent.name
            if table not in store.FACT_TABLES:
                continue
            counts[table] = counts.get(table, 0) + _load_table(con, table, path, base, known, problems,
                                                               label=label)
    return len(batches)
