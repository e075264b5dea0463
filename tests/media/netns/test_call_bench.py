"""The call benchmark (tests/bench/call.py) still runs: its smallest configuration, one run of
each side (relay pair and bare aiortc; HopDesk and Chromium through Janus), into a temporary
file. Benchmarks are run on demand; this only keeps the script from rotting. No timings are
asserted: the figures are for the bench's report, not for a loaded CI machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_call_bench_runs_its_smallest_configuration(tmp_path: Path) -> None:
    out = tmp_path / "call.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    small = ["--runs", "1", "--seconds", "0.5", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests/bench/call.py"), *small],
        cwd=ROOT,
        env=env,  # HOPDESK_NETNS=1 from this namespace: the bench runs here, not in another
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    for side in ("engine_through_relay", "reference_bare_aiortc"):
        assert figures["relay"][side]["fps"] > 0
    for side in ("hopdesk_through_janus", "reference_chromium_through_janus"):
        assert figures["janus"][side]["join_to_first_frame_ms"] > 0
        assert figures["janus"][side]["fps"] > 0
    assert len(figures["settings"]["load_average_at_start"]) == 3
