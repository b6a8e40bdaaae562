"""All SQL of the project: the schema, the one write path used by the loader, and the read queries.

Pages and the CLI never build SQL; they call the functions here (through the domain modules).
A DuckDB connection is not thread-safe: callers that share one take `con.cursor()` per query.
"""

from pathlib import Path

import duckdb
import pandas as pd

SCHEMA_FILE = Path(__file__).with_name("schema.sql")

FACT_TABLES = ("reported_aggregates", "recognitions", "targets", "funding", "criteria_status",
               "indicator_values", "criteria_gaps", "criterion_agencies")
SOURCE_COLUMNS = ("doc_id", "line", "section", "original_text", "note")


def connect(path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


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


def set_build_info(con: duckdb.DuckDBPyConnection, info: dict[str, str]) -> None:
    con.executemany("INSERT OR REPLACE INTO build_info VALUES (?, ?)", list(info.items()))


def build_info(con) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM build_info").fetchall())


def count_rows(con, table: str) -> int:
    if table not in FACT_TABLES + ("units", "documents", "measures", "commune_groups", "regions"):
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


def documents(con) -> pd.DataFrame:
    frame = con.execute("SELECT * FROM documents ORDER BY doc_id").df()
    return frame.astype(object).where(frame.notna(), None)  # a missing number is None, not NaN


def commune_groups(con, set_code: str) -> pd.DataFrame:
    return con.execute("SELECT * FROM commune_groups WHERE set_code = ? ORDER BY group_no", [set_code]).df()


def district_aggregates(con, province_code: str, year: int, set_code: str) -> pd.DataFrame:
    """Reported aggregates of a province and its districts for one year and criteria set."""
    return con.execute(
        """SELECT r.unit_code, u.name AS unit_name, u.level, u.type AS unit_type, r.measure, r.category, r.value,
                  r.doc_id, r.line, r.section, r.original_text, r.note
           FROM reported_aggregates r JOIN units u ON u.code = r.unit_code
           WHERE u.province_code = ? AND u.level IN ('province', 'district')
             AND r.year = ? AND r.set_code = ?
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
           WHERE u.province_code = ? AND r.set_code = ? AND r.year IS NOT NULL
             AND r.measure IN ('communes_in_group', 'criteria_met')
           ORDER BY r.year""", [province_code, set_code]).fetchall()
    return [r[0] for r in rows]


def facts(con, table: str, province_code: str | None = None) -> pd.DataFrame:
    """All rows of a fact table (optionally for one province), with the unit's name, level and province."""
    if table not in FACT_TABLES:
        raise ValueError(table)
    return con.execute(
        f"""SELECT f.*, u.name AS unit_name, u.level AS unit_level, u.type AS unit_type,
                   u.province_code, u.parent_code
            FROM "{table}" f JOIN units u ON u.code = f.unit_code
            WHERE ? IS NULL OR u.province_code = ?
            ORDER BY f.doc_id, f.line""", [province_code, province_code]).df()


def programme_scope(con, unit_code: str) -> pd.DataFrame:
    return con.execute("SELECT * FROM programme_scope WHERE unit_code = ?", [unit_code]).df()


def unmatched_names(con, province_code: str | None = None) -> pd.DataFrame:
    return con.execute("SELECT * FROM unmatched_names WHERE ? IS NULL OR province_code = ? ORDER BY doc_id, line",
                       [province_code, province_code]).df()


def programme_communes_per_district(con, province_code: str) -> dict[str, int]:
    """Programme communes per district: the count a document states, else the xã not known to be outside."""
    rows = con.execute(
        """SELECT d.code, coalesce(any_value(s.count),
                  count(c.code) FILTER (WHERE c.type = 'Xã' AND c.in_programme IS NOT FALSE))
           FROM units d LEFT JOIN units c ON c.parent_code = d.code
           LEFT JOIN programme_scope s ON s.unit_code = d.code
           WHERE d.level = 'district' AND d.province_code = ? GROUP BY d.code""", [province_code]).fetchall()
    return dict(rows)


def share_pairs(con) -> pd.DataFrame:
    return con.execute("SELECT share_measure, count_measure FROM share_pairs").df()


def criteria_sets(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM criteria_sets ORDER BY set_code").df()


def measures(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM measures ORDER BY measure").df()
