"""Start the dashboard's Streamlit server with the libraries and the domain modules (ntm, pandas, DuckDB, plotly,
openpyxl, argon2's reference hash, Streamlit's emoji catalogue that any non-ASCII notice loads) already imported,
so that the first visitor of a fresh server does not wait for them (about a second on this machine); the rest is
`streamlit run app.py` with the same options. `ui` is left to the app: its caches need the server's runtime.
Usage: .venv/bin/python scripts/serve.py [STREAMLIT OPTIONS]"""

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def preload() -> None:
    """Import what the pages import, once per server process."""
    sys.path.insert(0, str(ROOT))
    for module in sorted(p.stem for p in (ROOT / "ntm").glob("*.py")):
        if module != "__main__":  # the command line, which would run
            importlib.import_module(f"ntm.{module}")
    for module in ("pandas.io.formats.style", "streamlit.emojis"):  # pandas' Styler; the catalogue of st.info & co.
        importlib.import_module(module)


if __name__ == "__main__":
    preload()
    from streamlit.web.cli import main

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    sys.exit(main())
