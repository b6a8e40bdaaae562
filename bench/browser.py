"""A page load in a new tab of Debian's Chromium, timed three ways, for the benchmarks (never a test).

- `wall`: from before `goto` until Playwright sees the script finished and the heading: the harness's clock. Its
  checks run in the page, so a long task of the page (evaluating a plotly bundle: Streamlit's full one took about
  0,85 s on this machine, ui_plot's partial ones 0,3-0,5 s) delays the answer although the content is drawn.
- `content`: the page's own clock (from the start of the navigation) when the heading is drawn and the script has
  finished: every element is drawn, charts excepted (a chart's plotly bundle is loaded when a page shows a chart;
  its place is kept empty until then).
- `charts`: the page's own clock when its last chart was drawn (None on a page without one): read once the page
  has been quiet for a second.
Both in-page times are taken by a MutationObserver installed before the page's own scripts run.
"""

import time
from dataclasses import dataclass

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 1000}
FINISHED = "[data-testid='stApp'][data-test-script-state='notRunning']"
MARKS = """
window.__load = {heading: null, finished: null, charts: null, drawn: 0, last: 0};
new MutationObserver(() => {
  const s = window.__load, now = performance.now();
  s.last = now;
  if (s.heading === null && document.querySelector('h1')) s.heading = now;
  if (s.finished === null && document.querySelector("FINISHED")) s.finished = now;
  const drawn = document.querySelectorAll('.js-plotly-plot .main-svg').length;
  if (drawn > s.drawn) { s.drawn = drawn; s.charts = now; }
}).observe(document, {subtree: true, childList: true, attributes: true});
""".replace("FINISHED", FINISHED)


@dataclass(frozen=True)
class Load:
    wall: float
    content: float
    charts: float | None


def launch(playwright):
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)


def load(browser, url: str, text: str | None = None, timeout_ms: int = 120_000) -> Load:
    """Open `url` in a new browser context (nothing carried over: no cache, no cookies) and time it; `text`, when
    given, must show too (the illustrative banner on the national database)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(MARKS)
    tab = context.new_page()
    start = time.perf_counter()
    tab.goto(url)
    tab.wait_for_selector(FINISHED, timeout=timeout_ms)
    tab.locator("h1").first.wait_for(timeout=timeout_ms)
    if text:
        tab.get_by_text(text).first.wait_for(timeout=timeout_ms)
    wall = time.perf_counter() - start
    for _ in range(60):  # quiet for a second and every chart's place (ui_plot) filled: every chart is drawn
        if tab.evaluate("performance.now() - window.__load.last > 1000 && "
                        "[...document.querySelectorAll('.ntm-figure')].every(f => f.querySelector('.main-svg'))"):
            break
        time.sleep(0.25)
    marks = tab.evaluate("window.__load")
    context.close()
    charts = marks["charts"] / 1000 if marks["charts"] is not None else None
    return Load(wall, max(marks["heading"], marks["finished"]) / 1000, charts)


def span(values: list[float]) -> str:
    """'1,23-4,56' (as the notes write figures)."""
    return f"{min(values):.2f}-{max(values):.2f}".replace(".", ",") if values else "-"
