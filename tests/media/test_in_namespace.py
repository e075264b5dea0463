"""Runs tests/media/netns/ inside a private network namespace (scripts/netns-run), so the
normal suite covers the media tests without them touching the machine's real interfaces."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_media_tests_pass_in_a_network_namespace() -> None:
    if os.environ.get("HOPDESK_NETNS") == "1":
        pytest.skip("already inside the namespace")
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("scripts/netns-run needs root, unshare and ip (CI runs as root)")
    env = {**os.environ, "HOPDESK_NETNS": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            str(ROOT / "scripts" / "netns-run"),
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(ROOT / "tests" / "media" / "netns"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert " passed" in result.stdout, result.stdout[-2000:]
    assert "skipped" not in result.stdout, result.stdout[-2000:]
