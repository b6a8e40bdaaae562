"""Cold pages, measured honestly. Run: .venv/bin/python bench/bench_cold.py [PROVINCE ...]

Every measurement is a fresh process: the page is rendered by Streamlit's AppTest in a new Python process (as a new
server process would), on a database built for the benchmark, in two states of the result cache (ntm.resultcache):
empty (a new empty cache for every render), and filled by scripts/warm.py as run-app.sh does after start. Both
states are timed the same way; wall and CPU time of the render (the child's own clocks) and of the whole process
are reported, with the load average before each state. The overview runs first in every process (the app's default
page), so a page's time includes it, as a visitor's first load of a forwarded link does. Then a browser: a fresh
server (warm cache), each page loaded once in a new tab, timed to visible content. Targets: under 1 s server-side,
under 3 s to content in the browser. Default provinces: all of the 2024 list and the three merged in 2025."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import serve  # noqa: E402
from ntm import loader, store, timeline  # noqa: E402

PAGES = sorted(p.stem for p in (ROOT / "views").glob("*.py"))
PATHS = {"overview": "", "criteria_by_district": "tieu-chi-theo-huyen", "communes": "xa", "map": "ban-do",
         "roadmap": "lo-trinh-muc-tieu", "funding": "nguon-von", "quality": "chat-luong-du-lieu",
         "sources": "nguon-phuong-phap", "facts": "so-lieu-theo-van-ban"}
CHILD = """
import sys, time
sys.path.insert(0, {root!r})
wall, cpu = time.perf_counter(), time.process_time()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=600)
at.query_params["province"] = {province!r}
at.run()
if {page!r} != "overview":
    at.switch_page("views/{page}.py").run()
print("RESULT", time.perf_counter() - wall, time.process_time() - cpu, bool(at.exception))
"""


def render(page: str, province: str, env: dict) -> dict:
    code = CHILD.format(root=str(ROOT), app=str(ROOT / "app.py"), province=province, page=page)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900)
    total = time.perf_counter() - started
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    _, wall, cpu, failed = line.split()
    return {"render_wall": float(wall), "render_cpu": float(cpu), "process_wall": total, "error": failed == "True"}


def browser(env: dict, province: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out = {}
    with serve(env) as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        for page_name in PAGES:  # a new tab (new context) per load: no state carried between loads
            context = b.new_context(viewport={"width": 1440, "height": 1000})
            tab = context.new_page()
            start = time.perf_counter()
            tab.goto(f"{url}/{PATHS.get(page_name, page_name)}?province={province}")
            tab.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000)
            tab.locator("h1").first.wait_for(timeout=120_000)
            out[page_name] = time.perf_counter() - start
            context.close()
        b.close()
    return out


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="ntm-bench-"))
    db = work / "ntm.duckdb"
    loader.build(db)
    con = store.connect(db)
    provinces = sys.argv[1:] or (list(store.provinces(con)["code"])
                                 + [p["unit_id"] for p in timeline.new_provinces_with_parts(con)])
    con.close()
    results = {}
    for state in ("empty cache", "warm cache"):
        env = {**os.environ, "NTM_DB": str(db), "NTM_CACHE": str(work / state.replace(" ", "-"))}
        if state == "warm cache":
            subprocess.run([sys.executable, "scripts/warm.py", "--quiet"], cwd=ROOT, env=env, check=True)
        load = os.getloadavg()
        print(f"\n## {state} (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores)")
        print(f"{'province':16s} {'page':22s} {'render wall':>11s} {'render cpu':>10s} {'process':>8s}  vs 1 s")
        for province in provinces:
            for page in PAGES:
                if state == "empty cache":  # nothing computed by an earlier render may help this one
                    env["NTM_CACHE"] = tempfile.mkdtemp(dir=work, prefix="empty-")
                r = render(page, province, env)
                results[(state, province, page)] = r
                print(f"{province:16s} {page:22s} {r['render_wall']:10.2f}s {r['render_cpu']:9.2f}s "
                      f"{r['process_wall']:7.2f}s  {r['render_wall']:.2f}{'  ERROR' if r['error'] else ''}",
                      flush=True)
    env = {**os.environ, "NTM_DB": str(db), "NTM_CACHE": str(work / "warm-cache")}
    for province in provinces[:1]:
        load = os.getloadavg()
        print(f"\n## browser, fresh server, warm cache, {province}, new tab per load (load {load[0]:.2f})")
        for page, seconds in browser(env, province).items():
            print(f"{page:22s} {seconds:6.2f} s  {seconds / 3:.2f} of the 3 s target")
    worst = {state: max(r["render_wall"] for (s, _, _), r in results.items() if s == state)
             for state in ("empty cache", "warm cache")}
    print("\nworst render: " + json.dumps({k: round(v, 2) for k, v in worst.items()}))


if __name__ == "__main__":
    main()
