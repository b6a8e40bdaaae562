"""The database file on disk: is it whole, is it current, and what to serve when a rebuild fails.

The database is derived from `data/` and never edited, so an intact file is byte-identical to the one the build
wrote. The build records the file's SHA-256, size and the data fingerprint in a sidecar (`ntm.duckdb.sha256`);
a file that does not match it (truncated, damaged, or from an older version) is rebuilt. Builds and checks take
a lock file beside the database, so a reader never checks a file against the sidecar of another build.

When a rebuild fails (bad data, a read-only folder) and an intact database exists, that last good database keeps
serving and `Status.problems` says why it is stale; the failure is remembered for the data fingerprint, so the
next reader does not try the same failing build again. Only when no intact database exists is there nothing to
serve (`NoDatabase`).
"""

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ntm.errors import DataError, Problem

_FAILED_IN_PROCESS: dict[tuple[str, str], list[Problem]] = {}


@dataclass(frozen=True)
class Status:
    """What is served: the database file, whether this call rebuilt it, and — when it is the last good one because
    the rebuild failed — the problems that stopped the rebuild."""

    db: Path
    rebuilt: bool = False
    problems: list[Problem] = field(default_factory=list)
    digest: str | None = None  # the served file's SHA-256: identifies the build (result caches key on it)

    @property
    def stale(self) -> bool:
        return bool(self.problems)


class NoDatabase(DataError):
    """No intact database exists and none could be built: the problems say why."""


def sidecar(db: Path) -> Path:
    return db.with_name(db.name + ".sha256")


def _failure_file(db: Path) -> Path:
    return db.with_name(f".{db.name}.failed.json")


@contextlib.contextmanager
def lock(db: Path, exclusive: bool):
    """An advisory lock beside the database; where the folder cannot hold one (read-only), reading goes on
    without it."""
    path = db.with_name(f".{db.name}.lock")
    try:
        fh = path.open("a+")
    except OSError:
        yield
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def seal(tmp: Path, db: Path, fingerprint: str, kind: str | None = None) -> None:
    """Move a finished build into place with its sidecar (call under the exclusive lock); `kind` marks a
    database that is not the ordinary build (`illustrative`: ntm.national)."""
    record = {"sha256": file_digest(tmp), "size": tmp.stat().st_size, "data_fingerprint": fingerprint,
              **({"kind": kind} if kind else {})}
    side_tmp = sidecar(tmp)
    side_tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, db)
    os.replace(side_tmp, sidecar(db))
    _failure_file(db).unlink(missing_ok=True)


def _sealed_digest(db: Path) -> str | None:
    """The digest the build just wrote beside the file (no need to hash the file it has just hashed)."""
    try:
        return json.loads(sidecar(db).read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def recorded(db: Path) -> dict:
    """The sidecar record as written (not checked against the file: `intact` does that); {} without one."""
    try:
        record = json.loads(sidecar(db).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def intact(db: Path) -> dict | None:
    """The sidecar record when `db` is byte-for-byte the file the build wrote; None otherwise."""
    try:
        record = json.loads(sidecar(db).read_text(encoding="utf-8"))
        if db.stat().st_size != record["size"] or file_digest(db) != record["sha256"]:
            return None
        return record
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove_stale_builds(db: Path) -> None:
    """Files of builds whose process is gone (killed mid-build): `.ntm.duckdb.building-PID` and its WAL."""
    for path in db.parent.glob(f".{db.name}.building-*"):
        pid = path.name.rsplit("-", 1)[-1].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remember_failure(db: Path, fingerprint: str, problems: list[Problem]) -> None:
    _FAILED_IN_PROCESS[(str(db), fingerprint)] = problems
    record = {"data_fingerprint": fingerprint, "problems": [p.__dict__ for p in problems[:50]]}
    with contextlib.suppress(OSError):
        _failure_file(db).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def _known_failure(db: Path, fingerprint: str) -> list[Problem] | None:
    if (str(db), fingerprint) in _FAILED_IN_PROCESS:
        return _FAILED_IN_PROCESS[(str(db), fingerprint)]
    try:
        record = json.loads(_failure_file(db).read_text(encoding="utf-8"))
        if record["data_fingerprint"] == fingerprint:
            return [Problem(**p) for p in record["problems"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _unwritable(db: Path, exc: OSError) -> list[Problem]:
    return [Problem(str(db.parent), None, None,
                    f"không ghi được cơ sở dữ liệu vào thư mục này ({exc.strerror or type(exc).__name__})",
                    f"the database cannot be written in this folder ({exc.strerror or type(exc).__name__})")]


def ensure(db: Path, fingerprint: str, build: Callable[[], object]) -> Status:
    """A database to serve: the current one, a fresh build, or the last good one with the reason it is stale.
    `fingerprint` is the data's, `build` rebuilds the file. Raises NoDatabase when there is nothing to serve."""
    with lock(db, exclusive=False):
        record = intact(db)
    if record and record.get("data_fingerprint") == fingerprint:
        return Status(db, digest=record["sha256"])
    problems = _known_failure(db, fingerprint)
    if problems is None:
        try:
            build()
            return Status(db, rebuilt=True, digest=_sealed_digest(db))
        except DataError as exc:
            problems = exc.problems
        except OSError as exc:
            problems = _unwritable(db, exc)
        _remember_failure(db, fingerprint, problems)
    with lock(db, exclusive=False):
        record = intact(db)
    if record:
        return Status(db, problems=problems, digest=record["sha256"])
    raise NoDatabase(problems)
