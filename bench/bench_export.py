"""Image exports (issue 13: the map PNG export < 1 s warm). One command:

    .venv/bin/python bench/bench_export.py [--db var/ntm.duckdb] [--repeat 5] [--pause 1.0]

In one process, as a server exports: Khánh Hòa's map (2024) and Ninh Thuận's district chart as PNG (print scale)
and SVG. The first export starts the browser; then `--repeat` warm exports of each, `--pause` seconds apart (a user
clicks one download after another; the browser reloads its page after each image), and the same back to back. Every
figure: wall time, this process's CPU time and the browser's (Chromium's processes, children of this one, read
from /proc), with the load average just before it.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ntm import charts, exports, maps, paths, store  # noqa: E402
from ntm.summary import summary  # noqa: E402
from ntm.units import resolve_province  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def browser_cpu() -> float:
    """CPU seconds (user + system) of every running descendant of this process."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid], ticks[pid] = int(fields[1]), int(fields[11]) + int(fields[12])
    mine, total = {os.getpid()}, 0
    for pid in sorted(parents):  # children have larger pids than their parent, save after a wrap
        if parents[pid] in mine:
            mine.add(pid)
            total += ticks[pid]
    return total / TICK


def measure(export, repeat: int, pause: float) -> list[tuple[float, float, float]]:
    """(wall, own CPU, browser CPU) of each run."""
    runs = []
    for _ in range(repeat):
        time.sleep(pause)
        wall, cpu, chromium = time.perf_counter(), time.process_time(), browser_cpu()
        export()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, browser_cpu() - chromium))
    return runs


def show(name: str, runs: list[tuple[float, float, float]], note: str) -> None:
    walls = [r[0] for r in runs]
    best = min(runs)
    print(f"{name}: {note}; wall best {best[0]:.3f} s, median {statistics.median(walls):.3f} s, worst "
          f"{max(walls):.3f} s; CPU at best {best[1]:.3f} s own + {best[2]:.3f} s browser  [load {load()}]",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pause", type=float, default=1.0)
    args = parser.parse_args()
    con = store.connect(paths.db_path(args.db))
    khanh_hoa, ninh_thuan = resolve_province(con, "56"), resolve_province(con, "58")
    the_map = maps.figure(khanh_hoa, maps.district_values(con, khanh_hoa, 2024, "share_ntm"), "share_ntm",
                          maps.commune_states(con, khanh_hoa, 2024), 2024, "Nguồn", "vi")
    result = summary(con, ninh_thuan, 2023)
    chart = charts.district_average_bar(result, result["sources"][0]["citation"])
    print(f"load before: {load()}")
    size = {}
    first = measure(lambda: size.setdefault("map", len(exports.image(the_map, "png", "Khánh Hòa, 2024"))), 1, 0)
    show("map PNG, first export (starts the browser)", first, f"{size['map'] // 1024} KB")
    for name, fig, fmt in (("map PNG", the_map, "png"), ("map SVG", the_map, "svg"),
                           ("chart PNG", chart, "png"), ("chart SVG", chart, "svg")):
        show(f"{name}, warm", measure(lambda f=fig, x=fmt: exports.image(f, x, "Bộ lọc"), args.repeat, args.pause),
             f"{args.pause:g} s apart")
        show(f"{name}, warm", measure(lambda f=fig, x=fmt: exports.image(f, x, "Bộ lọc"), args.repeat, 0),
             "back to back")
    exports.stop()


if __name__ == "__main__":
    main()
