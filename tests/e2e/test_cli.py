"""`hopdesk` as the user runs it: a separate process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def isolated_env(tmp_path: Path) -> dict[str, str]:
    """User dirs in tmp_path, offscreen Qt, no machine policy."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    for var, sub in {
        "XDG_CONFIG_HOME": "config",
        "XDG_DATA_HOME": "data",
        "XDG_CACHE_HOME": "cache",
        "XDG_STATE_HOME": "state",
    }.items():
        env[var] = str(tmp_path / sub)
    env["HOPDESK_POLICY_FILE"] = str(tmp_path / "no-policy.toml")
    return env


def test_version(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--version"],
        cwd=ROOT, env=isolated_env(tmp_path), capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert re.fullmatch(r"HopDesk \d+\.\d+\.\d+\S*\n", out.stdout)


MARKS = ("ready", "fresh")


def test_demo_exit_when_ready(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--demo", "--exit-when-ready"],
        cwd=ROOT, env=isolated_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert len(lines) == 2, out.stdout
    # the window with its lists (the cache's: none on a first start), then the server's
    ready, fresh = (re.fullmatch(rf"{m} (\d+)", line) for m, line in zip(MARKS, lines, strict=True))
    assert ready, lines
    assert fresh, lines
    assert 0 < int(ready.group(1)) <= int(fresh.group(1)) < 120_000


def test_without_a_display_says_what_to_do_in_one_line(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--demo"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode != 0
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert "xvfb-run -a" in lines[0]
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert not (tmp_path / "data").exists()  # gave up before starting the demo server


def test_checking_signatures_prints_no_warning(tmp_path: Path) -> None:
    """pyHanko's import of cryptography's deprecated DSA classes warned on every first check."""
    script = (
        "import pymupdf\n"
        "from viewer.signatures.inspector import inspect_signatures\n"
        "doc = pymupdf.open()\n"
        "doc.new_page()\n"
        "print(inspect_signatures(doc.tobytes()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "default", "-c", script],
        cwd=ROOT, env=isolated_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout == "[]\n"
    assert out.stderr == ""


def _wait_for(check: Callable[[], str | None], what: str, within: float = 90) -> str:
    deadline = time.monotonic() + within
    while (found := check()) is None:
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for its parent is gone too
        return stat.read().split(") ", 1)[1][0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_a_killed_demo_leaves_no_server_behind(tmp_path: Path) -> None:
    """`hopdesk --demo` killed outright (no orderly quit) took its demo server with it only
    when it quit itself: the server lingered on its port until the next reboot."""
    env = isolated_env(tmp_path)
    app = subprocess.Popen(
        [sys.executable, "-m", "desktop", "--demo"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    log = tmp_path / "state" / "HopDesk" / "log" / "hopdesk.log"

    def server_pid() -> str | None:
        if "demo server at http" not in (log.read_text(errors="replace") if log.exists() else ""):
            return None
        for entry in Path("/proc").iterdir():  # the app's child running `-m server`
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except (OSError, ValueError):
                continue
            if int(stat.split(") ", 1)[1].split()[1]) == app.pid and b"server" in command:
                return entry.name
        return None

    try:
        pid = int(_wait_for(server_pid, "the demo server"))
    finally:
        app.kill()
        app.wait()
    _wait_for(lambda: None if _alive(pid) else "gone", "the orphaned demo server to stop", 30)


def test_the_first_start_registers_the_link_scheme(tmp_path: Path) -> None:
    """`hopdesk` makes hopdesk:// links its own for the user at start (desktop/url_scheme.py),
    in a worker thread, as the user's own run would: the entry in XDG_DATA_HOME names this
    environment's `hopdesk` and xdg-mime answers with it."""
    if shutil.which("xdg-mime") is None:
        pytest.fail("xdg-mime missing: scripts/install --test installs xdg-utils")
    env = isolated_env(tmp_path)
    env["HOPDESK_REGISTER_SCHEME"] = "1"  # the tests' default is off (tests/conftest.py)
    env["XDG_DATA_DIRS"] = str(tmp_path / "none")
    env.pop("XDG_CURRENT_DESKTOP", None)
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--demo", "--exit-when-ready"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    entry = (tmp_path / "data" / "applications" / "hopdesk.desktop").read_text(encoding="utf-8")
    assert f"Exec={Path(sys.executable).with_name('hopdesk')} %u" in entry.splitlines()
    query = subprocess.run(
        ["xdg-mime", "query", "default", "x-scheme-handler/hopdesk"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert query.stdout.strip() == "hopdesk.desktop"
