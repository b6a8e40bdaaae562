"""National-scale benchmark on the illustrative database (`python -m ntm sample --national`). One command:

    .venv/bin/python bench/bench_national.py [--db var/national.duckdb] [--repeat 5] [--no-build] [--no-browser]
        [--pages-only] [--no-renders] [--provinces 56 01 …] [--pages overview facts …]

Every figure is a wall time (time.perf_counter) and a CPU time (time.process_time in the process that does the
work — all its threads, DuckDB's included — or the child's rusage for a subprocess), the first run and the best
of `--repeat`, with the load average read just before it. Measured: the build of the database; the national
evaluation of every indicator row (all xã × the NTM set's indicators × 5 years) by the set-based engine and by a
plain pandas merge-and-compare of the same rules (both checked to agree); `evaluate --input` of a national file in
a fresh process; `explain` for one commune in a fresh process after setup and one warm call; the map PNG export
warm; then every page for five provinces: server-side, cold (AppTest in a fresh process on an empty result cache,
as bench_cold.py) and warm (the same page again in that process); in a browser, a fresh server on an empty result
cache, each page loaded twice in a new context (first, second), to visible content; the server's RSS after all
loads. Targets (issue 13): evaluation < 1 s wall and >= 5x the pandas merge in CPU; explain < 50 ms; map export
< 1 s warm; pages < 2 s cold and < 1 s warm server-side; RSS < 1 GB."""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_cold  # noqa: E402
from bench import browser as tabs  # noqa: E402
from bench.server import serve  # noqa: E402
from ntm import exports, maps, national, store  # noqa: E402
from ntm.criteria import GENERAL_CONDITIONS, SET_NTM, Rulebook, evaluate  # noqa: E402
from ntm.units import resolve_province  # noqa: E402

PROVINCES = ("56", "01", "38", "79", "94")  # Khánh Hòa (district map), Hà Nội, Thanh Hóa, TP HCM, Sóc Trăng
PAGES = [page for page in bench_cold.PATHS if page != "imports"]  # every page that reads the database
ILLUSTRATIVE = "Dữ liệu minh họa / illustrative"  # the banner every page of the national database shows
ROWS: list[tuple[str, str, str, str]] = []


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def record(measure: str, value: str, target: str = "") -> None:
    ROWS.append((measure, value, target, load()))
    print(f"{measure}: {value}  [{target}] load {ROWS[-1][3]}", flush=True)


def timed(fn, repeat: int):
    """(first (wall, cpu), best (wall, cpu) of the `repeat` runs after it — the first when none —, last result)."""
    runs, result = [], None
    for _ in range(repeat + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return runs[0], min(runs[1:] or runs), result


def dots(n: int) -> str:
    """1.234.567: thousands written the Vietnamese way."""
    return f"{n:,}".replace(",", ".")


def child(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall and CPU (user + system of the child) of a command in a fresh process, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, out


def fmt_runs(first, best, unit: float = 1.0, suffix: str = "s") -> str:
    return (f"first {first[0] * unit:.3f} {suffix} wall / {first[1] * unit:.3f} {suffix} CPU; best "
            f"{best[0] * unit:.3f} {suffix} wall / {best[1] * unit:.3f} {suffix} CPU")


# ---- the national evaluation: engine against a plain pandas merge-and-compare --------------------------------

def pandas_counts(values: pd.DataFrame, units: pd.DataFrame, rules: Rulebook, declared: pd.DataFrame,
                  years: list[int]) -> pd.DataFrame:
    """Criteria met / not met / incomplete per unit and year, with the engine's rules, in plain pandas: the
    threshold that applies picked per zone (province, region), year and indicator; values merged with it and
    compared; criteria settled by their indicators, else by a declared result."""
    thresholds = rules.of_set("thresholds", SET_NTM).rename(
        columns={"province_code": "t_province", "region_code": "t_region"})
    indicators = rules.of_set("indicators", SET_NTM)[["criterion_no", "indicator_code"]]
    units = units.assign(region=np.where(units["especially_difficult"], "TDMNPB",
                                         units["region_code"].fillna("")))
    zones = units[["province_code", "region"]].drop_duplicates()
    cand = zones.merge(pd.DataFrame({"year": years}), how="cross").merge(indicators, how="cross").merge(
        thresholds, on="indicator_code")
    cand = cand[(cand["t_province"].isna() | (cand["t_province"] == cand["province_code"]))
                & (cand["t_region"].isna() | (cand["t_region"] == cand["region"]))
                & (cand["year_from"].isna() | cand["year"].between(cand["year_from"], cand["year_to"]))]
    cand = cand.assign(known=cand["certainty"].isin(["confirmed", "as_quoted"]),
                       own=cand["t_province"].notna(), regional=cand["t_region"].notna())
    cand = cand.sort_values(["known", "own", "regional", "year_from"], ascending=False, na_position="last")
    picked = cand.drop_duplicates(["province_code", "region", "year", "indicator_code"])
    v = values.merge(units[["unit_code", "province_code", "region"]], on="unit_code").merge(
        indicators, on="indicator_code").merge(
        picked[["province_code", "region", "year", "indicator_code", "comparator", "threshold", "known"]],
        on=["province_code", "region", "year", "indicator_code"], how="left")
    x, t, op = v["value"], v["threshold"], v["comparator"]
    ok = v["known"].fillna(False).astype(bool) & t.notna() & op.notna()
    passed = (((op == ">=") & (x >= t)) | ((op == ">") & (x > t)) | ((op == "<=") & (x <= t))
              | ((op == "<") & (x < t)) | ((op == "==") & (x == t)))
    v = v.assign(met=ok & x.notna() & passed, not_met=ok & x.notna() & ~passed)
    per = v.groupby(["unit_code", "year", "criterion_no"], as_index=False)[["met", "not_met"]].sum()
    n_ind = indicators.groupby("criterion_no").size().rename("n").reset_index()
    grid = units[["unit_code"]].merge(pd.DataFrame({"year": years}), how="cross").merge(n_ind, how="cross")
    grid = grid.merge(per, on=["unit_code", "year", "criterion_no"], how="left").merge(
        declared[["unit_code", "year", "criterion_no", "status"]], on=["unit_code", "year", "criterion_no"],
        how="left")
    computed = np.where(grid["not_met"].fillna(0) > 0, "not_met",
                        np.where(grid["met"].fillna(0) == grid["n"], "met", "incomplete"))
    status = np.where((computed == "incomplete") & grid["status"].notna(), grid["status"], computed)
    grid = grid.assign(s=status)[grid["criterion_no"] != GENERAL_CONDITIONS]
    out = pd.crosstab([grid["unit_code"], grid["year"]], grid["s"]).reindex(
        columns=["met", "not_met", "incomplete"], fill_value=0)
    return out.rename(columns=lambda c: f"criteria_{c}").reset_index()


def national_evaluation(con, repeat: int) -> None:
    rules, years = Rulebook.from_db(con), national.years(con)
    units = store.unit_attributes(con, xa_only=True)
    values = con.execute("SELECT unit_code, indicator_code, year, value FROM indicator_values WHERE set_code = ?",
                         [SET_NTM]).df()
    declared = con.execute("SELECT unit_code, year, criterion_no, status, doc_id, line FROM criteria_status "
                           "WHERE set_code = ?", [SET_NTM]).df()
    n_ind = len(rules.of_set("indicators", SET_NTM))
    record("national evaluation: rows", f"{dots(len(units))} xã × {n_ind} indicators × {len(years)} years = "
           f"{dots(len(units) * n_ind * len(years))} indicator results ({dots(len(values))} values, "
           f"{dots(len(declared))} declared criterion results)")
    e_first, e_best, ev = timed(lambda: evaluate(values, units, rules, SET_NTM, declared, years), repeat)
    record("national evaluation, set-based engine (counts per commune and year)", fmt_runs(e_first, e_best),
           "< 1 s wall")
    p_first, p_best, pd_counts = timed(lambda: pandas_counts(values, units, rules, declared, years), repeat)
    record("national evaluation, plain pandas merge-and-compare", fmt_runs(p_first, p_best))
    cols = ["unit_code", "year", "criteria_met", "criteria_not_met", "criteria_incomplete"]
    engine = ev.units[cols].sort_values(["unit_code", "year"]).reset_index(drop=True)
    same = engine.astype({c: "int64" for c in cols[2:]}).equals(
        pd_counts[cols].sort_values(["unit_code", "year"]).reset_index(drop=True).astype(
            {c: "int64" for c in cols[2:]}))
    record("engine and pandas agree (every commune and year)", str(same), "True")
    record("engine vs pandas, CPU (best)", f"{p_best[1] / e_best[1]:.1f}× less CPU; wall {p_best[0] / e_best[0]:.1f}×",
           ">= 5× CPU")
    e_rows = timed(lambda: ev.indicators_for(None), 0)
    record("engine: every indicator row to pandas (on demand)", f"{e_rows[0][0]:.3f} s wall / {e_rows[0][1]:.3f} s "
           f"CPU, {dots(len(e_rows[2]))} rows")
    if not same:
        raise SystemExit("the engine and the pandas merge disagree")


# ---- fresh processes: evaluate --input, explain ----------------------------------------------------------------

EXPLAIN = """
import json, sys, time
sys.path.insert(0, {root!r})
t0, c0 = time.perf_counter(), time.process_time()
from ntm import assessment, store
from ntm.criteria import Rulebook
con = store.connect({db!r})
rules = Rulebook.from_db(con)
codes = store.unit_attributes(con, province_code="56", xa_only=True)["unit_code"].tolist()
setup = (time.perf_counter() - t0, time.process_time() - c0)
assessment.explain(con, codes[0], 2024, rules=rules)  # warm
runs = []
for code in codes[1:{n}]:
    w, c = time.perf_counter(), time.process_time()
    assessment.explain(con, code, 2024, rules=rules)
    runs.append((time.perf_counter() - w, time.process_time() - c))
print(json.dumps({{"setup": setup, "first": runs[0], "best": min(runs), "n": len(runs)}}))
"""


def fresh_processes(db: Path, repeat: int) -> None:
    con = store.connect(db)
    long = con.execute("SELECT unit_code, indicator_code, value FROM indicator_values WHERE set_code = ? AND "
                       "year = 2024", [SET_NTM]).df()
    values = long.pivot(index="unit_code", columns="indicator_code", values="value").reset_index().rename(
        columns={"unit_code": "ma_xa"})  # wide: one row per commune (the reader takes at most 100.000 rows)
    values.insert(1, "nam", 2024)
    con.close()
    path = Path(tempfile.mkdtemp()) / "national_2024.csv"
    values.to_csv(path, index=False)
    cmd = [sys.executable, "-m", "ntm", "evaluate", "--db", str(db), "--input", str(path), "--year", "2024",
           "--format", "json"]
    wall, cpu, out = child(cmd)
    n = len(json.loads(out)["communes"])
    record(f"evaluate --input, national file ({dots(values.iloc[:, 2:].notna().sum().sum())} values, "
           f"{dots(n)} communes, wide), fresh process",
           f"{wall:.2f} s wall / {cpu:.2f} s CPU (process: import, read, match, assess, JSON)")
    result = json.loads(child([sys.executable, "-c", EXPLAIN.format(root=str(ROOT), db=str(db),
                                                                     n=repeat + 2)])[2])
    record("explain: process setup (imports, connect, rulebook)", f"{result['setup'][0]:.2f} s wall / "
           f"{result['setup'][1]:.2f} s CPU")
    record(f"explain one commune (Khánh Hòa 2024, after one warm call; {result['n']} communes)",
           fmt_runs(result["first"], result["best"], 1000, "ms"), "< 50 ms")


def map_export(db: Path, repeat: int) -> None:
    con = store.connect(db)
    province = resolve_province(con, "56")
    year = 2024
    states = maps.commune_states(con, province, year)
    districts = maps.district_values(con, province, year, "share_ntm")
    fig = maps.figure(province, districts, "share_ntm", states, year, "Nguồn: dữ liệu minh họa", "vi")
    exports.image(fig, "png", "warm-up")
    first, best, png = timed(lambda: exports.image(fig, "png", "Khánh Hòa, 2024"), repeat)
    record(f"map PNG export, Khánh Hòa ({len(png) // 1024} KB), kaleido warm", fmt_runs(first, best), "< 1 s warm")


# ---- pages: server-side cold and warm (fresh processes), then a fresh server in a browser, and its RSS ----------

def _server_rss(pid: int) -> int:
    """VmRSS (kB) of the server process."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


def server_side(db: Path, provinces: list[str], pages: list[str]) -> None:
    """Each page and province rendered by AppTest in a fresh process on an empty result cache (bench_cold.render):
    cold (the page's own run after the overview, and both together as a forwarded link's first load), then the
    same page again in that process (warm)."""
    work = Path(tempfile.mkdtemp(prefix="ntm-national-"))
    for province in provinces:
        for page in pages:
            env = {**os.environ, "NTM_DB": str(db.resolve()), "NTM_WARM": "0",
                   "NTM_CACHE": tempfile.mkdtemp(dir=work, prefix="empty-")}
            r = bench_cold.render(page, province, env)
            record(f"server-side, {page}, {province}: cold (page's run; with the overview before it) / warm",
                   f"{r['page_wall']:.2f} s wall / {r['page_cpu']:.2f} s CPU ({r['wall']:.2f} / {r['cpu']:.2f}); "
                   f"warm {r['warm_wall']:.2f} s wall / {r['warm_cpu']:.2f} s CPU{'; ERROR' if r['error'] else ''}",
                   "< 2 s cold, < 1 s warm")


def _charts(t: tabs.Load) -> str:
    return f"{t.charts:.2f} s" if t.charts is not None else "-"


def browser(db: Path, provinces: list[str], pages: list[str]) -> None:
    """A fresh server on an empty result cache; each page and province loaded in a new tab (a new browser context)
    twice: first (cold for that page and province) and again (warm), timed by the harness and by the page's own
    clock to its content and its last chart (bench/browser.py); then its RSS."""
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "NTM_DB": str(db.resolve()), "NTM_WARM": "0",
           "NTM_CACHE": tempfile.mkdtemp(prefix="ntm-national-cache-")}
    with serve(env) as url, sync_playwright() as p:
        browser = tabs.launch(p)
        record("server RSS, fresh (before any page)", f"{_server_rss(url.pid) / 1024:.0f} MB")
        for province in provinces:
            for page_name in pages:
                address = f"{url}/{bench_cold.PATHS[page_name]}?province={province}"
                first, second = (tabs.load(browser, address, ILLUSTRATIVE, 300_000) for _ in ("cold", "warm"))
                record(f"browser, new tab, {page_name}, {province}: first / second load: harness; content; charts",
                       f"{first.wall:.2f} / {second.wall:.2f} s; {first.content:.2f} / {second.content:.2f} s; "
                       f"{_charts(first)} / {_charts(second)} (server RSS {_server_rss(url.pid) / 1024:.0f} MB)")
        rss = _server_rss(url.pid)
        browser.close()
    record(f"server RSS after every page ({len(pages)}) for {len(provinces)} provinces, twice each",
           f"{rss / 1024:.0f} MB", "< 1024 MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=str(national.DEFAULT_DB))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-build", action="store_true", help="use the database at --db as it is")
    ap.add_argument("--no-browser", action="store_true", help="skip the server and browser part")
    ap.add_argument("--pages-only", action="store_true", help="only the pages (server-side, browser, RSS)")
    ap.add_argument("--no-renders", action="store_true", help="skip the server-side renders (AppTest)")
    ap.add_argument("--provinces", nargs="+", default=list(PROVINCES), help="province codes (default: five)")
    ap.add_argument("--pages", nargs="+", default=PAGES, choices=PAGES, help="pages by name (default: all)")
    args = ap.parse_args()
    db = Path(args.db)
    print(f"{datetime.now(UTC).isoformat(timespec='seconds')}, {os.cpu_count()} cores, database {db}", flush=True)
    if not args.no_build and not args.pages_only:
        wall, cpu, _ = child([sys.executable, "-m", "ntm", "sample", "--national", "--out", str(db)])
        record("build: python -m ntm sample --national (fresh process)", f"{wall:.1f} s wall / {cpu:.1f} s CPU")
    if not args.pages_only:
        con = store.connect(db)
        national_evaluation(con, args.repeat)
        con.close()
        fresh_processes(db, args.repeat)
        map_export(db, args.repeat)
    if not args.no_renders:
        server_side(db, args.provinces, args.pages)
    if not args.no_browser:
        browser(db, args.provinces, args.pages)
    print("\n| measure | value | target | load average (1/5/15 min) |\n|---|---|---|---|")
    for r in ROWS:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
