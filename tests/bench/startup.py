"""Start-up benchmark: HopDesk's two start paths against a bare PySide6 window, in one run.

- `remembered`: what a civil servant does every morning — the agency's server is already running
  and the sign-in is remembered in the OS keyring (a private gnome-keyring here):
  `hopdesk --server URL --exit-when-ready`, process start to the main window with its lists
  (the last session's, from the local cache), and (`remembered_fresh`) to those lists holding
  what the server sent in this run.
- `demo`: `hopdesk --demo --exit-when-ready`, which also boots the embedded demo server and signs
  in with a password; `demo_fresh` likewise.

Run on demand (not collected by pytest):
    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/startup.py [--runs 5]
Each run is a new process, the three programs alternating so machine noise hits them alike. By
default the user dirs are kept across runs after one uncounted warm-up (as on a user's machine);
`--fresh` gives every demo run new user dirs, so the demo server also creates and seeds its
database. Every program prints `ready <ms since process creation>` (psutil create_time) once its
window is shown — HopDesk once its lists show rows — and HopDesk then `fresh <ms>` once they hold
the server's. The app runs with the stall watchdog on. Prints the figures and writes
tests/bench/results/startup.json with the medians and the median ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fixtures.keyring import private_secret_service  # noqa: E402
from tests.fixtures.server import ServerProcess  # noqa: E402

RESULTS = ROOT / "tests" / "bench" / "results" / "startup.json"
MARKS = ("ready ", "fresh ")  # the lines a program prints: `ready <ms>`, HopDesk `fresh <ms>`

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


REMEMBER = """
import asyncio
from desktop.config import Config
from desktop.paths import default_paths
from desktop.secrets import SecretStore
from desktop.session import Session
from desktop.store import LocalStore
from PySide6.QtCore import QCoreApplication
app = QCoreApplication([])
async def remember(url):
    paths = default_paths()
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    store = LocalStore(paths.data_dir / "cache.db")
    store.open()
    session = Session(Config(), SecretStore(), store)
    await session.sign_in(url, "giamdoc", "hopdesk-demo", remember=True)
    assert session.remembered, "the keyring refused the token"
    await session.close()
    store.close()
import sys
asyncio.run(remember(sys.argv[1]))
print("ready 0")
"""


def user_env(base: Path) -> dict[str, str]:
    """The environment of an app process with its user dirs under `base`."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOPDESK_STALL_WATCHDOG="1")
    # An installed HopDesk has its bytecode compiled: let the warm-up write it, as pip would.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(base / var.lower())
    env["HOPDESK_POLICY_FILE"] = str(base / "none.toml")
    return env


def children_cpu_ms() -> float:
    """CPU time (user + system) of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def run_once(
    cmd: list[str], home: Path | None = None, cpu: list[int] | None = None
) -> dict[str, int]:
    """One new process (user dirs under `home`, or fresh ones); returns its `ready` (and
    `fresh`) ms and appends the CPU time it and its children used, start to exit, to `cpu`."""
    with tempfile.TemporaryDirectory(prefix="hopdesk-bench-") as tmp:
        env = user_env(home or Path(tmp))
        before = children_cpu_ms()
        out = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
        )
        if cpu is not None:
            cpu.append(round(children_cpu_ms() - before))
    said = dict(line.split() for line in out.stdout.splitlines() if line.startswith(MARKS))
    if out.returncode != 0 or "ready" not in said:
        raise RuntimeError(f"{cmd} failed ({out.returncode}):\n{out.stdout}\n{out.stderr[-2000:]}")
    return {mark: int(ms) for mark, ms in said.items()}


def main() -> None:
    """Alternate the three programs so machine noise hits them alike."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="new user dirs for every demo run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hopdesk-bench-") as tmp:
        base = Path(tmp)
        (base / "keyring").mkdir()
        with (
            private_secret_service(base / "keyring"),
            ServerProcess(base / "server") as server,
        ):
            result = measure(args.runs, args.fresh, base, server.url)
    out = RESULTS.with_name("startup_fresh.json") if args.fresh else RESULTS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


def measure(runs: int, fresh: bool, base: Path, server_url: str) -> dict[str, object]:
    """The runs, against the agency server at `server_url`; user dirs under `base`."""
    demo = [sys.executable, "-m", "desktop", "--demo", "--exit-when-ready"]
    remembered = [sys.executable, "-m", "desktop", "--server", server_url, "--exit-when-ready"]
    bare = [sys.executable, "-c", BARE_WINDOW]
    demo_home = None if fresh else base / "demo-user"
    user_home = base / "user"  # the remembered sign-in lives here (cache) and in the keyring
    run_once([sys.executable, "-c", REMEMBER, server_url], user_home)
    # The warm-up also lets the first start keep the user's profile with the account, as any
    # start after an update does once.
    print(f"warm-up (not counted): remembered {run_once(remembered, user_home)}", flush=True)
    if demo_home is not None:
        print(f"warm-up (not counted): demo {run_once(demo, demo_home)}", flush=True)
    programs = {"bare_pyside6": (bare, None), "remembered": (remembered, user_home)}
    programs["demo"] = (demo, demo_home)
    figures: dict[str, list[int]] = {}
    cpu: dict[str, list[int]] = {name: [] for name in programs}
    for i in range(runs):
        for name, (cmd, home) in programs.items():
            marks = run_once(cmd, home, cpu[name])
            figures.setdefault(name, []).append(marks["ready"])
            if "fresh" in marks:
                figures.setdefault(f"{name}_fresh", []).append(marks["fresh"])
        print(f"run {i + 1}: " + ", ".join(f"{k} {v[-1]} ms" for k, v in figures.items()))
    medians = {name: statistics.median(values) for name, values in figures.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    bare_ms, bare_cpu = medians["bare_pyside6"], cpu_medians["bare_pyside6"]
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "runs": runs,
        "user_dirs": "demo: fresh per run" if fresh else "kept across runs (after a warm-up)",
        "platform": os.environ.get("QT_QPA_PLATFORM", ""),
        # What HopDesk's figures wait for (ui/shell.py `_check_ready`): `remembered` and `demo`
        # the main window shown with its lists (the last session's from the local cache when
        # it has them); `*_fresh` those lists holding what the server sent in this run.
        "ready_shows": "lists (cached); *_fresh: lists from the server in this run",
        "ms": figures,
        "median_ms": medians,
        **{
            f"median_ratio_{name}_over_bare": round(ms / bare_ms, 2)
            for name, ms in medians.items()
            if name != "bare_pyside6"
        },
        # Less sensitive to a busy machine than wall time: CPU of the whole process (and, for
        # the demo, of its server child), start to exit.
        "cpu_ms": cpu,
        "median_cpu_ms": cpu_medians,
        "median_cpu_ratio_remembered_over_bare": round(cpu_medians["remembered"] / bare_cpu, 2),
        "median_cpu_ratio_demo_over_bare": round(cpu_medians["demo"] / bare_cpu, 2),
        "load_average_at_end": os.getloadavg()[0],
    }


if __name__ == "__main__":
    main()
