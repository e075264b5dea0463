"""`hopdesk` as the user runs it: a separate process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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


def test_demo_exit_when_ready(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--demo", "--exit-when-ready"],
        cwd=ROOT, env=isolated_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert len(lines) == 1, out.stdout
    match = re.fullmatch(r"ready (\d+)", lines[0])
    assert match, lines
    assert 0 < int(match.group(1)) < 120_000
