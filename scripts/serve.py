"""Start the dashboard's Streamlit server with the libraries and the domain modules (ntm, pandas, DuckDB, plotly,
openpyxl, argon2's reference hash, Streamlit's emoji catalogue that any non-ASCII notice loads) already imported,
so that the first visitor of a fresh server does not wait for them (about a second on this machine); the rest is
`streamlit run app.py` with the same options. `ui` is left to the app: its caches need the server's runtime.
glibc's allocator is told to give memory back (issue 13: the server under 1 GB after every page at national scale).
Usage: .venv/bin/python scripts/serve.py [STREAMLIT OPTIONS]"""

import contextlib
import ctypes
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's malloc.h


def release_memory() -> None:
    """glibc keeps what a thread freed in that thread's arena (up to 8 per core, each script run of Streamlit is a
    thread) and, after a large block was freed, serves blocks up to its size from the heap, where a few live bytes
    keep whole pages: two arenas, and every block of 1 MB or more mapped on its own (returned when freed). Nothing
    where the C library is not glibc."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_ARENA_MAX, 2)
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 20)


def preload() -> None:
    """Import what the pages import, once per server process."""
    sys.path.insert(0, str(ROOT))
    for module in sorted(p.stem for p in (ROOT / "ntm").glob("*.py")):
        if module != "__main__":  # the command line, which would run
            importlib.import_module(f"ntm.{module}")
    for module in ("pandas.io.formats.style", "streamlit.emojis"):  # pandas' Styler; the catalogue of st.info & co.
        importlib.import_module(module)
    # On the first element a process draws, Streamlit asks whether it runs in a Python prompt, to warn about bare
    # use: inspect.stack() with the source of every frame, 0,3 s of the first visitor's page. A server never is.
    from streamlit import delta_generator
    delta_generator._use_warning_has_been_displayed = True


if __name__ == "__main__":
    release_memory()
    preload()
    from streamlit.web.cli import main

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    sys.exit(main())
