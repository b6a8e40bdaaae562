"""Fill the result cache of the current database and code (ntm.resultcache) by rendering every page for every
province in both languages, exactly as a visitor would (Streamlit's AppTest, in this process): the overview of
every province first in Vietnamese (a first visitor's page), then the other pages, then English. Nothing is done
when the cache of this build and code is already complete (a restart costs nothing). `scripts/run-app.sh` starts
it in the background after the database is checked, so a fresh server answers its visitors from the cache.
Usage: .venv/bin/python scripts/warm.py [--quiet]"""

import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from ntm import loader, paths, resultcache, store, timeline  # noqa: E402


def main() -> int:
    quiet = "--quiet" in sys.argv
    # AppTest, driven from this thread, makes Streamlit warn "missing ScriptRunContext" (harmless: "can be ignored
    # when running in bare mode") once per render: hundreds of lines that would hide a real error. A filter on that
    # one message (AppTest sets Streamlit's log level back on every run)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())
    status = loader.ensure(paths.db_path())
    if resultcache.complete(status.digest):
        if not quiet:
            print("the cache of this build is complete", flush=True)
        return 0
    con = store.connect(status.db)
    provinces = list(store.provinces(con)["code"])
    provinces += [p.unit_id for p in timeline.new_provinces_with_parts(con)]  # merged in 2025
    con.close()
    pages = sorted((p.stem for p in (ROOT / "views").glob("*.py")), key=lambda p: (p != "overview", p))
    started, failed = time.perf_counter(), 0
    for lang in ("vi", "en"):
        for page in pages:
            for province in provinces:
                at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
                at.query_params.update({"province": province, "lang": lang})
                at.run()
                if page != "overview":
                    at.switch_page(f"views/{page}.py").run()
                failed += bool(at.exception)
                if not quiet:
                    print(f"{lang} {province} {page}: {'error' if at.exception else 'ok'}", flush=True)
    if not failed:
        resultcache.mark_complete(status.digest)
    if not quiet:
        print(f"warm in {time.perf_counter() - started:.1f} s, {failed} pages failed", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
