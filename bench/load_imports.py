"""Load test (bounded, 127.0.0.1 only): N browser sessions (Debian's Chromium through Playwright) reload the
overview of Khánh Hòa while a batch of five 2025 recognitions is applied and undone, twice. Every load must show
either the old view (65 xã by 2023) or the new one (70 xã: five recognised in 2025), never both or neither, and no
error. Prints the page-load times (p50/p95) and the counts of each view.

    .venv/bin/python bench/load_imports.py [--sessions 20] [--cycles 2] [--pause 8]
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.browser import ARGS  # noqa: E402

OLD, NEW = "65 xã · 70,7 %", "70 xã · 76,1 %"
FIVE = [("22723", "Sơn Hiệp"), ("22474", "Cam Phước Đông"), ("22477", "Cam Thịnh Tây"), ("22621", "Khánh Đông"),
        ("22615", "Khánh Bình")]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(base: Path) -> Path:
    from openpyxl import load_workbook

    from ntm import loader, store, templates

    loader.build(Path(os.environ["NTM_DB"]))
    con = store.connect(os.environ["NTM_DB"])
    path = base / "cong_nhan_2025.xlsx"
    path.write_bytes(templates.workbook(con, "recognitions", "56"))
    con.close()
    wb = load_workbook(path)
    for i, (code, name) in enumerate(FIVE, start=2):
        for j, v in enumerate([code, name, "NTM", 2025, f"{i}/QĐ-UBND", f"{i}/06/2025", "Thực tế"], start=1):
            wb["Số liệu"].cell(row=i, column=j, value=v)
    wb.save(path)
    return path


def _writer(path: Path, cycles: int, pause: float, log: list, done: threading.Event) -> None:
    from ntm import imports, store

    for _ in range(cycles):
        time.sleep(pause)
        con = store.connect(os.environ["NTM_DB"])
        batch = imports.stage(con, path, "recognitions", "56", path.name, "load-test")
        con.close()
        t = time.perf_counter()
        imports.apply(batch, "load-test")
        log.append(("apply", time.perf_counter() - t))
        time.sleep(pause)
        t = time.perf_counter()
        imports.undo(batch, "load-test")
        log.append(("undo", time.perf_counter() - t))
    time.sleep(pause)
    done.set()


async def _reader(browser, url: str, done: threading.Event, times: list, views: list, errors: list) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.on("request", lambda r: errors.append(f"outside request {r.url}")
            if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
    while not done.is_set():
        t = time.perf_counter()
        try:
            await page.goto(f"{url}/?province=56&as_of=2025", timeout=120_000)
            await page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                                         timeout=120_000)
            await page.get_by_text("xã ·").first.wait_for(timeout=120_000)
            text = await page.locator("[data-testid='stMain']").inner_text()
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
            continue
        times.append(time.perf_counter() - t)
        if await page.locator("[data-testid='stException']").count():
            errors.append("exception on the page")
        views.append((OLD in text, NEW in text))
    await context.close()


async def _run(url: str, sessions: int, done: threading.Event, times, views, errors) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        await asyncio.gather(*(_reader(browser, url, done, times, views, errors) for _ in range(sessions)))
        await browser.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--cycles", type=int, default=2)
    ap.add_argument("--pause", type=float, default=8)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="ntm-load-"))
    os.environ.update({"NTM_DB": str(base / "ntm.duckdb"), "NTM_IMPORTS": str(base / "imports"),
                       "NTM_BOUNDARIES": str(base / "boundaries")})
    path = _prepare(base)
    port = _port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                               "--server.port", str(port), "--server.headless", "true"], cwd=ROOT,
                              stdout=(base / "server.log").open("w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        times, views, errors, writes = [], [], [], []
        done = threading.Event()
        writer = threading.Thread(target=_writer, args=(path, args.cycles, args.pause, writes, done))
        writer.start()
        asyncio.run(_run(url, args.sessions, done, times, views, errors))
        writer.join()
    finally:
        server.terminate()
        server.wait(timeout=20)
    q = statistics.quantiles(times, n=20) if len(times) >= 2 else [float("nan")] * 19
    mixed = sum(1 for old, new in views if old == new)
    print(f"sessions {args.sessions}, page loads {len(times)}, errors {len(errors)}, mixed or empty views {mixed}")
    print(f"views: old {sum(o and not n for o, n in views)}, new {sum(n and not o for o, n in views)}")
    print(f"page load to content: p50 {statistics.median(times):.2f} s, p95 {q[18]:.2f} s, max {max(times):.2f} s")
    print("writes: " + ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in writes))
    for e in errors[:10]:
        print("error:", e)
    return 0 if not errors and not mixed else 1


if __name__ == "__main__":
    raise SystemExit(main())
