"""`python -m ntm …`: the dashboard's results on the command line, as JSON, CSV or a table."""

import argparse
import csv
import io
import json
import sys

from ntm import fmt, loader, paths, store
from ntm.errors import DataError
from ntm.summary import GROUP_KEYS, summary
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
    return ap


def _rows_out(rows: list[dict], fmt_name: str, out) -> None:
    if fmt_name == "csv":
        w = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [])
        w.writeheader()
        w.writerows(rows)
        return
    if not rows:
        return
    cols = list(rows[0])
    text = [[("" if r[c] is None else fmt.number(r[c]) if isinstance(r[c], (int, float)) and not isinstance(
        r[c], bool) else str(r[c])) for c in cols] for r in rows]
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
        province = resolve_province(con, args.province)
        if args.command == "units":
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
