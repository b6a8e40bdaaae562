#!/usr/bin/env bash
# Set up (first time) and run the whole test suite: lint, types, unit, AppTest and browser (Debian Chromium) tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
bash scripts/setup.sh requirements-dev.txt
.venv/bin/ruff check .
PYRIGHT_PYTHON_IGNORE_WARNINGS=1 .venv/bin/pyright  # types of ntm/ ([tool.pyright] in pyproject.toml); no version check online
.venv/bin/python -m pytest "$@"
