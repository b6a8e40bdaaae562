"""One Chromium (kaleido) draws every image export of a process.

Started on the first export, so a page that never exports pays nothing, and ended at exit (or by `stop`). It runs
offline: plotly.js from the installed plotly and no MathJax (kaleido's default page loads MathJax from a CDN; no
label is LaTeX). Nothing of one export is left for the next: kaleido reloads its page after every image. The reload
(re-reading plotly.js) runs once the image is handed back, not before, and the next export waits for it: a warm
export waits only for its own drawing. A browser that fails (crashed, timed out) is closed and the next export
starts a new one.
"""

import asyncio
import atexit
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import kaleido

T = TypeVar("T")
TIMEOUT = 120  # seconds for a start, an image or a close (kaleido's own limit per image is 90)
_LOCK = threading.Lock()
_SESSION: list[tuple[asyncio.AbstractEventLoop, threading.Thread, "_Kaleido"]] = []


class _Kaleido(kaleido.Kaleido):
    """Kaleido whose tab is reloaded after the image is returned (kaleido waits for the reload before returning)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reloads: set[asyncio.Task] = set()
        self.broken = False  # a reload failed: its tab never comes back, so the next export needs a new browser

    async def _return_kaleido_tab(self, tab: Any) -> None:
        task = asyncio.ensure_future(super()._return_kaleido_tab(tab))  # the next export takes the tab when back
        self._reloads.add(task)
        task.add_done_callback(self._reloaded)

    def _reloaded(self, task: asyncio.Task) -> None:
        self._reloads.discard(task)
        self.broken |= task.cancelled() or task.exception() is not None


async def _finish(browser: _Kaleido) -> None:
    """Close the browser, then end what its library leaves running on the loop (its watchdog)."""
    try:
        await browser.close()
    finally:
        tasks = asyncio.all_tasks() - {asyncio.current_task()}
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _open() -> _Kaleido:
    browser = _Kaleido(mathjax=False)
    await browser.open()
    return browser


def _run(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(TIMEOUT)


def _session() -> tuple[asyncio.AbstractEventLoop, _Kaleido]:
    """The running browser, started on first use, restarted after a failure (caller holds _LOCK)."""
    if _SESSION and _SESSION[0][2].broken:
        _close()
    if not _SESSION:
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="ntm-kaleido", daemon=True)
        thread.start()
        try:
            _SESSION.append((loop, thread, _run(loop, _open())))
        except BaseException:
            _end_loop(loop, thread)
            raise
    loop, _, browser = _SESSION[0]
    return loop, browser


def render(fig: Any, opts: dict[str, Any], topojson: str) -> bytes:
    """The image bytes of a plotly figure (kaleido's `calc_fig`), one export at a time."""
    with _LOCK:
        loop, browser = _session()
        try:
            return _run(loop, browser.calc_fig(fig, opts=opts, topojson=topojson))
        except Exception:
            _close()  # a browser that failed (crashed, timed out) is not reused: the next export starts a new one
            raise


def _end_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def stop() -> None:
    """Close the browser (it leaves no temporary folder behind); the next export starts a new one."""
    with _LOCK:
        _close()


def _close() -> None:
    if not _SESSION:
        return
    loop, thread, browser = _SESSION.pop()
    try:
        _run(loop, _finish(browser))
    finally:
        _end_loop(loop, thread)


atexit.register(stop)  # a no-op unless an export started the browser
