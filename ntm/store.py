"""All SQL of the project: the schema, the one write path used by the loader, and the read queries.

Pages and the CLI never build SQL; they call the functions here (through the domain modules).
A DuckDB connection is not thread-safe: callers that share one take `con.cursor()` per query.
"""

import warnings
import weakref
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ntm.unit import Level, Unit

SCHEMA_FILE = Path(__file__).with_name("schema.sql")

GENERAL_CONDITIONS = "0"  # criterion number the rulebook gives to a set's general conditions (ntm.criteria)
FACT_TABLES = ("reported_aggregates", "recognitions", "targets", "funding", "criteria_status",
               "indicator_values", "criteria_gaps", "criterion_agencies")
SOURCE_COLUMNS = ("doc_id", "line", "section", "original_text", "note")


def connect(path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)  # see `frame`
_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
             pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype()}


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """A query's rows as `.df()` gives them, through Arrow: DuckDB's `.df()` builds every text column from Python
    strings (0,6 s for Hà Nội's 189.585 indicator rows), Arrow hands them over as they are (0,15 s). Columns with
    missing values are given `.df()`'s types: a nullable integer or boolean; text that is all missing (or no rows) as
    objects. (`con.sql` would spare the copy DuckDB warns of, but refuses a connection with a result still open.)"""
    table: pa.Table = con.execute(sql, params or []).to_arrow_table()  # type: ignore[assignment]  (stub: optional)
    out = table.to_pandas()
    for i, column in enumerate(table.columns):
        if column.null_count == len(column) and pa.types.is_string(column.type):  # no rows, or none with a text
            out.isetitem(i, pd.Series([None] * len(column), index=out.index, dtype=object))
        elif column.null_count and column.type in _NULLABLE:
            out.isetitem(i, column.to_pandas(types_mapper=_NULLABLE.get))
    return out


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()
    return [r[0] for r in rows]


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """The one write path: append a validated frame whose columns are the table's, in order."""
    if frame.empty:
        return
    con.register("_incoming", frame)
    try:
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _incoming')
    finally:
        con.unregister("_incoming")


def insert_cited(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, source: dict,
                 bulk: bool = False) -> None:
    """Append `frame` (some of the table's columns, by name) with the same source columns on every row, given
    once (`source`: doc_id, line, section, note) instead of repeated in millions of cells. `bulk`: the empty
    table is recreated without its constraints — DuckDB checks a foreign key row by row (7 s CPU for 4 million
    rows) — and the reference to `units` is checked once, set-based, after the insert."""
    if frame.empty:
        return
    if bulk:
        con.execute(f'CREATE TABLE "_bulk" AS FROM "{table}" LIMIT 0')
        con.execute(f'DROP TABLE "{table}"')
        con.execute(f'ALTER TABLE "_bulk" RENAME TO "{table}"')
    con.register("_incoming", frame)
    try:
        constants = ", ".join(f'?::VARCHAR AS "{c}"' if c != "line" else f'?::INTEGER AS "{c}"' for c in source)
        order = "ORDER BY unit_code" if bulk else ""  # a commune's rows together: its lookups skip row groups
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT *, {constants} FROM _incoming {order}',
                    list(source.values()))
    finally:
        con.unregister("_incoming")
    orphans = bulk and (con.execute(
        f'SELECT count(*) FROM "{table}" f ANTI JOIN units u ON u.code = f.unit_code').fetchone() or (0,))[0]
    if orphans:
        raise ValueError(f"{orphans} rows of {table} name no unit")


def set_build_info(con: duckdb.DuckDBPyConnection, info: dict[str, str]) -> None:
    con.executemany("INSERT OR REPLACE INTO build_info VALUES (?, ?)", list(info.items()))


def build_info(con) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM build_info").fetchall())


def content_checksum(con) -> str:
    """A SHA-256 of every table's rows, sorted (build_info left out: two builds of the same sources differ only in
    their build time), to tell whether two databases hold the same data."""
    import hashlib

    digest = hashlib.sha256()
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                        "'main' AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
    for table in tables:
        if table == "build_info":
            continue
        rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
        digest.update(table.encode())
        for row in sorted(repr(r) for r in rows):
            digest.update(row.encode())
    return digest.hexdigest()


def count_rows(con, table: str) -> int:
    if table not in (*FACT_TABLES, "units", "documents", "measures", "commune_groups", "regions"):
        raise ValueError(table)
    return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def fact_rows_without_source(con) -> int:
    """Rows of any fact table whose source is missing or unknown (must always be 0)."""
    parts = [f"""SELECT count(*) FROM "{t}" f LEFT JOIN documents d USING (doc_id)
                 WHERE f.doc_id IS NULL OR f.line IS NULL OR d.doc_id IS NULL""" for t in FACT_TABLES]
    return con.execute("SELECT " + " + ".join(f"({p})" for p in parts)).fetchone()[0]


# ---- reads -------------------------------------------------------------------------------------

def units(con, level: str | None = None, province_code: str | None = None) -> pd.DataFrame:
    return con.execute(
        """SELECT u.code, u.name, u.full_name, u.level, u.type, u.parent_code, p.name AS parent_name,
                  u.province_code, u.region_code, u.in_programme, u.programme_source,
                  u.offshore, u.valid_to, u.status_2025, u.name_norm
           FROM units u LEFT JOIN units p ON p.code = u.parent_code
           WHERE (? IS NULL OR u.level = ?) AND (? IS NULL OR u.province_code = ?)
           ORDER BY u.level, u.code""",
        [level, level, province_code, province_code]).df()


def provinces(con) -> pd.DataFrame:
    return units(con, level="province")


def province_units(con) -> list[Unit]:
    """The provinces of the 2024 list as Units."""
    return unit_list(con, "province")


def unit_list(con, level: Level, province_code: str | None = None) -> list[Unit]:
    """The units of one level of the 2024 list (a province's, when given) as Units, by code: a province's districts
    for the roadmap page and the CLI, its communes for the communes page."""
    return [Unit.from_record(r) for r in units(con, level, province_code).to_dict("records")]


def documents(con) -> pd.DataFrame:
    def read():
        frame = con.execute("SELECT * FROM documents ORDER BY doc_id").df()
        return frame.astype(object).where(frame.notna(), None)  # a missing number is None, not NaN

    return _per_build(con, "documents", read).copy()


def commune_groups(con, set_code: str) -> pd.DataFrame:
    return con.execute("SELECT * FROM commune_groups WHERE set_code = ? ORDER BY group_no", [set_code]).df()


def district_aggregates(con, province_code: str, year: int, set_code: str) -> pd.DataFrame:
    """Reported aggregates of a province and its districts for one year and criteria set; a figure whose
    document does not say which set it counts by (set_code NULL, Trà Cú 2022) is included, with `set_code`."""
    return con.execute(
        """SELECT r.unit_code, u.name AS unit_name, u.level, u.type AS unit_type, r.measure, r.category, r.value,
                  r.doc_id, r.line, r.section, r.original_text, r.note, r.set_code
           FROM reported_aggregates r JOIN units u ON u.code = r.unit_code
           WHERE u.province_code = ? AND u.level IN ('province', 'district')
             AND r.year = ? AND (r.set_code = ? OR r.set_code IS NULL)
             AND r.measure IN ('communes_in_group', 'communes_total', 'criteria_total', 'criteria_avg')
           ORDER BY r.unit_code, r.measure, r.category""",
        [province_code, year, set_code]).df()


def commune_criteria_met(con, province_code: str, year: int, set_code: str) -> pd.DataFrame:
    """Criteria met per commune: the declared count where a document gives one, else the count of criteria
    declared met when every criterion of the set has a declared status (an incomplete count is never used)."""
    return con.execute(
        """WITH declared AS (
               SELECT r.unit_code, r.value AS criteria_met, r.doc_id, r.line
               FROM reported_aggregates r
               WHERE r.measure = 'criteria_met' AND r.year = ? AND r.set_code = ?),
           statuses AS (
               SELECT unit_code, count(DISTINCT criterion_no) AS n_known,
                      count(DISTINCT criterion_no) FILTER (WHERE status = 'met') AS n_met,
                      min(doc_id) AS doc_id, min(line) AS line
               FROM criteria_status WHERE year = ? AND set_code = ? GROUP BY unit_code),
           per_commune AS (
               SELECT coalesce(d.unit_code, s.unit_code) AS unit_code,
                      coalesce(d.criteria_met, CASE WHEN s.n_known = cs.n_criteria THEN s.n_met END) AS criteria_met,
                      coalesce(d.doc_id, s.doc_id) AS doc_id, coalesce(d.line, s.line) AS line
               FROM declared d FULL JOIN statuses s USING (unit_code)
               LEFT JOIN criteria_sets cs ON cs.set_code = ?)
           SELECT c.code AS unit_code, c.name AS unit_name, c.parent_code AS district_code,
                  dist.name AS district_name, dist.type AS district_type, p.criteria_met, p.doc_id, p.line
           FROM per_commune p JOIN units c ON c.code = p.unit_code AND c.level = 'commune'
           JOIN units dist ON dist.code = c.parent_code
           WHERE c.province_code = ? AND p.criteria_met IS NOT NULL
           ORDER BY c.code""",
        [year, set_code, year, set_code, set_code, province_code]).df()


def summary_years(con, province_code: str, set_code: str) -> list[int]:
    rows = con.execute(
        """SELECT DISTINCT r.year FROM reported_aggregates r JOIN units u ON u.code = r.unit_code
           WHERE u.province_code = ? AND (r.set_code = ? OR (r.set_code IS NULL AND r.measure = 'communes_in_group'))
             AND r.year IS NOT NULL AND r.measure IN ('communes_in_group', 'criteria_met')
           ORDER BY r.year""", [province_code, set_code]).fetchall()
    return [r[0] for r in rows]


# A stated figure is actual unless its wording says it is only expected or aimed at (data/rules/pending_markers.csv):
# "dự kiến công nhận thêm 45 thôn" is not 45 villages recognised. Planned before expected when both occur.
FACT_KIND = """coalesce((SELECT m.kind FROM pending_markers m
                         WHERE contains(lower(coalesce(f.original_text, '') || ' ' || coalesce(f.note, '')),
                                        lower(m.marker))
                         ORDER BY m.kind = 'planned' DESC LIMIT 1), 'actual')"""


_FACTS_CACHE: dict[tuple, pd.DataFrame] = {}
FACTS_CACHE_MAX_ROWS = 200_000  # larger tables (national indicator values) are read per request, not kept


_BUILD_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> its build's key


def build_key(con) -> tuple:
    """What identifies the build a connection reads (results computed from it stay right until the next). Read
    once per connection: a connection keeps reading the file it opened, and a build writes a new file (a
    connection still building, without a fingerprint yet, is asked again)."""
    key = _BUILD_KEYS.get(con)
    if key is None:
        info = build_info(con)
        key = info.get("data_fingerprint"), info.get("built_at")
        if key[0] is not None:
            _BUILD_KEYS[con] = key
    return key


def per_build(con, memo: dict, key: tuple, compute, limit: int = 64):
    """`compute()` once per build of the database and `key`, kept in the caller's `memo` (emptied when it grows past
    `limit`: entries of an older build are never asked for again)."""
    full = (*build_key(con), *key)
    if full not in memo:
        if len(memo) > limit:
            memo.clear()
        memo[full] = compute()
    return memo[full]


def _per_build(con, name: str, read) -> pd.DataFrame:
    """A table read once per build of the database (which never changes between builds), kept in memory."""
    key = (*build_key(con), name)
    frame = _FACTS_CACHE.get(key)
    if frame is None:
        frame = read()
        if len(frame) <= FACTS_CACHE_MAX_ROWS:
            if len(_FACTS_CACHE) >= 8 * (len(FACT_TABLES) + 2):  # an older build's tables
                _FACTS_CACHE.clear()
            _FACTS_CACHE[key] = frame
    return frame


UNIT_COLUMNS = {"unit_name": "u.name", "unit_level": "u.level", "unit_type": "u.type",
                "province_code": "u.province_code", "parent_code": "u.parent_code"}  # what facts add of the unit


_FACT_COLUMNS: dict[str, frozenset] = {}  # a fact table's own columns (schema.sql: the same in every build)


def _added(table: str) -> dict[str, str]:
    """The columns `facts` adds to a fact table's own: name -> SQL."""
    return {**({"fact_kind": FACT_KIND} if table == "reported_aggregates" else {}), **UNIT_COLUMNS}


def _fact_columns(con, table: str) -> frozenset:
    if table not in _FACT_COLUMNS:
        _FACT_COLUMNS[table] = frozenset(table_columns(con, table))
    return _FACT_COLUMNS[table]


def _all_facts(con, table: str, where: str = "TRUE", params: list | None = None,
               columns: list[str] | None = None) -> pd.DataFrame:
    added = _added(table)
    chosen = ", ".join(["f.*", *(f"{sql} AS {name}" for name, sql in added.items())] if columns is None else
                       [f"{added[c]} AS {c}" if c in added else f'f."{c}"' for c in columns])
    return frame(
        con, f"""SELECT {chosen}
                 FROM "{table}" f JOIN units u ON u.code = f.unit_code
                 WHERE {where}
                 ORDER BY f.doc_id, f.line, f.rowid""", params)  # ties on a line: in the order they were loaded


def facts(con, table: str, province_code: str | None = None, unit_codes: list[str] | None = None,
          set_code: str | None = None, year: int | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """Rows of a fact table (optionally for one province, or some units; of one criteria set, one year), with the
    unit's name, level and province (`columns`: only these). The database never changes between builds, so a
    table is read once per build (keyed by the build's fingerprint and time) and filtered here; pages and checks
    ask for the same tables many times. A table too large to keep (national indicator values: millions of rows)
    is filtered in SQL and read with the columns asked for only."""
    if table not in FACT_TABLES:
        raise ValueError(table)
    if columns is not None and (unknown := set(columns) - _fact_columns(con, table) - set(_added(table))):
        raise ValueError(sorted(unknown))
    size = _per_build(con, f"{table}:rows", lambda: pd.DataFrame({"n": [count_rows(con, table)]}))["n"].iloc[0]
    if size > FACTS_CACHE_MAX_ROWS:
        filters = (("u.province_code", province_code), ("f.set_code", set_code), ("f.year", year))
        given: list[tuple[str, object]] = [(f"{c} = ?", v) for c, v in filters if v is not None]
        if unit_codes is not None:
            given.append(("f.unit_code IN (SELECT unnest(?::VARCHAR[]))", unit_codes))
        return _all_facts(con, table, " AND ".join(["TRUE", *(c for c, _ in given)]), [v for _, v in given],
                          columns)
    rows = _per_build(con, table, lambda: _all_facts(con, table))
    keep = pd.Series(True, index=rows.index)
    for column, wanted in (("province_code", province_code), ("set_code", set_code), ("year", year)):
        if wanted is not None:
            keep &= rows[column] == wanted
    if unit_codes is not None:
        keep &= rows["unit_code"].isin(unit_codes)
    return (rows if columns is None else rows[columns])[keep].reset_index(drop=True)


# Every fact table as one list of statements: table, unit, year, what is stated (`measure`), its category, value
# and kind (actual / expected / planned / need …), with the source columns, and its row's place in its table
# (`row_no`: facts of one line in the order they were loaded). The facts view reads it.
STATEMENTS = f"""
SELECT 'reported_aggregates' AS fact_table, unit_code, year, measure, category, value, denominator,
       {FACT_KIND} AS kind, set_code, doc_id, line, section, original_text, note, rowid AS row_no
       FROM reported_aggregates f
UNION ALL SELECT 'recognitions', unit_code, year, level, NULL, NULL, NULL, kind, NULL, doc_id, line, section,
       original_text, note, rowid AS row_no FROM recognitions
UNION ALL SELECT 'targets', unit_code, target_year, measure, category, value, denominator, 'target', set_code,
       doc_id, line, section, original_text, note, rowid AS row_no FROM targets
UNION ALL SELECT 'funding', unit_code, year, 'funding_' || kind, concat_ws(' / ', source, capital_type, item),
       amount_mvnd, NULL, kind, NULL, doc_id, line, section, original_text, note, rowid AS row_no FROM funding
UNION ALL SELECT 'criteria_status', unit_code, year, 'criterion_' || criterion_no, status, NULL, NULL, 'actual',
       set_code, doc_id, line, section, original_text, note, rowid AS row_no FROM criteria_status
UNION ALL SELECT 'indicator_values', unit_code, year, 'indicator_' || indicator_code, value_text, value, NULL,
       'actual', set_code, doc_id, line, section, original_text, note, rowid AS row_no FROM indicator_values
UNION ALL SELECT 'criteria_gaps', unit_code, year, 'gap_' || coalesce(indicator_code, criterion_no, ''),
       concat_ws(' / ', value_text, threshold_text, agency, expected_time), value, NULL, 'gap', set_code, doc_id,
       line, section, original_text, note, rowid AS row_no FROM criteria_gaps
UNION ALL SELECT 'criterion_agencies', unit_code, NULL, 'agency_' || coalesce(indicator_code, criterion_no, ''),
       agency, NULL, NULL, 'agency', set_code, doc_id, line, section, original_text, note, rowid AS row_no
       FROM criterion_agencies
"""


def statements(con, province_code: str | None = None, doc_id: str | None = None, measure: str | None = None,
               year: int | None = None) -> pd.DataFrame:
    """Every fact row (of every fact table) of a province and/or a document, in the document's order."""
    frame = con.execute(
        f"""SELECT s.* EXCLUDE (row_no), u.name AS unit_name, u.province_code
            FROM ({STATEMENTS}) s JOIN units u ON u.code = s.unit_code
            WHERE (? IS NULL OR u.province_code = ?) AND (? IS NULL OR s.doc_id = ?)
              AND (? IS NULL OR s.measure = ? OR s.fact_table = ? OR starts_with(s.measure, ? || '_'))
              AND (? IS NULL OR s.year = ?)
            ORDER BY s.doc_id, s.line, s.fact_table, s.unit_code, s.row_no""",
        [province_code, province_code, doc_id, doc_id, measure, measure, measure, measure, year, year]).df()
    return frame.astype(object).where(frame.notna(), None)


def commune_points(con, province_code: str) -> pd.DataFrame:
    return con.execute(
        """SELECT p.code, p.lat, p.lon, p.source_id FROM commune_points p JOIN units u USING (code)
           WHERE u.province_code = ?""", [province_code]).df()


def programme_scope(con, *unit_codes: str) -> pd.DataFrame:
    """The programme communes the documents state for these units (in the order they are stated)."""
    return con.execute("SELECT * FROM programme_scope WHERE list_contains(?::VARCHAR[], unit_code)",
                       [list(unit_codes)]).df()


def unmatched_names(con, province_code: str | None = None) -> pd.DataFrame:
    return con.execute("SELECT * FROM unmatched_names WHERE ? IS NULL OR province_code = ? ORDER BY doc_id, line",
                       [province_code, province_code]).df()


_PROGRAMME: dict[tuple, dict] = {}


def programme_communes_per_district(con, province_code: str) -> dict[str, int]:
    """Programme communes per district: the count a document states, else the xã not known to be outside. Every
    province's in one query per build (a page asks for it several times; the self-join costs the same for one)."""
    every = per_build(con, _PROGRAMME, (), lambda: _programme_communes(con), limit=8)
    return dict(every.get(province_code, {}))


def _programme_communes(con) -> dict[str, dict[str, int]]:
    rows = con.execute(
        """SELECT d.province_code, d.code, coalesce(any_value(s.count),
                  count(c.code) FILTER (WHERE c.type = 'Xã' AND c.in_programme IS NOT FALSE))
           FROM units d LEFT JOIN units c ON c.parent_code = d.code
           LEFT JOIN programme_scope s ON s.unit_code = d.code
           WHERE d.level = 'district' GROUP BY d.province_code, d.code ORDER BY d.code""").fetchall()
    out: dict[str, dict[str, int]] = {}
    for province, district, count in rows:  # one row per district
        out.setdefault(province, {})[district] = count
    return out


def programme_targets(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM programme_targets ORDER BY level").df()


def reviewed_findings(con, province_code: str | None = None) -> pd.DataFrame:
    frame = con.execute("""SELECT r.*, u.name AS unit_name FROM reviewed_findings r JOIN units u ON u.code = r.unit_code
                           WHERE ? IS NULL OR r.province_code = ? ORDER BY r.doc_id, r.line""",
                        [province_code, province_code]).df()
    return frame.astype(object).where(frame.notna(), None)


def document_periods(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM document_periods").df()


def count_lists(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM count_lists").df()


def first_recognition_year(con) -> int:
    return int(con.execute("SELECT min(year) FROM recognitions WHERE kind = 'actual'").fetchone()[0])


def stock_categories(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM stock_categories").df()


def share_pairs(con) -> pd.DataFrame:
    return con.execute("SELECT share_measure, count_measure FROM share_pairs").df()


def criteria_sets(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM criteria_sets ORDER BY set_code").df()


def measures(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM measures ORDER BY measure").df()


# ---- criteria rulebook and evaluation ---------------------------------------------------------------

def rulebook_tables(con) -> dict[str, pd.DataFrame]:
    """The criteria rulebook as frames (sets, criteria, indicators, thresholds, groups, correspondence)."""
    return {name: con.execute(f'SELECT * FROM "{table}"').df() for name, table in (
        ("sets", "criteria_sets"), ("criteria", "criteria"), ("indicators", "indicators"),
        ("thresholds", "thresholds"), ("groups", "commune_groups"), ("correspondence", "criteria_correspondence"))}


def unit_attributes(con, codes: list[str] | None = None, province_code: str | None = None,
                    xa_only: bool = False, level: str = "commune") -> pd.DataFrame:
    """What the evaluation needs of a commune: its region and whether it is especially difficult (xa_only:
    the rural communes (xã) not known to be outside the programme)."""
    return frame(
        con, """SELECT u.code AS unit_code, u.name, u.parent_code AS district_code, d.name AS district,
                  u.province_code, u.region_code, coalesce(u.especially_difficult, FALSE) AS especially_difficult
           FROM units u LEFT JOIN units d ON d.code = u.parent_code
           WHERE u.level = ? AND (? IS NULL OR u.province_code = ?)
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], u.code))
             AND (NOT ? OR (u.type = 'Xã' AND u.in_programme IS NOT FALSE))
           ORDER BY u.code""", [level, province_code, province_code, codes, codes, xa_only])


# Inside an evaluation, units, years, indicators and criteria are integer ids and statuses are small codes
# (0 no value / incomplete, 1 unknown threshold, 2 met, 3 not met): the 2-million-row tables stay narrow.
STATUS = {0: "no_value", 1: "unknown_threshold", 2: "met", 3: "not_met"}
CRITERION_STATUS = {0: "incomplete", 2: "met", 3: "not_met"}

EVALUATE_SETUP = """
CREATE TEMP TABLE years AS SELECT year, (row_number() OVER (ORDER BY year) - 1)::INTEGER AS yid
    FROM (SELECT DISTINCT year FROM _years);
CREATE TEMP TABLE zones AS SELECT (row_number() OVER () - 1)::INTEGER AS zid, province_code, region  -- threshold zones
    FROM (SELECT DISTINCT province_code,
                 coalesce(CASE WHEN especially_difficult THEN 'TDMNPB' ELSE region_code END, '') AS region
          FROM _units);
CREATE TEMP TABLE units AS SELECT (row_number() OVER () - 1)::INTEGER AS uid, u.unit_code, z.zid
    FROM _units u JOIN zones z ON z.province_code = u.province_code
         AND z.region = coalesce(CASE WHEN u.especially_difficult THEN 'TDMNPB' ELSE u.region_code END, '');
CREATE TEMP TABLE crits AS SELECT (row_number() OVER (ORDER BY try_cast(criterion_no AS INTEGER), criterion_no)
                                   - 1)::INTEGER AS cid, criterion_no,
    count(*) AS n_indicators FROM _indicators GROUP BY criterion_no;
CREATE TEMP TABLE inds AS SELECT (row_number() OVER () - 1)::INTEGER AS iid, c.cid, i.criterion_no, i.indicator_code
    FROM _indicators i JOIN crits c USING (criterion_no);
CREATE TEMP TABLE picked AS  -- per zone, year and indicator the one threshold that applies: known first, then the
                        -- province's own, the region's, the national one; the latest
    SELECT z.zid, y.yid, i.iid, t.threshold_id, t.comparator, t.threshold,
           t.certainty IN ('confirmed', 'as_quoted') AS known
    FROM zones z, years y, inds i JOIN _thresholds t ON t.indicator_code = i.indicator_code
         AND (t.province_code IS NULL OR t.province_code = z.province_code)
         AND (t.region_code IS NULL OR t.region_code = z.region)
         AND (t.year_from IS NULL OR y.year BETWEEN t.year_from AND t.year_to)
    QUALIFY row_number() OVER (PARTITION BY z.zid, y.yid, i.iid
                               ORDER BY known DESC, t.province_code IS NOT NULL DESC, t.region_code IS NOT NULL DESC,
                                        t.year_from DESC NULLS LAST) = 1;
"""

STATUS_SQL = """(CASE WHEN {v} IS NULL THEN 0
             WHEN p.comparator IS NULL OR p.threshold IS NULL OR NOT p.known THEN 1
             WHEN (p.comparator = '>=' AND {v} >= p.threshold) OR (p.comparator = '>' AND {v} > p.threshold)
               OR (p.comparator = '<=' AND {v} <= p.threshold) OR (p.comparator = '<' AND {v} < p.threshold)
               OR (p.comparator = '==' AND {v} = p.threshold) THEN 2
             ELSE 3 END)::UTINYINT"""

# A criterion is met when all its indicators are met. The indicator results are computed in numpy over the value
# rows, with units, indicators and years as integer positions and the thresholds picked as a small dense table
# (zone × year × indicator): no join on text codes, no hash aggregation. Counted per unit, year and criterion
# (np.bincount on one integer cell), then kept per unit and year as two masks (bit c: criterion c has an
# indicator not met / has all its indicators met) for the criterion rows read on demand (READ_ROWS).
MASK_LIMITS = {"criteria": 64}
COMPARATORS = (">=", ">", "<=", "<", "==")  # op codes 1-5; 0: not decidable (no threshold, not known); 6: other
RULE_TABLE = f"""
SELECT zid, yid, iid, threshold,
       CASE WHEN comparator IS NULL OR threshold IS NULL OR NOT coalesce(known, TRUE) THEN 0
            ELSE coalesce(list_position({list(COMPARATORS)}, comparator), {len(COMPARATORS) + 1}) END AS op
FROM picked"""
DECLARED_CELLS = """
SELECT u.uid, y.yid, c.cid, d.status = 'met' AS met
FROM _declared d JOIN units u USING (unit_code) JOIN years y USING (year) JOIN crits c USING (criterion_no)
WHERE d.status IN ('met', 'not_met')"""


def _positions(column: pd.Series, known: np.ndarray) -> np.ndarray:
    """The position of each cell of `column` in `known` (-1: not there), hashed in Arrow (text columns from
    DuckDB are Arrow-backed already; pandas' lookup of millions of cells is several times slower)."""
    cells = pa.array(column)
    if pa.types.is_null(cells.type):  # empty, or no value at all
        return np.full(len(cells), -1)
    return pc.index_in(cells, value_set=pa.array(known, type=cells.type)).fill_null(-1).to_numpy()


def _indicator_counts(con, values: pd.DataFrame, n_criteria: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unit and year (rows: uid × years + yid) and criterion (columns: cid), the number of its indicators
    met and not met."""
    units = con.execute("SELECT unit_code, zid FROM units ORDER BY uid").fetchnumpy()
    years = con.execute("SELECT year FROM years ORDER BY yid").fetchnumpy()["year"]
    inds = con.execute("SELECT indicator_code, cid FROM inds ORDER BY iid").fetchnumpy()
    n_zones = con.execute("SELECT count(*) FROM zones").fetchall()[0][0]
    shape = (n_zones, len(years), len(inds["cid"]))
    rules = con.execute(RULE_TABLE).fetchnumpy()
    cells = np.ravel_multi_index((rules["zid"], rules["yid"], rules["iid"]), shape)
    op, threshold = np.zeros(int(np.prod(shape)), dtype=np.int8), np.full(int(np.prod(shape)), np.nan)
    op[cells], threshold[cells] = rules["op"], rules["threshold"]
    uid, iid, yid = (_positions(values[col], known) for col, known in (
        ("unit_code", units["unit_code"]), ("indicator_code", inds["indicator_code"]), ("year", years)))
    keep = (uid >= 0) & (iid >= 0) & (yid >= 0)
    uid, iid, yid, x = uid[keep], iid[keep], yid[keep], values["value"].to_numpy(dtype=float)[keep]
    rule = np.ravel_multi_index((units["zid"][uid], yid, iid), shape)
    op, threshold = op[rule], threshold[rule]
    with np.errstate(invalid="ignore"):
        passed = np.select([op == 1, op == 2, op == 3, op == 4, op == 5],
                           [x >= threshold, x > threshold, x <= threshold, x < threshold, x == threshold], False)
    decided = (op > 0) & ~np.isnan(x)
    cell = (uid * len(years) + yid) * n_criteria + inds["cid"][iid]
    rows = len(units["zid"]) * len(years)

    def count(flag: np.ndarray) -> np.ndarray:
        return np.bincount(cell[decided & flag], minlength=rows * n_criteria).reshape(rows, n_criteria)

    return count(passed), count(~passed)


def _masks(con, settled_met: np.ndarray, settled_not: np.ndarray) -> pd.DataFrame:
    """uid, yid and the two masks of every unit and year."""
    n_years = con.execute("SELECT count(*) FROM years").fetchall()[0][0]
    bit = np.uint64(1) << np.arange(settled_met.shape[1], dtype=np.uint64)
    rows = np.arange(len(settled_met))
    return pd.DataFrame({"uid": (rows // max(n_years, 1)).astype(np.int32), "yid": (rows % max(n_years, 1)).astype(
        np.int32), "met_mask": (settled_met * bit).sum(axis=1, dtype=np.uint64),
        "not_mask": (settled_not * bit).sum(axis=1, dtype=np.uint64)})


# Criterion results for the units in `chosen` (all of them, or those asked for): the indicators decide where
# they settle it, a declared result fills in where they do not.
CRITERIA_CTE = """
computed AS (
    SELECT u.uid, y.yid, c.cid, (CASE WHEN (coalesce(m.not_mask, 0) >> c.cid::UBIGINT) & 1 = 1 THEN 3
                                      WHEN (coalesce(m.met_mask, 0) >> c.cid::UBIGINT) & 1 = 1 THEN 2
                                      ELSE 0 END)::UTINYINT AS computed
    FROM chosen u CROSS JOIN years y CROSS JOIN crits c LEFT JOIN _masks m USING (uid, yid)),
declared AS (
    SELECT u.uid, y.yid, c.cid, (CASE d.status WHEN 'met' THEN 2 WHEN 'not_met' THEN 3 END)::UTINYINT AS declared,
           d.doc_id, d.line
    FROM _declared d JOIN chosen u USING (unit_code) JOIN years y USING (year) JOIN crits c USING (criterion_no)),
criteria AS (
    SELECT c.uid, c.yid, c.cid, c.computed, d.declared, d.doc_id, d.line,
           (CASE WHEN c.computed = 0 AND d.declared IS NOT NULL THEN d.declared ELSE c.computed END)::UTINYINT
               AS status,
           c.computed = 0 AND d.declared IS NOT NULL AS by_declaration,
           d.declared IS NOT NULL AND c.computed <> 0 AND d.declared <> c.computed AS disagrees
    FROM computed c LEFT JOIN declared d USING (uid, yid, cid))
"""
CHOSEN = """chosen AS (SELECT * FROM units WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], unit_code))"""

def _unit_counts(con, crits: pd.DataFrame, settled_met: np.ndarray, settled_not: np.ndarray) -> pd.DataFrame:
    """unit_code, year, criteria met / not met / incomplete and the criteria not met (numeric order; None when
    all are): a criterion with an indicator not met is not met, one whose indicators are all met is met,
    otherwise its declared result fills it in (not met when declared both ways); a set's general conditions
    (criterion "0") are reported apart, not counted. Rows ordered by unit code and year."""
    units = con.execute("SELECT unit_code FROM units ORDER BY uid").fetchnumpy()["unit_code"]
    years = con.execute("SELECT year FROM years ORDER BY yid").fetchnumpy()["year"]
    declared = con.execute(DECLARED_CELLS).fetchnumpy()
    stated = np.zeros((2, *settled_met.shape), dtype=bool)  # [declared met, declared not met]
    stated[(~declared["met"]).astype(int), declared["uid"] * len(years) + declared["yid"], declared["cid"]] = True
    not_met = settled_not
    met = ~not_met & settled_met
    open_ = ~not_met & ~met
    not_met = not_met | (open_ & stated[1])
    met = met | (open_ & stated[0] & ~stated[1])
    order = (np.argsort(units, kind="stable")[:, None] * len(years) + np.arange(len(years))).ravel()
    counted = (crits["criterion_no"] != GENERAL_CONDITIONS).to_numpy()
    met, not_met = met[order][:, counted], not_met[order][:, counted]
    names = crits.loc[counted, "criterion_no"].to_numpy(dtype=object)
    flat, ends = names[np.nonzero(~met)[1]].tolist(), np.cumsum((~met).sum(axis=1)).tolist()
    missing = [flat[a:b] or None for a, b in zip([0, *ends][:-1], ends, strict=True)]
    return pd.DataFrame({"unit_code": units[order // max(len(years), 1)], "year": np.tile(years, len(units)),
                         "criteria_met": met.sum(axis=1), "criteria_not_met": not_met.sum(axis=1),
                         "criteria_incomplete": (~met & ~not_met).sum(axis=1), "missing": missing})


READ_ROWS = {
    "indicator": f"""
        WITH {CHOSEN}
        SELECT u.unit_code, y.year, i.criterion_no, i.indicator_code, v.value, t.comparator, t.threshold,
               t.threshold_text, t.certainty, t.source AS threshold_source,
               {STATUS_SQL.format(v="v.value")} AS status,
               CASE WHEN p.known THEN v.value - p.threshold END AS gap
        FROM chosen u CROSS JOIN years y CROSS JOIN inds i
        LEFT JOIN _values v ON v.unit_code = u.unit_code AND v.year = y.year AND v.indicator_code = i.indicator_code
        LEFT JOIN picked p ON p.zid = u.zid AND p.yid = y.yid AND p.iid = i.iid
        LEFT JOIN _thresholds t ON t.threshold_id = p.threshold_id
        ORDER BY u.unit_code, y.year, i.iid""",
    "criterion": f"""
        WITH {CHOSEN}, {CRITERIA_CTE}
        SELECT u.unit_code, y.year, c.criterion_no, r.computed, r.declared, r.doc_id, r.line, r.status,
               CASE WHEN r.by_declaration THEN 'declared' ELSE 'computed' END AS basis, r.disagrees
        FROM criteria r JOIN units u USING (uid) JOIN years y USING (yid) JOIN crits c USING (cid)
        ORDER BY u.unit_code, y.year, r.cid""",
}


_ENGINE = []


def _engine():
    """One in-memory DuckDB database for evaluations, opened once; each evaluation works in a cursor."""
    if not _ENGINE:
        import duckdb

        _ENGINE.append(duckdb.connect())
    return _ENGINE[0]


class EvaluationStore:
    """The results of one evaluation, kept in an in-memory DuckDB: the whole grid of units × years ×
    indicators is evaluated set-based (no per-commune loop); rows reach pandas only when asked for."""

    def __init__(self, frames: dict[str, pd.DataFrame]):
        self.con = _engine().cursor()  # its own connection: its temp tables and registered frames are its own
        for name, frame in frames.items():
            self.con.register(name, frame)
        self.con.execute(EVALUATE_SETUP)
        crits = self.con.execute("SELECT criterion_no, n_indicators FROM crits ORDER BY cid").df()
        if len(crits) > MASK_LIMITS["criteria"]:
            raise ValueError(f"{len(crits)} criteria: beyond {MASK_LIMITS}")
        met, not_met = _indicator_counts(self.con, frames["_values"], len(crits))
        settled_met, settled_not = met == crits["n_indicators"].to_numpy(), not_met > 0
        self.con.register("_masks", _masks(self.con, settled_met, settled_not))
        self.units = _unit_counts(self.con, crits, settled_met, settled_not)

    def rows(self, table: str, unit_codes: list[str] | None = None) -> pd.DataFrame:
        rows = frame(self.con, READ_ROWS[table], [unit_codes, unit_codes])
        rows = rows[rows["unit_code"].notna()]
        labels = STATUS if table == "indicator" else CRITERION_STATUS
        for col in ("status", "computed", "declared"):
            if col in rows:
                rows[col] = rows[col].map(labels)
        return rows

    def close(self) -> None:
        self.con.close()


# ---- units through time (ntm/timeline.py) -------------------------------------------------------------

VALID_AT = "({a}.valid_from IS NULL OR {a}.valid_from <= ?) AND ({a}.valid_to IS NULL OR {a}.valid_to > ?)"


def province_versions(con, as_of: str | None = None) -> pd.DataFrame:
    """Provinces of every date (or those valid on `as_of`), with the old provinces a new one was made of."""
    return con.execute(
        f"""SELECT v.unit_id, v.code, v.name, v.full_name, v.name_norm, v.type, v.valid_from, v.valid_to, v.in_units,
                   list(c.old_id ORDER BY c.old_id) FILTER (WHERE c.old_id IS NOT NULL) AS parts
            FROM unit_versions v LEFT JOIN unit_changes c ON c.new_id = v.unit_id
            WHERE v.level = 'province' AND (?::DATE IS NULL OR ({VALID_AT.format(a='v')}))
            GROUP BY ALL ORDER BY v.valid_from NULLS FIRST, v.code""", [as_of, as_of, as_of]).df()


def units_as_of(con, province_id: str, as_of: str, level: str | None = None) -> pd.DataFrame:
    """The units valid on `as_of` whose province on that date is `province_id`, with their district on that
    date where they had one."""
    valid = VALID_AT.format(a="v")
    return con.execute(
        f"""SELECT v.unit_id, v.code, v.name, v.full_name, v.level, v.type, v.valid_from::VARCHAR AS valid_from,
                   v.valid_to::VARCHAR AS valid_to, v.in_units, d.unit_id AS district_id, d.full_name AS district_name
            FROM unit_versions v
            JOIN unit_parents pp ON pp.child_id = v.unit_id AND ({VALID_AT.format(a='pp')})
            JOIN unit_versions p ON p.unit_id = pp.parent_id AND p.level = 'province'
            LEFT JOIN unit_parents dp ON dp.child_id = v.unit_id AND ({VALID_AT.format(a='dp')})
                 AND dp.parent_id IN (SELECT unit_id FROM unit_versions WHERE level = 'district')
            LEFT JOIN unit_versions d ON d.unit_id = dp.parent_id
            WHERE {valid} AND p.unit_id = ? AND (?::VARCHAR IS NULL OR v.level = ?)
            ORDER BY v.level DESC, d.unit_id NULLS FIRST, v.code""",
        [as_of, as_of, as_of, as_of, as_of, as_of, province_id, level, level]).df()


def unit_changes(con, new_ids: list[str] | None = None, old_ids: list[str] | None = None) -> pd.DataFrame:
    """Old -> new changes with both units' names and the old unit's district and province (names as written
    in the source for units outside the 2024 list)."""
    return con.execute(
        """SELECT c.change_date, c.legal_basis, c.item, c.kind, c.old_id, o.code AS old_code,
                  o.full_name AS old_name, o.level AS old_level, o.type AS old_type, o.in_units AS old_in_units,
                  od.full_name AS old_district, op.unit_id AS old_province_id, op.name AS old_province,
                  c.new_id, n.code AS new_code, n.full_name AS new_name, n.level AS new_level,
                  c.extent, c.checked, c.independent, c.source, c.note
           FROM unit_changes c JOIN unit_versions o ON o.unit_id = c.old_id JOIN unit_versions n ON n.unit_id = c.new_id
           LEFT JOIN unit_parents pd ON pd.child_id = c.old_id AND pd.valid_to = c.change_date
                AND pd.parent_id IN (SELECT unit_id FROM unit_versions WHERE level = 'district')
           LEFT JOIN unit_versions od ON od.unit_id = pd.parent_id
           LEFT JOIN unit_parents pp ON pp.child_id = c.old_id AND pp.valid_to = c.change_date
                AND pp.parent_id IN (SELECT unit_id FROM unit_versions WHERE level = 'province')
           LEFT JOIN unit_versions op ON op.unit_id = coalesce(pp.parent_id, CASE WHEN o.level = 'province'
                                                                                THEN o.unit_id END)
           WHERE (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], c.new_id))
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], c.old_id))
           ORDER BY c.change_date, n.level DESC, c.new_id, c.old_id""",
        [new_ids, new_ids, old_ids, old_ids]).df()


def last_recognitions(con, unit_codes: list[str], by_year: int) -> pd.DataFrame:
    """Per commune of the 2024 list, the highest level it is recorded (actual) to have reached by `by_year`,
    with the source."""
    return con.execute(
        """SELECT unit_code, level, year, doc_id, line FROM recognitions
           WHERE kind = 'actual' AND level IN ('xa_ntm', 'xa_nang_cao', 'xa_kieu_mau') AND year <= ?
             AND list_contains(?::VARCHAR[], unit_code)
           QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY
               CASE level WHEN 'xa_kieu_mau' THEN 3 WHEN 'xa_nang_cao' THEN 2 ELSE 1 END DESC, year) = 1""",
        [by_year, unit_codes]).df()


def unit_versions(con, unit_ids: list[str]) -> pd.DataFrame:
    return con.execute("""SELECT unit_id, code, name, full_name, level, type, valid_from::VARCHAR AS valid_from,
                                 valid_to::VARCHAR AS valid_to, in_units
                          FROM unit_versions WHERE list_contains(?::VARCHAR[], unit_id) ORDER BY unit_id""",
                       [unit_ids]).df()


def unit_version_ids(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT unit_id FROM unit_versions").fetchall()]


def periods(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM periods ORDER BY date_from").df()


def period_targets(con, period: str) -> pd.DataFrame:
    return con.execute("SELECT * FROM period_targets WHERE period = ? ORDER BY rowid",  # file order
                       [period]).df()


def commune_categories(con, set_code: str, unit_ids: list[str] | None = None) -> pd.DataFrame:
    """The commune groups of a set, and (with unit_ids) which group each unit is assigned, with the source."""
    if unit_ids is None:
        return con.execute("SELECT * FROM commune_categories WHERE set_code = ? ORDER BY category", [set_code]).df()
    return con.execute(
        """SELECT unit_id, category, source FROM commune_category_assignments
           WHERE set_code = ? AND list_contains(?::VARCHAR[], unit_id)""", [set_code, unit_ids]).df()


def category_thresholds(con, set_code: str) -> pd.DataFrame:
    return con.execute("SELECT * FROM category_thresholds WHERE set_code = ?", [set_code]).df()
