"""`python -m ntm …`: the dashboard's results on the command line, as JSON, CSV or a table."""

import argparse
import csv
import io
import json
import sys

from ntm import fmt, loader, paths, quality, roadmap, store
from ntm.errors import DataError
from ntm.funding import funding
from ntm.summary import GROUP_KEYS, summary
from ntm.targets import targets
from ntm.units import UnknownUnit, resolve_province


def _add_common(p: argparse.ArgumentParser, read: bool = True) -> None:
    p.add_argument("--db", help=f"database file (default: ${paths.DB_ENV} or var/ntm.duckdb)")
    if read:
        p.add_argument("--format", choices=("json", "csv", "table"),
                       help="output format (default: table on a terminal, JSON otherwise)")
        p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of labels and citations")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m ntm", description="NTM dashboard data on the command line")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the database from data/")
    _add_common(b, read=False)
    u = sub.add_parser("units", help="administrative units of a province")
    _add_common(u)
    u.add_argument("--province", required=True, help='name with or without diacritics, or GSO code ("58")')
    u.add_argument("--level", choices=("district", "commune"))
    s = sub.add_parser("summary", help="communes by criteria group, per district")
    _add_common(s)
    s.add_argument("--province", required=True)
    s.add_argument("--year", type=int, required=True)
    r = sub.add_parser("recognitions", help="communes reaching a level, per year (actual and planned)")
    _add_common(r)
    r.add_argument("--province", required=True)
    r.add_argument("--level", choices=tuple(roadmap.LEVELS), default="ntm")
    t = sub.add_parser("targets", help="the targets the documents set")
    _add_common(t)
    t.add_argument("--province", required=True)
    t.add_argument("--year", type=int)
    f = sub.add_parser("funding", help="funding by source and capital type, stated total and computed sum")
    _add_common(f)
    f.add_argument("--province", required=True)
    f.add_argument("--year", type=int)
    q = sub.add_parser("quality", help="where the documents contradict themselves, with both sources")
    _add_common(q)
    q.add_argument("--province")
    return ap


PLAIN = {"year", "target_year", "line", "code", "doc_id", "province"}  # identifiers: never 2.023


def _cell(column: str, value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and column not in PLAIN:
        return fmt.number(value)
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _rows_out(rows: list[dict], fmt_name: str, out) -> None:
    if fmt_name == "csv":
        w = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [])
        w.writeheader()
        w.writerows(rows)
        return
    if not rows:
        return
    cols = list(rows[0])
    text = [[_cell(c, r[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(cols)]
    out.write("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)) + "\n")
    for t in text:
        out.write("  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)) + "\n")


def _summary_rows(result: dict) -> list[dict]:
    rows = []
    for d in result["districts"] + ([{"district_code": result["province"]["code"], "district": "Toàn tỉnh",
                                      **result["total"]}] if result["total"] else []):
        rows.append({"code": d["district_code"], "unit": d["district"], "communes": d["communes"],
                     **{f"group_{g}": d["groups"][g] for g in GROUP_KEYS},
                     "total_criteria": d["total_criteria"], "avg_criteria": d["avg_criteria"],
                     "basis": d["basis"]})
    return rows


def _recognition_rows(result: dict) -> list[dict]:
    return [{"district": "", **y} for y in result["years"]] + [
        {"district": d["district"], **y} for d in result["districts"] for y in d["years"]]


def _target_rows(result: dict) -> list[dict]:
    keep = ("unit", "target_year", "measure_name", "category", "comparator", "value", "value_max", "denominator",
            "unit_of_measure", "doc_id", "line")
    return [{k: t[k] for k in keep} for t in result["targets"]]


def _funding_rows(result: dict) -> list[dict]:
    rows = []
    for g in result["groups"]:
        head = {"unit": g["unit"], "year": g["year"], "kind": g["kind"]}
        for b in g["by_source"]:
            rows.append({**head, "line_item": b["source"], "amount": b["amount"], "share_pct": b["share_pct"],
                         "doc_id": b["doc_id"], "line": b["line"]})
            rows += [{**head, "line_item": f"{b['source']}/{c['capital_type']}", "amount": c["amount"],
                      "share_pct": None, "doc_id": c["doc_id"], "line": c["line"]} for c in b["by_capital_type"]]
        if g["total_computed"] is not None:
            rows.append({**head, "line_item": "total_computed", "amount": g["total_computed"], "share_pct": 100,
                         "doc_id": g["doc_id"], "line": None})
        rows += [{**head, "line_item": "total_stated" + (f": {x['item']}" if x["item"] else ""),
                  "amount": x["amount"], "share_pct": None, "doc_id": x["doc_id"], "line": x["line"]}
                 for x in g["total_stated"]]
        rows += [{**head, "line_item": f"{x['source']}: {x['item']}", "amount": x["amount"], "share_pct": None,
                  "doc_id": x["doc_id"], "line": x["line"]} for x in g["items"]]
    return rows


def _quality_rows(result: list[dict]) -> list[dict]:
    return [{"province": f["province_code"], "check": f["check"], "unit": f["unit_name"], "year": f["year"],
             "stated": f["stated"], "computed": f["computed"], "message": f["message_vi"],
             "sources": "; ".join(f"{s['doc_id']}:{s['line']}" for s in f["sources"])} for f in result]


def _emit(result, rows: list[dict], fmt_name: str, out) -> None:
    if fmt_name == "json":
        json.dump(result, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        _rows_out(rows, fmt_name, out)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    db = paths.db_path(args.db)
    out = sys.stdout
    try:
        if args.command == "build":
            counts = loader.build(db)
            json.dump({"db": str(db), "rows": counts}, out, ensure_ascii=False, indent=2)
            out.write("\n")
            return 0
        loader.ensure_built(db)
        con = store.connect(db)
        fmt_name = args.format or ("table" if out.isatty() else "json")
        if args.command == "quality":
            code = resolve_province(con, args.province)["code"] if args.province else None
            found = quality.findings(con, code, lang=args.lang)
            _emit({"findings": found, "count": len(found)}, _quality_rows(found), fmt_name, out)
            return 0
        province = resolve_province(con, args.province)
        if args.command == "recognitions":
            result = roadmap.by_year(con, province, args.level, lang=args.lang)
            _emit(result, _recognition_rows(result), fmt_name, out)
        elif args.command == "targets":
            result = targets(con, province, args.year, lang=args.lang)
            _emit(result, _target_rows(result), fmt_name, out)
        elif args.command == "funding":
            result = funding(con, province, args.year, lang=args.lang)
            _emit(result, _funding_rows(result), fmt_name, out)
        elif args.command == "units":
            frame = store.units(con, level=args.level, province_code=province["code"])
            frame = frame[frame["level"] != "province"] if args.level is None else frame
            records = json.loads(frame.drop(columns=["name_norm"]).to_json(orient="records", force_ascii=False))
            if fmt_name == "json":
                json.dump({"province": province["name"], "units": records}, out, ensure_ascii=False, indent=2)
                out.write("\n")
            else:
                _rows_out(records, fmt_name, out)
        elif args.command == "summary":
            result = summary(con, province, args.year, lang=args.lang)
            if fmt_name == "json":
                json.dump(result, out, ensure_ascii=False, indent=2)
                out.write("\n")
            else:
                buf = io.StringIO()
                _rows_out(_summary_rows(result), fmt_name, buf)
                out.write(buf.getvalue())
                if fmt_name == "table":
                    for s in result["sources"]:
                        out.write(s["citation"] + "\n")
        return 0
    except (DataError, UnknownUnit) as exc:
        print(exc, file=sys.stderr)
        return 2
