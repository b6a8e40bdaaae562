"""`python -m ntm …`: the dashboard's results on the command line, as JSON, CSV or a table."""

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ntm import (
    accounts,
    assessment,
    fmt,
    imports,
    ingest,
    kinds,
    loader,
    national,
    paths,
    period,
    progress,
    quality,
    roadmap,
    sample,
    store,
    templates,
    timeline,
)
from ntm.assessment import Explanation
from ntm.criteria import SET_DISTRICT, SET_NANG_CAO, SET_NTM, Rulebook
from ntm.errors import DataError
from ntm.funding import Funding, funding
from ntm.matching import UnitMatcher
from ntm.progress import Progress
from ntm.statements import statements
from ntm.summary import GROUP_KEYS, Summary, summary
from ntm.targets import targets
from ntm.unit import Unit
from ntm.units import UnknownUnit, resolve_province


def _add_common(p: argparse.ArgumentParser, read: bool = True) -> None:
    p.add_argument("--db", help=f"database file (default: ${paths.DB_ENV} or var/ntm.duckdb)")
    if read:
        p.add_argument("--format", choices=("json", "csv", "table"),
                       help="output format (default: table on a terminal, JSON otherwise)")
        p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of labels and citations")
        p.add_argument("--as-of", help="date (YYYY-MM-DD) or year: which units apply; a province merged in 2025 "
                                       "(Khánh Hòa, Đà Nẵng, Vĩnh Long after 2025-07-01) answers per old province")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m ntm", description="NTM dashboard data on the command line")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the database from data/")
    _add_common(b, read=False)
    c = sub.add_parser("ensure", help="rebuild the database if data/ changed or the file is damaged; keep the "
                       "last good one (with a notice) when the rebuild fails")
    _add_common(c, read=False)
    u = sub.add_parser("units", help="administrative units of a province")
    _add_common(u)
    u.add_argument("--province", required=True, help='name with or without diacritics, or GSO code ("58")')
    u.add_argument("--level", choices=("district", "commune"))
    w = sub.add_parser("crosswalk", help="old unit -> new unit between two dates: whole or part, legal basis, check")
    _add_common(w)
    w.add_argument("--province", required=True)
    w.add_argument("--from", dest="from_date", default="2025-06-30", help="date of the old units")
    w.add_argument("--to", dest="to_date", help="date of the new units (default: --as-of, at least 2025-07-01)")
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
    g = sub.add_parser("progress", help="targets of a year beside the values at an as-of year, with a status")
    _add_common(g)
    g.add_argument("--province", required=True)
    g.add_argument("--year", type=int, required=True, help="target year")
    g.add_argument("--district", help="one district (name or GSO code)")
    o = sub.add_parser("roadmap", help="trajectory, projection, target lines, communes at risk, slippage")
    _add_common(o)
    o.add_argument("--province", required=True)
    o.add_argument("--level", choices=tuple(roadmap.LEVELS), default="ntm")
    o.add_argument("--district")
    v = sub.add_parser("facts", help="every figure the documents state, by document and line")
    _add_common(v)
    v.add_argument("--province", required=True)
    v.add_argument("--measure", help="a measure code, a fact table, or a prefix (criterion, indicator, funding, …)")
    v.add_argument("--year", type=int)
    v.add_argument("--doc", help="document id, e.g. 003")
    q = sub.add_parser("quality", help="where the documents contradict themselves, with both sources")
    _add_common(q)
    q.add_argument("--province")
    e = sub.add_parser("evaluate", help="criteria met, group and eligibility per commune")
    _add_common(e)
    e.add_argument("--province", help="evaluate the province's communes on the values the documents give")
    e.add_argument("--input", help="or a CSV/Excel file of indicator values (long or wide; see ntm/ingest.py)")
    e.add_argument("--year", type=int)
    e.add_argument("--set", default=SET_NTM, help="a commune set of the rulebook (data/rules/criteria_sets.csv), "
                                                 "e.g. XA_NTM_2026_2030 (with a province after 2025: --as-of)")
    e.add_argument("--level", choices=("commune", "district"), default="commune",
                   help="district: the districts on the district NTM set (with --province and --year)")
    x = sub.add_parser("explain", help="what a commune still lacks: indicators, thresholds, gaps, agencies")
    _add_common(x)
    x.add_argument("--commune", required=True, help="GSO code, or name with --province")
    x.add_argument("--province")
    x.add_argument("--year", type=int, required=True)
    x.add_argument("--set", default=SET_NTM, choices=(SET_NTM, SET_NANG_CAO))
    tp = sub.add_parser("template", help="an Excel template to fill (the province's units, lists, instructions)")
    tp.add_argument("kind", choices=tuple(kinds.KINDS))
    tp.add_argument("--db", help=f"database file (default: ${paths.DB_ENV} or var/ntm.duckdb)")
    tp.add_argument("--province", required=True)
    tp.add_argument("--out", required=True, help="the .xlsx file to write")
    tp.add_argument("--wide", action="store_true", help="indicators: one column per indicator code")
    im = sub.add_parser("import", help="stage, validate and preview a filled file; apply it unless --dry-run")
    _add_common(im)
    im.add_argument("file")
    im.add_argument("--province", required=True)
    im.add_argument("--kind", required=True, choices=tuple(kinds.KINDS))
    im.add_argument("--dry-run", action="store_true", help="validate and preview only; nothing is written")
    im.add_argument("--by", default=os.environ.get("USER") or "cli", help="who imports (recorded in the batch)")
    im.add_argument("--note", default="")
    im.add_argument("--licence", default=imports.LICENCE)
    ls = sub.add_parser("imports", help="the import history: id, kind, province, rows, who, when, status")
    _add_common(ls)
    ud = sub.add_parser("undo", help="revert an applied import batch and rebuild (the history keeps it)")
    _add_common(ud, read=False)
    ud.add_argument("batch")
    ud.add_argument("--by", default=os.environ.get("USER") or "cli")
    us = sub.add_parser("user", help="local accounts (file outside the repository: $NTM_ACCOUNTS)")
    us_sub = us.add_subparsers(dest="user_command", required=True)
    ua = us_sub.add_parser("add", help="create an account; the password is read from stdin or asked for")
    ua.add_argument("name")
    ua.add_argument("--role", choices=accounts.ROLES, default="editor")
    d = sub.add_parser("report", help="the Word report (DOCX, administrative format) of a province at an as-of year")
    _add_common(d)
    d.add_argument("--province", required=True)
    d.add_argument("--target-year", type=int, help="default: the target year of the as-of year's period")
    d.add_argument("--out", required=True, help="file to write: .docx, or .pdf (with LibreOffice)")
    m = sub.add_parser("sample", help="write illustrative (generated) indicator values as a long CSV")
    m.add_argument("--db", help=f"database file (default: ${paths.DB_ENV} or var/ntm.duckdb)")
    m.add_argument("--province", help="the province's communes (default: national-scale synthetic communes)")
    m.add_argument("--communes", type=int, default=8100, help="number of synthetic communes without --province")
    m.add_argument("--years", help="e.g. 2021-2025 (default: the years of the commune set's period)")
    m.add_argument("--seed", type=int, default=2025)
    m.add_argument("--out", help="CSV file to write; with --national the database (default var/national.duckdb)")
    m.add_argument("--national", action="store_true",
                   help="build an illustrative database of every province and commune of the national lists")
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


def _summary_rows(result: Summary) -> list[dict]:
    total = [{"district_code": result["province"]["code"], "district": "Toàn tỉnh", **result["total"]}] \
        if result["total"] else []
    return [{"code": d["district_code"], "unit": d["district"], "communes": d["communes"],
             **{f"group_{g}": d["groups"][g] for g in GROUP_KEYS},
             "total_criteria": d["total_criteria"], "avg_criteria": d["avg_criteria"],
             "basis": d["basis"], "set_stated": d.get("set_stated", True)} for d in result["districts"] + total]


def _recognition_rows(result: dict) -> list[dict]:
    return [{"district": "", **y} for y in result["years"]] + [
        {"district": d["district"], **y} for d in result["districts"] for y in d["years"]]


def _target_rows(result: dict) -> list[dict]:
    keep = ("unit", "target_year", "measure_name", "category", "comparator", "value", "value_max", "denominator",
            "unit_of_measure", "doc_id", "line")
    return [{k: t[k] for k in keep} for t in result["targets"]]


def _funding_rows(result: Funding) -> list[dict]:
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
        rows += [{**head, "line_item": f"total/{x['capital_type']}", "amount": x["amount"], "share_pct": None,
                  "doc_id": x["doc_id"], "line": x["line"]} for x in g["total_split"]]
        if g["total_split_sum"] is not None:
            rows.append({**head, "line_item": "total_split_computed", "amount": g["total_split_sum"],
                         "share_pct": None, "doc_id": g["doc_id"], "line": None})
        rows += [{**head, "line_item": f"{x['source']}: {x['item']}", "amount": x["amount"], "share_pct": None,
                  "doc_id": x["doc_id"], "line": x["line"]} for x in g["items"]]
    return rows


def _quality_rows(result: list[dict]) -> list[dict]:
    return [{"province": f["province_code"], "check": f["check"], "severity": f["severity"],
             "reviewed": f["reviewed"], "unit": f["unit_name"], "year": f["year"],
             "stated": f["stated"], "computed": f["computed"], "message": f["message_vi"],
             "sources": "; ".join(f"{s['doc_id']}:{s['line']}" for s in f["sources"])} for f in result]


def _evaluation_rows(result: dict) -> list[dict]:
    if "districts" in result:
        return [{"code": d["code"], "name": d["name"], "year": d["year"], "programme_communes": d["programme_communes"],
                 "share_ntm_pct": d["share_ntm_pct"], "share_nang_cao_pct": d["share_nang_cao_pct"],
                 "criteria_met": d["criteria_met"], "criteria_not_met": d["criteria_not_met"],
                 "criteria_incomplete": d["criteria_incomplete"],
                 "stated_criteria_met": d["stated"]["criteria_met"] if d["stated"] else None,
                 "stated_source": f"{d['stated']['doc_id']}:{d['stated']['line']}" if d["stated"] else None,
                 "eligible_huyen_ntm": d["eligible"]["huyen_ntm"]["eligible"]} for d in result["districts"]]
    return [{"code": c["code"], "name": c["name"], "district": c["district"], "year": c["year"],
             "criteria_met": c["criteria_met"], "criteria_not_met": c["criteria_not_met"],
             "criteria_incomplete": c["criteria_incomplete"], "group": c["group"],
             **{f"eligible_{k}": v["eligible"] for k, v in c["eligible"].items()},
             "illustrative": c["illustrative"]} for c in result["communes"]]


def _explain_rows(result: Explanation) -> list[dict]:
    return [{"criterion": item["criterion"], "name": item["name"], "criterion_status": item["status"],
             "indicator": i["code"], "value": i["value"], "threshold": i["threshold_text"],
             "status": i["status"], "gap": i["gap"], "agency": i.get("agency"),
             "document_threshold": "; ".join(d["text"] for d in i.get("document_threshold", []))}
            for item in result["items"]
            for i in item["indicators"] or [{"code": "", "value": None, "threshold_text": None, "status": "",
                                             "gap": None, "agency": item["agency"]}]]


def _district(con, province: Unit, written: str | None) -> Unit | None:
    """The province's district the user means, by its GSO code or its name."""
    if not written:
        return None
    code = written.zfill(3) if written.isdigit() else UnitMatcher(store.units(con, province_code=province.code)).match(
        written, province.code, level="district").code
    found = [d for d in store.unit_list(con, "district", province.code) if d.code == code]
    if not found:
        raise UnknownUnit(f"Không tìm thấy huyện '{written}' / district '{written}' not found")
    return found[0]


def _progress_rows(result: Progress) -> list[dict]:
    return [{"unit": t["unit"], "indicator": t["indicator"], "category": t["category"], "target": t["target"],
             "actual": t["actual"], "gap": t["gap"], "achieved_pct": t["achieved_pct"], "status": t["status"],
             "reading": t["reading"],
             "stock": f"{t['stock']['value']} ({t['stock']['year']}, {t['stock']['doc_id']}:{t['stock']['line']})"
             if t["stock"] else None, "expected": "; ".join(f"{e['value']:g} ({e['year']}, {e['doc_id']}:{e['line']})"
                                                            for e in t["expected"]),
             "doc_id": t["sources"][0]["doc_id"], "line": t["sources"][0]["line"]} for t in result["targets"]]


def _json_default(value):
    return value.item() if hasattr(value, "item") else str(value)


def _emit(result, rows: list[dict], fmt_name: str, out) -> None:
    if fmt_name == "json":
        # indented for a reader at a terminal; compact for a program — Python's json writes an indented
        # document in pure Python, about 30 s for a national evaluation (every commune's criteria)
        indent = 2 if out.isatty() else None
        out.write(json.dumps(result, ensure_ascii=False, indent=indent, default=_json_default) + "\n")
    else:
        _rows_out(rows, fmt_name, out)


def _evaluate(args, con, found: Unit | None) -> dict:
    rules = Rulebook.from_db(con)
    generated = bool(store.build_info(con).get("illustrative"))  # the illustrative database (ntm.national)
    if args.input:
        province = found.code if found else None
        unit_list = store.units(con, level="commune", province_code=province)
        sets = {s: set(rules.of_set("indicators", s)["indicator_code"]) for s in (SET_NTM, SET_NANG_CAO)}
        indicators = pd.concat([rules.of_set("indicators", s) for s in sets])
        percent = frozenset(indicators.loc[indicators["unit"] == "%", "indicator_code"])
        period = store.criteria_sets(con).set_index("set_code").loc[args.set, "period"]
        first, _, last = str(period).partition("-")
        values, declared = ingest.read_values(args.input, unit_list, sets, args.set, province, args.year,
                                              percent=percent, years=(int(first), int(last or first)))
        illustrative = generated or ingest.is_illustrative(args.input)
        units = store.unit_attributes(con, codes=sorted(set(values["unit_code"]) | set(declared["unit_code"])))
        year = args.year or int(max(values["year"].max(), declared["year"].max() if len(declared) else 0))
        result = assessment.assess(con, units, values[values["year"] == year], year, rules, declared=declared,
                                   illustrative=illustrative)
    else:
        if found is None or not args.year:
            raise UnknownUnit("Cần --province và --year, hoặc --input / --province and --year, or --input, needed")
        if args.level == "district":
            return {"year": args.year, "set": SET_DISTRICT, "illustrative": generated,
                    "label": sample.LABEL if generated else None,
                    "districts": assessment.assess_districts(con, found, args.year, rules)}
        province = found.code
        units = store.unit_attributes(con, province_code=province, xa_only=True)
        values = store.facts(con, "indicator_values", province)
        result = assessment.assess(con, units, values, args.year, rules, illustrative=generated)
        illustrative = generated
    communes = [assessment.view(c, args.set) for c in result["communes"]]
    return {"year": communes[0]["year"] if communes else args.year, "set": args.set, "illustrative": illustrative,
            "label": sample.LABEL if illustrative else None, "communes": communes}


def _evaluate_by_category(args, con, province: Unit | None, as_of: str | None) -> dict:
    """A set whose thresholds go by commune group (2026-2030): the communes of a province on --as-of."""
    if args.set not in period.selectable_sets(con):
        raise UnknownUnit(f"Bộ tiêu chí '{args.set}' không có / criteria set '{args.set}' is not known")
    if not province or province.in_units or not as_of or not args.input or not args.year:
        raise UnknownUnit("Cần --input, --year, --province và --as-of (đơn vị sau 2025) / --input, --year, "
                          "--province and --as-of (units after 2025) are needed")
    units = store.units_as_of(con, province.unit_id, as_of, "commune").assign(
        province_code=province.code, parent_code=None)
    rules = Rulebook.from_db(con)
    codes = set(rules.of_set("indicators", args.set)["indicator_code"])
    values, _ = ingest.read_values(args.input, units, {args.set: codes}, args.set, province.code, args.year)
    values = values.merge(units[["code", "unit_id"]], left_on="unit_code", right_on="code").drop(
        columns=["unit_code", "code"])
    chosen = units[units["unit_id"].isin(values["unit_id"])]
    return period.evaluate_by_category(con, chosen, values[values["year"] == args.year], args.year, args.set, rules)


def _sample(args, db, out) -> int:
    if args.national:
        target = Path(args.out) if args.out else national.DEFAULT_DB
        counts = national.build(target)
        json.dump({"out": str(target), "label": sample.LABEL, "rows": counts}, out, ensure_ascii=False)
        out.write("\n")
        return 0
    if not args.out:
        raise SystemExit("--out is required (a CSV file), or --national")
    con = _open(db)
    rules = Rulebook.from_db(con)
    if args.years:
        first, _, last = args.years.partition("-")
        years = list(range(int(first), int(last or first) + 1))
    else:
        start, end = period.span(con, SET_NTM)
        years = list(range(start, end + 1))
    if args.province:
        units = store.unit_attributes(con, province_code=resolve_province(con, args.province).code, xa_only=True)
    else:
        units = sample.national_units(args.communes, args.seed)
    frames = []
    for i, set_code in enumerate((SET_NTM, SET_NANG_CAO)):
        values, declared = sample.generate(units, rules, set_code, years, args.seed + i)
        frames += [values, declared.assign(indicator_code="TC" + declared["criterion_no"], set_code=set_code,
                                           value=(declared["status"] == "met").astype(float),
                                           illustrative=True)[values.columns]]
    values = pd.concat(frames, ignore_index=True)
    criterion = values["indicator_code"].str.startswith("TC")
    text = values["value"].map(lambda v: fmt.number(v, lang="vi").replace(".", ""))
    text[criterion] = values.loc[criterion, "value"].map({1.0: "Đạt", 0.0: "Chưa đạt"})
    values.assign(value=text).rename(
        columns={"unit_code": "ma_xa", "indicator_code": "chi_tieu", "year": "nam", "value": "gia_tri",
                 "set_code": "bo_tieu_chi"}).drop(columns="illustrative").assign(
        nguon=sample.LABEL).to_csv(args.out, index=False, encoding="utf-8-sig")
    json.dump({"out": args.out, "rows": len(values), "communes": len(units), "years": years,
               "label": sample.LABEL}, out, ensure_ascii=False)
    out.write("\n")
    return 0


def _user(args, out) -> int:
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Mật khẩu / password: ")
        if getpass.getpass("Nhập lại / again: ") != password:
            print("Hai mật khẩu khác nhau / the passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        accounts.add(args.name, password, args.role)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    json.dump({"user": args.name, "role": args.role, "file": str(accounts.path())}, out, ensure_ascii=False)
    out.write("\n")
    return 0


def _report(args, con, province: Unit, out) -> int:
    """Write the DOCX; a province merged in 2025 is reported per old province (its parts are named)."""
    if province.parts:
        print(f"Báo cáo lập theo từng tỉnh cũ / the report is made per former province: {', '.join(province.parts)}",
              file=sys.stderr)
        return 2
    from ntm import exports, report

    target_year = args.target_year or period.target_year(con, period.latest_report_year(con))
    as_of = timeline.as_of_year(args.as_of) or target_year - 1
    data = report.build(con, province, as_of, target_year, args.lang)
    exports.stop()
    if args.out.lower().endswith(".pdf"):
        if report.converter() is None:
            print("Cần LibreOffice để xuất PDF / PDF needs LibreOffice (apt-get install libreoffice-writer-nogui)",
                  file=sys.stderr)
            return 2
        data = report.pdf(data)
    with open(args.out, "wb") as handle:
        handle.write(data)
    json.dump({"out": args.out, "province": province.name, "as_of": as_of, "target_year": target_year,
               "bytes": len(data)}, out, ensure_ascii=False)
    out.write("\n")
    return 0


def _import(args, db, out) -> int:
    """Validate and preview; unless --dry-run, stage and apply (rebuild)."""
    con = _open(db)
    province = resolve_province(con, args.province).code
    name = os.path.basename(args.file)
    try:
        checked = imports.check(con, args.file, args.kind, province, name)
        result = imports.preview(con, checked, args.lang)
        if not args.dry_run:
            batch = imports.stage(con, args.file, args.kind, province, name, args.by, args.note, args.licence)
    finally:
        con.close()
    if not args.dry_run:
        imports.apply(batch, args.by, db)
        result["batch"], result["status"] = batch, "applied"
    else:
        result["status"] = "dry_run"
    fmt_name = args.format or ("table" if out.isatty() else "json")
    if fmt_name == "table":
        out.write(result["summary"] + "\n")
    _emit(result, [{**i, "before": imports.shown(i["before"]), "after": imports.shown(i["after"])}
                   for i in result["items"]], fmt_name, out)
    return 0


def _imports_list(args, out) -> int:
    frame = imports.history()
    rows = json.loads(frame.to_json(orient="records", force_ascii=False))
    _emit({"imports": rows}, rows, args.format or ("table" if out.isatty() else "json"), out)
    return 0


def _open(db):
    """The database to read: current, rebuilt, or the last good one with a notice on stderr (dbfile)."""
    return store.connect(_ensure(db).db)


def _ensure(db):
    status = loader.ensure(db)
    if status.stale:
        print("Cảnh báo: dữ liệu mới trong data/ có lỗi, đang dùng bản dữ liệu hợp lệ gần nhất / Warning: the new "
              "files in data/ have errors; the last valid database is used:", file=sys.stderr)
        for p in status.problems[:10]:
            print(f"- {p}", file=sys.stderr)
    return status


def _province(con, text: str | None, as_of: str | None) -> Unit | None:
    """The province the user means: without --as-of the province of the 2024 list (as always); with it, the one
    valid on that date — a province merged in 2025 comes with the old provinces it holds (`parts`)."""
    if not text:
        return None
    if as_of is None:
        return resolve_province(con, text)
    version = timeline.resolve_province(con, text, as_of)
    return resolve_province(con, version.code) if version.in_units else version


def _timeline_command(args, con, as_of: str, fmt_name: str, out) -> None:
    province = timeline.resolve_province(con, args.province, as_of)
    if args.command == "units":
        frame = timeline.units_with_components(con, province, as_of, args.level)
        key = "units"
    else:
        frame = timeline.crosswalk(con, province, args.from_date, args.to_date or max(as_of, "2025-07-01"))
        key = "crosswalk"
    rows = json.loads(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
    _emit({"province": province.name, "unit_id": province.unit_id, "as_of": as_of, "count": len(rows),
           key: rows}, rows, fmt_name, out)


def _required(province: Unit | None) -> Unit:
    """The province a command cannot do without (argparse asks for it; this says so to the type checker too)."""
    if province is None:
        raise UnknownUnit("Cần --province / --province is needed")
    return province


def _command(args, con, province: Unit | None, fmt_name: str) -> tuple[Any, list[dict]]:
    """One read command for one province of the 2024 list: its result and its rows."""
    if args.command == "quality":
        found = quality.findings(con, province, lang=args.lang)
        counts = {c: sum(1 for f in found if f["check"] == c) for c in [*quality.RULES, "reviewed"]}
        return ({"findings": found, "count": len(found), "count_by_rule": counts,
                 "rules": quality.rulebook(args.lang)}, _quality_rows(found))
    if args.command == "evaluate":
        result = _evaluate(args, con, province)
        return result, _evaluation_rows(result)
    if args.command == "explain":
        result = assessment.explain(con, _commune(con, args, province), args.year, args.set, lang=args.lang)
        return result, _explain_rows(result)
    province = _required(province)
    district = _district(con, province, getattr(args, "district", None))
    year_as_of = timeline.as_of_year(args.as_of)
    if args.command == "progress":
        result = progress.progress(con, province, args.year, year_as_of or args.year - 1, district, args.lang)
        return result, _progress_rows(result)
    if args.command == "roadmap":
        result = progress.roadmap_view(con, province, args.level, district, year_as_of, args.lang)
        return result, [{"year": y["year"], "kind": y["kind"], "new": y.get("new"), "cumulative": y["cumulative"],
                         "share_pct": y["share_pct"], "basis": y.get("basis")} for y in result["years"]]
    if args.command == "facts":
        result = statements(con, province, args.measure, args.year, args.doc, args.lang)
        return result, [{k: f[k] for k in ("doc_id", "line", "section", "fact_table", "unit_name", "year", "measure",
                                           "category", "value", "kind", "original_text")} for f in result["facts"]]
    if args.command == "recognitions":
        result = roadmap.by_year(con, province, args.level, lang=args.lang)
        return result, _recognition_rows(result)
    if args.command == "targets":
        result = targets(con, province, args.year, lang=args.lang)
        return result, _target_rows(result)
    if args.command == "funding":
        result = funding(con, province, args.year, lang=args.lang)
        return result, _funding_rows(result)
    if args.command == "units":
        frame = store.units(con, level=args.level, province_code=province.code)
        frame = frame[frame["level"] != "province"] if args.level is None else frame
        records = json.loads(frame.drop(columns=["name_norm"]).to_json(orient="records", force_ascii=False))
        return records, records
    result = summary(con, province, args.year, lang=args.lang)
    return result, _summary_rows(result) if fmt_name != "json" else []


def _part_holding(con, args, province: Unit) -> Unit:
    """The old province of a merged one whose list holds the commune asked for."""
    for part in province.parts:
        try:
            found = resolve_province(con, part)
            _commune(con, args, found)
            return found
        except UnknownUnit:
            continue
    raise UnknownUnit(f"Không tìm thấy xã '{args.commune}' / commune '{args.commune}' not found")


def _commune(con, args, province: Unit | None) -> str:
    code = args.commune
    if code.isdigit():
        return code
    if not province:
        raise UnknownUnit("Cần --province để tìm xã theo tên / --province is needed to find a commune by name")
    code = UnitMatcher(store.units(con, province_code=province.code)).match(code, province.code).code
    if code is None:
        raise UnknownUnit(f"Không tìm thấy xã '{args.commune}' / commune '{args.commune}' not found")
    return code


def main(argv: list[str] | None = None) -> int:
    """Run a command; a closed pipe (`… | head`) ends it quietly."""
    try:
        code = _main(argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # the reader has gone: point stdout at nothing so the interpreter's final flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _main(argv: list[str] | None) -> int:
    args = parser().parse_args(argv)
    db = paths.db_path(getattr(args, "db", None))
    out = sys.stdout
    try:
        if args.command == "sample":
            return _sample(args, db, out)
        if args.command == "user":
            return _user(args, out)
        if args.command == "imports":
            return _imports_list(args, out)
        if args.command == "import":
            return _import(args, db, out)
        if args.command == "undo":
            imports.undo(args.batch, args.by, db)
            json.dump({"batch": args.batch, "status": "reverted"}, out)
            out.write("\n")
            return 0
        if args.command == "template":
            con = _open(db)
            data = templates.workbook(con, args.kind, resolve_province(con, args.province).code, args.wide)
            with open(args.out, "wb") as fh:
                fh.write(data)
            json.dump({"out": args.out, "kind": args.kind, "bytes": len(data)}, out)
            out.write("\n")
            return 0
        if args.command == "build":
            counts = loader.build(db, paths.data_dir())
            json.dump({"db": str(db), "rows": counts}, out, ensure_ascii=False, indent=2)
            out.write("\n")
            return 0
        if args.command == "ensure":
            status = _ensure(db)
            json.dump({"db": str(status.db), "rebuilt": status.rebuilt, "stale": status.stale}, out)
            out.write("\n")
            return 0
        con = _open(db)
        fmt_name = args.format or ("table" if out.isatty() else "json")
        as_of = timeline.as_of_date(args.as_of)
        if args.command in ("units", "crosswalk") and (as_of or args.command == "crosswalk"):
            _timeline_command(args, con, as_of or args.to_date or "2025-07-01", fmt_name, out)
            return 0
        province = _province(con, getattr(args, "province", None), as_of)
        if args.command == "evaluate" and args.set not in (SET_NTM, SET_NANG_CAO):
            result = _evaluate_by_category(args, con, province, as_of)
            _emit(result, [{k: v for k, v in c.items() if k != "indicators"} for c in result["communes"]],
                  fmt_name, out)
            return 0
        if args.command == "report":
            return _report(args, con, _required(province), out)
        if province and province.parts and args.command == "explain":  # the old province holding it
            province = _part_holding(con, args, province)
        if province and province.parts:  # a merged province: the history of each old province
            results, rows = [], []
            held = store.unit_versions(con, list(province.parts)).set_index("unit_id")
            for part in province.parts:
                if not held.loc[part, "in_units"]:  # an old province the dashboard holds no data for
                    results.append({"province": held.loc[part, "name"], "code": part, "result": None})
                    continue
                sub = resolve_province(con, part)
                result, part_rows = _command(args, con, sub, fmt_name)
                results.append({"province": sub.name, "code": sub.code, "result": result})
                rows += [{"old_province": sub.name, **r} for r in part_rows]
            _emit({"province": province.name, "unit_id": province.unit_id, "as_of": as_of,
                   "parts": results}, rows, fmt_name, out)
            return 0
        result, rows = _command(args, con, province, fmt_name)
        if args.command == "summary" and fmt_name != "json":
            _rows_out(rows, fmt_name, out)
            if fmt_name == "table":
                for src in result["sources"]:
                    out.write(src["citation"] + "\n")
        elif args.command == "units" and fmt_name == "json":
            json.dump({"province": _required(province).name, "units": rows}, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            _emit(result, rows, fmt_name, out)
        return 0
    except (DataError, UnknownUnit, LookupError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        print(f"Không đọc/ghi được tệp / cannot read or write a file: {exc.filename or ''} "
              f"({exc.strerror or type(exc).__name__})", file=sys.stderr)
        return 2
