"""Benchmark of the dashboard pages. Run: .venv/bin/python bench/bench_pages.py

For each page (Khánh Hòa, the richest province): server-side run time in Streamlit's AppTest, first run (cold
caches) and again (warm), and time to visible content in Debian's Chromium; then one chart export once kaleido is
warm. Targets on this machine: every page under 1 s server-side and under 3 s to visible content; an export under
1 s once warm. Prints a table with ratios to the targets."""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.server import serve  # noqa: E402
from ntm import charts, exports, loader, store  # noqa: E402
from ntm.summary import summary  # noqa: E402
from ntm.units import resolve_province  # noqa: E402

PAGES = [("overview", "", "Tổng quan kết quả"), ("criteria_by_district", "tieu-chi-theo-huyen", "Kết quả thực hiện"),
         ("communes", "xa", "Danh sách xã"), ("map", "ban-do", "Bản đồ kết quả"),
         ("roadmap", "lo-trinh-muc-tieu", "Lộ trình đạt chuẩn"),
         ("funding", "nguon-von", "Nguồn vốn thực hiện"), ("quality", "chat-luong-du-lieu", "Chất lượng dữ liệu"),
         ("sources", "nguon-phuong-phap", "Nguồn số liệu")]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def server_side(page: str) -> tuple[float, float]:
    """(first run, second run) of the page in AppTest; the caches are shared with the pages measured before."""
    times = []
    for _ in range(2):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.query_params["province"] = "56"
        if page != "overview":
            at.run()
            at.switch_page(f"views/{page}.py")
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return times[0], times[1]


def browser(db: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out = {}
    with serve({**os.environ, "NTM_DB": str(db)}) as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = b.new_page(viewport={"width": 1440, "height": 1000})
        for _name, path, heading in PAGES:  # warm the server once per page, then measure
            page.goto(f"{url}/{path}?province=56")
            page.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
        for _ in range(2):  # best of two loads of each page
            for name, path, heading in PAGES:
                start = time.perf_counter()
                page.goto(f"{url}/{path}?province=56")
                page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
                page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
                out[name] = min(out.get(name, 1e9), time.perf_counter() - start)
        b.close()
    return out


def main() -> None:
    db = Path(tempfile.mkdtemp()) / "bench.duckdb"
    loader.build(db)
    os.environ["NTM_DB"] = str(db)
    rows = []
    shown = browser(db)
    for name, _, _ in PAGES:
        cold, warm = server_side(name)
        rows.append((name, f"{cold:.2f} s", f"{warm:.2f} s", f"{warm / 1:.2f}", f"{shown[name]:.2f} s",
                     f"{shown[name] / 3:.2f}"))
    con = store.connect(db)
    result = summary(con, resolve_province(con, "58"), 2023)
    fig = charts.district_average_bar(result, result["sources"][0]["citation"])
    exports.image(fig, "png", "warm-up")
    start = time.perf_counter()
    png = exports.image(fig, "png", "Bộ lọc")
    export = time.perf_counter() - start
    head = ("page", "server cold", "server warm", "warm / 1 s", "browser to content", "browser / 3 s")
    width = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, width, strict=True)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, width, strict=True)))
    print(f"chart export (PNG {len(png) // 1024} KB, kaleido warm): {export:.2f} s — "
          f"{export / 1:.2f} of the 1 s target")


if __name__ == "__main__":
    main()
