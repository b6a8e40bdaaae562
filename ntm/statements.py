"""The facts view: every figure a document states, by document and section, with its line — the place where no
loaded fact is out of reach (`python -m ntm facts`, page "Số liệu theo văn bản"). The page reads one document's
facts a page at a time (`page`), searched and counted in SQL: a province's illustrative document holds 240.000."""

import pandas as pd

from ntm import store
from ntm.i18n import t
from ntm.sources import citation
from ntm.unit import Unit

COLUMNS = ("doc_id", "line", "section", "fact_table", "unit_code", "unit_name", "year", "measure", "measure_name",
           "category", "value", "denominator", "kind", "original_text", "note")
SEARCHED = ("section", "unit_name", "measure", "measure_name", "category", "original_text", "note")  # the haystack
_STATED = f"({store.STATEMENTS}) s JOIN units u ON u.code = s.unit_code"


def names(con, lang: str = "vi") -> dict[str, str]:
    """A measure's (or recognition level's, or funding kind's) name, by its code."""
    out = store.measures(con).set_index("measure")["name_vi" if lang == "vi" else "name_en"].to_dict()
    out |= {f"funding_{k}": t(f"kind_{k}", lang) for k in ("planned", "allocated", "mobilized", "disbursed", "need")}
    return out | {level: t(f"rec_{level}", lang) for level in ("xa_ntm", "xa_nang_cao", "xa_kieu_mau", "huyen_ntm",
                                                                "huyen_nang_cao", "hoan_thanh_nhiem_vu")}


def _measure_names(codes, known: dict[str, str], lang: str) -> dict[str, str]:
    return {m: known.get(m) or _numbered(m, lang) for m in codes}


def _category_names(rows: pd.DataFrame, known: dict[str, str]) -> pd.Series:
    """A measure as category: its name; each distinct category looked up once."""
    categories = {c: known.get(c, c) for c in rows["category"].dropna().unique()}
    return pd.Series([categories.get(c) for c in rows["category"]], index=rows.index, dtype=object)


def statements(con, province: Unit, measure: str | None = None, year: int | None = None, doc_id: str | None = None,
               lang: str = "vi") -> dict:
    """The fact rows of a province (optionally one measure — a measure code, a fact table or a prefix such as
    "criterion" —, one year, one document), in each document's order, with the measure's name and a citation."""
    rows = store.statements(con, province.code, doc_id, measure, year)
    known = names(con, lang)
    rows = rows.assign(measure_name=rows["measure"].map(_measure_names(rows["measure"].unique(), known, lang)),
                       category_name=_category_names(rows, known))
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    out = [{**{k: r.get(k) for k in COLUMNS if k != "measure_name"},
            "line": int(r["line"]), "year": None if r["year"] is None else int(r["year"]),
            "measure_name": r["measure_name"], "category_name": r["category_name"],
            "citation": citation(docs[r["doc_id"]], r["section"], [r["line"]], lang)}
           for r in rows.to_dict("records")]
    return {"province": province.ref(), "measure": measure, "year": year,
            "doc_id": doc_id, "count": len(out), "facts": out}


def documents(con, provinces: tuple[Unit, ...]) -> dict[str, int]:
    """The documents stating facts of some provinces, each with its number of their facts."""
    return dict(con.execute(f"""SELECT s.doc_id, count(*) FROM {_STATED} WHERE u.province_code IN
                                    (SELECT unnest(?::VARCHAR[])) GROUP BY s.doc_id ORDER BY s.doc_id""",
                            [[p.code for p in provinces]]).fetchall())


def page(con, provinces: tuple[Unit, ...], doc_id: str, query: str = "", offset: int = 0, limit: int | None = None,
         lang: str = "vi") -> dict:
    """One document's facts of some provinces whose text holds `query` (plain, case-insensitive: data, never a
    pattern), in the document's order: how many (`count`), and those from `offset` (`limit` of them, all if None)
    with the measure's and the category's names."""
    scope = [[p.code for p in provinces], doc_id]
    where = "u.province_code IN (SELECT unnest(?::VARCHAR[])) AND s.doc_id = ?"
    known = names(con, lang)
    codes = [m for (m,) in con.execute(f"SELECT DISTINCT s.measure FROM {_STATED} WHERE {where}", scope).fetchall()]
    named = _measure_names(codes, known, lang)
    haystack = " || ' ' || ".join(f"coalesce({c}, '')" for c in SEARCHED)
    found = f"""FROM (SELECT s.* EXCLUDE (row_no), u.name AS unit_name, n.measure_name FROM {_STATED}
                      JOIN (SELECT unnest(?::VARCHAR[]) AS measure, unnest(?::VARCHAR[]) AS measure_name) n
                        ON n.measure = s.measure WHERE {where})
                WHERE ? = '' OR contains(lower({haystack}), lower(?))"""
    given = [list(named), list(named.values()), *scope, query, query]
    count = con.execute(f"SELECT count(*) {found}", given).fetchone()[0]
    rows = con.execute(f"""SELECT * {found} ORDER BY line, fact_table, unit_code, measure, category, year
                           LIMIT ? OFFSET ?""", [*given, count if limit is None else limit, offset]).df()
    rows = pd.DataFrame(rows.astype(object).where(rows.notna(), None).to_dict("records"),  # the shown rows' types
                        columns=rows.columns)  # as pandas infers them from the values (a year with gaps: float)
    return {"count": int(count), "facts": rows.assign(category_name=_category_names(rows, known))}


def _numbered(measure: str, lang: str) -> str:
    """"criterion_9" -> "Tiêu chí 9"; "indicator_9.2" -> "Chỉ tiêu 9.2"; "gap_10", "agency_17.5" alike."""
    prefix, _, number = measure.partition("_")
    return t(f"fact_{prefix}", lang, no=number).strip()
