"""A Streamlit server of the app on a free 127.0.0.1 port, for the benchmarks (never a test fixture)."""

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class URL(str):
    """The server's address, with its process id (`pid`) for the benchmarks that read its memory."""

    pid: int


@contextlib.contextmanager
def serve(env: dict):
    """Yield the URL of a fresh server started with `env` (a `URL`: with its `pid`); stop it afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "scripts/serve.py", "--server.address", "127.0.0.1",  # as run-app.sh
                             "--server.port", str(port), "--server.headless", "true"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = URL(f"http://127.0.0.1:{port}")
    url.pid = proc.pid
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
