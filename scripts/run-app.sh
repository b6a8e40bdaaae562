#!/usr/bin/env bash
# Set up (first time) and start the dashboard on the embedded data: http://127.0.0.1:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
.venv/bin/python -m ntm ensure >/dev/null || echo "Chưa có cơ sở dữ liệu hợp lệ; ứng dụng sẽ nói lý do / no valid database yet; the app shows why" >&2
# fill the result cache of this build in the background: a fresh server answers from it (scripts/warm.py);
# NTM_WARM=0 skips it
if [ "${NTM_WARM:-1}" != 0 ]; then nice -n 10 .venv/bin/python scripts/warm.py --quiet >/dev/null 2>&1 & fi
# scripts/serve.py is `streamlit run app.py` with the domain modules imported before the first visitor
exec .venv/bin/python scripts/serve.py --server.address "${NTM_ADDRESS:-127.0.0.1}" --server.port "${NTM_PORT:-8501}" "$@"
