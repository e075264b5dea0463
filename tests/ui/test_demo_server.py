"""`DemoServer` starts the real reference server as a child, reads its URL, stops it by PID."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from desktop.demo import DemoServer, DemoServerError


def test_demo_server_starts_serves_and_stops(aio: Any, tmp_path: Path) -> None:
    demo = DemoServer(tmp_path / "demo")
    url = aio(demo.start())
    assert url.startswith("http://127.0.0.1:")
    assert (tmp_path / "demo" / "demo.db").exists()
    with urllib.request.urlopen(f"{url}/api/v1/health", timeout=10) as reply:
        assert json.load(reply)["status"] == "ok"
    assert demo.proc is not None
    pid = demo.proc.pid
    assert psutil.pid_exists(pid)
    aio(demo.stop())
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_demo_server_that_cannot_start_says_why(aio: Any, tmp_path: Path) -> None:
    class Broken(DemoServer):
        def command(self) -> list[str]:
            return ["-c", "import sys; sys.stderr.write('no such thing'); sys.exit(3)"]

    demo = Broken(tmp_path / "demo")
    with pytest.raises(DemoServerError) as caught:
        aio(demo.start())
    assert "exited with code 3" in str(caught.value)
    assert "no such thing" in str(caught.value)
