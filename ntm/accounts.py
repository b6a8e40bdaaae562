"""Local editor accounts: a JSON file outside the repository ($NTM_ACCOUNTS, default
~/.config/ntm-dashboard/accounts.json) holding salted argon2id hashes (argon2-cffi). No account and no password
ships; `python -m ntm user add NAME --role editor` creates one. Failed sign-ins are rate-limited per name
(MAX_FAILURES within WINDOW seconds lock the name for WINDOW seconds) — the check comes before the password is
even verified, so guessing cannot go faster than the limit.

Where an office has an identity provider, Streamlit's `st.login` (OIDC, configured in .streamlit/secrets.toml)
is the alternative: the signed-in e-mail then takes the place of the local name (not wired here).
"""

import contextlib
import json
import os
import re
import threading
import time
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES = ("editor", "viewer")
NAME = re.compile(r"^[\w.@-]{2,60}$")
MAX_FAILURES = 5
WINDOW = 300
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
_FAILURES: dict[str, list[float]] = {}
_LOCK = threading.Lock()


def path() -> Path:
    if os.environ.get("NTM_ACCOUNTS"):
        return Path(os.environ["NTM_ACCOUNTS"])
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "ntm-dashboard" / "accounts.json"


def _load() -> dict:
    try:
        return json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def add(name: str, password: str, role: str = "editor") -> None:
    """Create or replace an account (written atomically, readable by its owner only)."""
    if not NAME.match(name or ""):
        raise ValueError("tên tài khoản: 2-60 chữ, số, . @ - _ / account name: 2-60 letters, digits, . @ - _")
    if role not in ROLES:
        raise ValueError(f"vai trò / role: {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự / the password needs {MIN_PASSWORD}+ characters")
    accounts = _load()
    accounts[name] = {"hash": _HASHER.hash(password), "role": role}
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(accounts, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, target)


def locked(name: str, now: float | None = None) -> bool:
    now = time.monotonic() if now is None else now
    with _LOCK:
        recent = [t for t in _FAILURES.get(name, []) if now - t < WINDOW]
        _FAILURES[name] = recent
        return len(recent) >= MAX_FAILURES


def sign_in(name: str, password: str) -> dict | None:
    """The account ({name, role}) when the password is right; None otherwise or while the name is locked."""
    name = (name or "").strip()
    if locked(name):
        return None
    account = _load().get(name)
    ok = False
    if account:
        with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
            ok = _HASHER.verify(account["hash"], password or "")
    else:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _HASHER.verify(_DUMMY, password or "")  # the same time whether or not the name exists
    if not ok or not account:
        with _LOCK:
            _FAILURES.setdefault(name, []).append(time.monotonic())
        return None
    return {"name": name, "role": account["role"]}


_DUMMY = _HASHER.hash("not a password of anyone")
