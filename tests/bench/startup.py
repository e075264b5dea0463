"""Start-up benchmark: `hopdesk --demo --exit-when-ready` against a bare PySide6 window.

Run on demand (not collected by pytest):
    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/startup.py [--runs 5]
Each run is a new process. By default the user dirs are kept across runs after one uncounted
warm-up (as on a user's machine: the demo database exists, the server only opens it); `--fresh`
gives every run new user dirs, so the demo server also creates and seeds its database. Both
programs print `ready <ms since process creation>` (psutil create_time) once their
window is shown — HopDesk only when its lists also hold server data. Prints the figures and writes
tests/bench/results/startup.json with the medians and the median ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "bench" / "results" / "startup.json"

BARE_WINDOW = """
import time, psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QLabel("bare"))
window.show()
def ready():
    print(f"ready {round((time.time() - psutil.Process().create_time()) * 1000)}", flush=True)
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
"""


def run_once(cmd: list[str], home: Path | None = None) -> int:
    """One new process (user dirs under `home`, or fresh ones); returns its `ready` ms."""
    with tempfile.TemporaryDirectory(prefix="hopdesk-bench-") as tmp:
        base = home or Path(tmp)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            env[var] = str(base / var.lower())
        env["HOPDESK_POLICY_FILE"] = str(base / "none.toml")
        out = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
        )
    lines = [line for line in out.stdout.splitlines() if line.startswith("ready ")]
    if out.returncode != 0 or len(lines) != 1:
        raise RuntimeError(f"{cmd} failed ({out.returncode}):\n{out.stdout}\n{out.stderr[-2000:]}")
    return int(lines[0].split()[1])


def main() -> None:
    """Alternate the two programs so machine noise hits both alike."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="new user dirs for every run")
    args = parser.parse_args()
    runs = args.runs
    hopdesk = [sys.executable, "-m", "desktop", "--demo", "--exit-when-ready"]
    bare = [sys.executable, "-c", BARE_WINDOW]
    figures: dict[str, list[int]] = {"hopdesk": [], "bare_pyside6": []}
    keep = tempfile.TemporaryDirectory(prefix="hopdesk-bench-home-")
    home = None if args.fresh else Path(keep.name)
    if home is not None:
        print(f"warm-up (not counted): {run_once(hopdesk, home)} ms", flush=True)
    for i in range(runs):
        figures["bare_pyside6"].append(run_once(bare))
        figures["hopdesk"].append(run_once(hopdesk, home))
        print(f"run {i + 1}: bare {figures['bare_pyside6'][-1]} ms, "
              f"hopdesk {figures['hopdesk'][-1]} ms", flush=True)  # fmt: skip
    medians = {name: statistics.median(values) for name, values in figures.items()}
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runs": runs,
        "user_dirs": "fresh per run" if args.fresh else "kept across runs (after a warm-up)",
        "platform": os.environ.get("QT_QPA_PLATFORM", ""),
        "ms": figures,
        "median_ms": medians,
        "median_ratio_hopdesk_over_bare": round(medians["hopdesk"] / medians["bare_pyside6"], 2),
    }
    keep.cleanup()
    out = RESULTS.with_name("startup_fresh.json") if args.fresh else RESULTS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
