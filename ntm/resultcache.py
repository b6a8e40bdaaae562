"""Results of the pages' domain calls kept on disk, per build of the database and version of the domain code.

The database never changes between builds, so a result computed once for a build (its SHA-256) stays right until
the next build — or the next version of the code that computes it: a fresh server process reads it instead of
computing again, and `scripts/warm.py` fills the cache after a build so that even the first visitor of a page gets
a cold-process render without the computation. The files live under var/cache/<build digest>-<code digest>/
(NTM_CACHE overrides), written atomically by the app itself; caches of older builds or code are removed when a
new one is first written. Nothing here is read from a user or a file the app did not write.
"""

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

from ntm.paths import ROOT

_MISSING = object()
def folder() -> Path:
    return Path(os.environ.get("NTM_CACHE", ROOT / "var" / "cache"))


def _plain(value):
    """An argument as JSON sees it: a Unit (any dataclass) by all its fields, so two units differ in the key."""
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else str(value)


@functools.cache
def _code() -> str:
    """A digest of the code that computes the results (ntm/*.py): a new version never reads an older one's."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _place(digest: str) -> Path:
    return folder() / f"{digest}-{_code()}"


def complete(digest: str | None) -> bool:
    """Whether scripts/warm.py has filled the cache of this build and code."""
    return bool(digest) and (_place(digest) / "complete").exists()


def mark_complete(digest: str | None) -> None:
    if digest:
        with contextlib.suppress(OSError):
            (_place(digest) / "complete").touch()


def key(function_path: str, args: tuple, kwargs: dict) -> str:
    text = json.dumps([function_path, args, sorted(kwargs.items())], default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def load(digest: str | None, name: str):
    """The stored result, or `MISSING`."""
    if not digest:
        return _MISSING
    try:
        with (_place(digest) / f"{name}.pkl").open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return _MISSING


def save(digest: str | None, name: str, value) -> None:
    """Store a result (best effort: a read-only var/ or a full disk only costs speed)."""
    if not digest:
        return
    target = _place(digest)
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        if not target.exists():
            target.mkdir(parents=True, exist_ok=True)
            for old in folder().iterdir():  # results of older builds or code
                if old.is_dir() and old.name != target.name:
                    shutil.rmtree(old, ignore_errors=True)
        fd, tmp = tempfile.mkstemp(dir=target, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target / f"{name}.pkl")
        finally:
            Path(tmp).unlink(missing_ok=True)


def missing(value) -> bool:
    return value is _MISSING


class Memory:
    """The first level, in memory, bounded by bytes: results kept pickled (each caller gets its own copy, as
    Streamlit's st.cache_data gives), the least recently used dropped past `budget` bytes; a result larger than
    `largest` is not kept (the disk level holds it: reading it back costs what unpickling it from memory does)."""

    def __init__(self, budget: int, largest: int):
        self.budget, self.largest, self.size = budget, largest, 0
        self._kept: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable):
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is not None:
            return pickle.loads(kept)
        value = compute()
        with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
            self._keep(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        return value

    def _keep(self, key: Hashable, data: bytes) -> None:
        if len(data) > self.largest:
            return
        with self._lock:
            old = self._kept.pop(key, None)
            self.size += len(data) - (0 if old is None else len(old))
            self._kept[key] = data
            while self.size > self.budget:
                self.size -= len(self._kept.popitem(last=False)[1])
