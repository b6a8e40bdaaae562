"""quality.findings, cold and warm. One command:
.venv/bin/python bench/bench_quality.py --db var/national.duckdb 56 01 58 [--code DIR]

Each measurement is a fresh Python process (`--code` chooses the tree whose `ntm` it imports: the worktree, or an
export of an earlier commit for the figures before a change), timed by the child's own clocks: CPU time of the
whole process (time.process_time, all threads) and wall time, from after the imports and the connection to the
end of the call. "cold": the province's findings are the process's first call (every table read, every memo
empty); "warm": after one call for another province (the tables a build keeps in memory are read, the province's
own work is not). The load average is printed before each measurement: the machine is shared.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, time
from ntm import quality, store
from ntm.units import resolve_province
con = store.connect(sys.argv[1])
province, before = sys.argv[2], sys.argv[3:]
for other in before:
    quality.findings(con, resolve_province(con, other), "vi")
found = resolve_province(con, province)
cpu, wall = time.process_time(), time.perf_counter()
n = len(quality.findings(con, found, "vi"))
print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "findings": n}))
"""


def measure(code: Path, db: str, province: str, before: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run([sys.executable, "-c", CHILD, db, province, *before], env=env, cwd=code,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("provinces", nargs="+")
    parser.add_argument("--db", required=True)
    parser.add_argument("--code", default=str(ROOT))
    args = parser.parse_args()
    db = str(Path(args.db).resolve())
    for province in args.provinces:
        other = next(p for p in [*args.provinces, "49", "56"] if p != province)
        for state, before in (("cold", []), ("warm", [other])):
            load = os.getloadavg()[0]
            r = measure(Path(args.code), db, province, before)
            print(f"{Path(db).name} {province} {state:<4} cpu {r['cpu']:6.2f} s  wall {r['wall']:6.2f} s  "
                  f"findings {r['findings']:3d}  load {load:.1f}", flush=True)


if __name__ == "__main__":
    main()
