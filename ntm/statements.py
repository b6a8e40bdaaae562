"""The facts view: every figure a document states, by document and section, with its line — the place where no
loaded fact is out of reach (`python -m ntm facts`, page "Số liệu theo văn bản")."""

from ntm import store
from ntm.i18n import t
from ntm.sources import citation
from ntm.unit import Unit

COLUMNS = ("doc_id", "line", "section", "fact_table", "unit_code", "unit_name", "year", "measure", "measure_name",
           "category", "value", "denominator", "kind", "original_text", "note")


def statements(con, province: Unit, measure: str | None = None, year: int | None = None, doc_id: str | None = None,
               lang: str = "vi") -> dict:
    """The fact rows of a province (optionally one measure — a measure code, a fact table or a prefix such as
    "criterion" —, one year, one document), in each document's order, with the measure's name and a citation."""
    rows = store.statements(con, province.code, doc_id, measure, year)
    names = store.measures(con).set_index("measure")["name_vi" if lang == "vi" else "name_en"].to_dict()
    names |= {f"funding_{k}": t(f"kind_{k}", lang) for k in ("planned", "allocated", "mobilized", "disbursed", "need")}
    names |= {level: t(f"rec_{level}", lang) for level in ("xa_ntm", "xa_nang_cao", "xa_kieu_mau", "huyen_ntm",
                                                            "huyen_nang_cao", "hoan_thanh_nhiem_vu")}
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    out = [{**{k: r.get(k) for k in COLUMNS if k != "measure_name"},
            "line": int(r["line"]), "year": None if r["year"] is None else int(r["year"]),
            "measure_name": names.get(r["measure"]) or _numbered(r["measure"], lang),
            "category_name": names.get(r["category"], r["category"]),  # a measure as category: its name
            "citation": citation(docs[r["doc_id"]], r["section"], [r["line"]], lang)}
           for r in rows.to_dict("records")]
    return {"province": province.ref(), "measure": measure, "year": year,
            "doc_id": doc_id, "count": len(out), "facts": out}


def _numbered(measure: str, lang: str) -> str:
    """"criterion_9" -> "Tiêu chí 9"; "indicator_9.2" -> "Chỉ tiêu 9.2"; "gap_10", "agency_17.5" alike."""
    prefix, _, number = measure.partition("_")
    return t(f"fact_{prefix}", lang, no=number).strip()
