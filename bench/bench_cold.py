"""Cold pages, measured honestly. One command: .venv/bin/python bench/bench_cold.py [PROVINCE ...] [--no-browser]

Every server-side measurement is a fresh process: the page is rendered by Streamlit's AppTest in a new Python
process (as a new server process would), on a database built for the benchmark, in two states of the result cache
(ntm.resultcache), reported separately:
- "empty cache": a new empty cache for every render — the computations themselves, cold;
- "warmed cache": the cache scripts/warm.py fills at server start (run-app.sh) — what a fresh server serves.
Both are timed the same way, by the child's own clocks (wall and CPU), from after what a server has loaded before
its first visitor (Streamlit, and what scripts/serve.py imports) to the end of the page; the whole process's wall
time (imports included) is reported too, and the load average before each state. AppTest cannot open a page
before the app's first run, so a page's time is the default page (the overview) then the page, as a forwarded
link's first load in a fresh process; the page's own run after it is reported beside, and its run once more in
the same process (warm: what the next visitor of a running server costs). Then a browser: a fresh server per
province (warmed cache), each page loaded once in a new tab (a new browser context: nothing carried over), timed by
the harness and by the page's own clock to its content and to its last chart drawn (bench/browser.py); the first
load of each server is marked. Targets: under 1 s server-side, under 3 s to content in the browser. Default
provinces: all of the 2024 list and the three merged in 2025. `--browser-only`: the browser part alone. Prints the
lines as it goes, then a summary table in markdown for bench/README.md.
"""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.browser import Load, launch, load, span  # noqa: E402
from bench.server import serve  # noqa: E402
from ntm import loader, store, timeline  # noqa: E402

PATHS = {"overview": "", "criteria_by_district": "tieu-chi-theo-huyen", "communes": "xa", "map": "ban-do",
         "roadmap": "lo-trinh-muc-tieu", "funding": "nguon-von", "quality": "chat-luong-du-lieu",
         "facts": "so-lieu-theo-van-ban", "report": "xuat-bao-cao", "sources": "nguon-phuong-phap",
         "imports": "nhap-so-lieu"}  # as app.py registers them
PAGES = sorted(p.stem for p in (ROOT / "views").glob("*.py"))
CHILD = """
import runpy, sys, time
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
runpy.run_path({serve!r})["preload"]()  # what scripts/serve.py imports before a server's first visitor
wall, cpu = time.perf_counter(), time.process_time()
at = AppTest.from_file({app!r}, default_timeout=600)
at.query_params["province"] = {province!r}
at.run()
page_wall, page_cpu = time.perf_counter(), time.process_time()
if {page!r} != "overview":
    at.switch_page("views/{page}.py").run()
end_wall, end_cpu = time.perf_counter(), time.process_time()
if {page!r} == "overview":
    page_wall, page_cpu = wall, cpu
failed = bool(at.exception)
at.run()  # the same page again in the same process: warm (what a second visitor of a running server costs)
warm_wall, warm_cpu = time.perf_counter() - end_wall, time.process_time() - end_cpu
print("RESULT", end_wall - wall, end_cpu - cpu, end_wall - page_wall, end_cpu - page_cpu, warm_wall, warm_cpu,
      failed or bool(at.exception))
"""


def render(page: str, province: str, env: dict) -> dict:
    code = CHILD.format(root=str(ROOT), app=str(ROOT / "app.py"), serve=str(ROOT / "scripts" / "serve.py"),
                        province=province, page=page)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900)
    total = time.perf_counter() - started
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    _, wall, cpu, page_wall, page_cpu, warm_wall, warm_cpu, failed = line.split()
    return {"wall": float(wall), "cpu": float(cpu), "page_wall": float(page_wall), "page_cpu": float(page_cpu),
            "warm_wall": float(warm_wall), "warm_cpu": float(warm_cpu), "process": total, "error": failed == "True"}


def browser(env: dict, province: str) -> dict[str, Load]:
    """Each page once, a new tab per load (a new browser context), on a fresh server; the first load is the
    server's first."""
    from playwright.sync_api import sync_playwright

    with serve(env) as url, sync_playwright() as p:
        b = launch(p)
        out = {page: load(b, f"{url}/{PATHS[page]}?province={province}") for page in PAGES}
        b.close()
    return out


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("provinces", nargs="*")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--browser-only", action="store_true", help="the browser part only (the cache warmed first)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ntm-bench-"))
    db = work / "ntm.duckdb"
    loader.build(db)
    con = store.connect(db)
    provinces = args.provinces or (list(store.provinces(con)["code"])
                                   + [p.unit_id for p in timeline.new_provinces_with_parts(con)])
    con.close()
    print(f"# {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    results, loads, rows = {}, {}, []
    for state in ("warmed cache",) if args.browser_only else ("empty cache", "warmed cache"):
        env = {**os.environ, "NTM_DB": str(db), "NTM_CACHE": str(work / "warmed")}
        if state == "warmed cache":
            started = time.perf_counter()
            subprocess.run([sys.executable, "scripts/warm.py", "--quiet"], cwd=ROOT, env=env, check=True)
            print(f"\nscripts/warm.py filled the cache in {time.perf_counter() - started:.1f} s")
        loads[state] = _load()
        print(f"\n## {state} (load average {loads[state]})")
        print(f"{'province':16s} {'page':22s} {'wall':>6s} {'cpu':>6s} {'page':>6s} {'process':>8s}")
        for province in [] if args.browser_only else provinces:
            for page in PAGES:
                if state == "empty cache":  # nothing computed by an earlier render may help this one
                    env["NTM_CACHE"] = tempfile.mkdtemp(dir=work, prefix="empty-")
                r = results[(state, province, page)] = render(page, province, env)
                print(f"{province:16s} {page:22s} {r['wall']:6.2f} {r['cpu']:6.2f} {r['page_wall']:6.2f} "
                      f"{r['process']:8.2f}{'  ERROR' if r['error'] else ''}", flush=True)
        for province in [] if args.browser_only else provinces:
            mine = [r for (s, p, _), r in results.items() if s == state and p == province]
            worst = max(PAGES, key=lambda page: results[(state, province, page)]["wall"])
            rows.append(f"| {state}, {province} | {span([r['wall'] for r in mine])} s | "
                        f"{span([r['cpu'] for r in mine])} s | {span([r['page_wall'] for r in mine])} s | "
                        f"{span([r['process'] for r in mine])} s | {worst} | {loads[state]} |")
    if not args.no_browser:
        env = {**os.environ, "NTM_DB": str(db), "NTM_CACHE": str(work / "warmed")}
        for province in provinces:
            average = _load()
            print(f"\n## browser, fresh server, warmed cache, {province}, new tab per load (load {average})")
            times = browser(env, province)
            print(f"{'page':22s} {'wall':>6s} {'content':>8s} {'charts':>7s}")
            for n, (page, t) in enumerate(times.items()):
                charts = f"{t.charts:7.2f}" if t.charts is not None else "      -"
                first = "  (first load of the server)" if n == 0 else ""
                print(f"{page:22s} {t.wall:6.2f} {t.content:8.2f} {charts}{first}", flush=True)
            slowest = max(times, key=lambda page: times[page].charts or times[page].content)
            rows.append(f"| browser, {province} | {span([t.wall for t in times.values()])} s (harness) | "
                        f"content {span([t.content for t in times.values()])} s | charts "
                        f"{span([t.charts for t in times.values() if t.charts is not None])} s | | {slowest} | "
                        f"{average} |")
    print("\n| state, province | render wall (overview + page) | render CPU | page's own run | process | slowest "
          "| load 1/5/15 min |\n|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
