"""What the client's payload models cost: msgspec (chosen, desktop/domain.py) against pydantic v2.

Run on demand (not collected by pytest):
    .venv/bin/python tests/bench/payload_models.py [--runs 9]
Each run is a new process per library that first imports `desktop.api` (what the client has
loaded anyway), then times the library's import plus the definition of the 15 models, then the
parse of 1,000 document summaries and of 100 meeting details (5 agenda items of 3 papers,
10 attendees) from decoded JSON, as the API client hands it over (best of 7). The pydantic models
are built from desktop/domain.py's own fields, so both libraries parse exactly the same shapes.
Prints the medians and writes tests/bench/results/payload_models.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "bench" / "results" / "payload_models.json"

PAYLOADS = """
REF = {"id": 1, "full_name": "Nguyễn Văn Hùng", "title": "Giám đốc"}
FILE = {"sha256": "a" * 64, "size": 123456, "name": "Tờ trình.pdf", "media_type": "application/pdf"}
DOCS = [
    {"id": i, "number": str(4000 + i), "symbol": "BTTTT-CĐSQG",
     "issuing_agency": "Bộ Thông tin và Truyền thông", "issued_on": "2026-11-21",
     "summary": "V/v hướng dẫn triển khai chuyển đổi số năm 2027", "doc_type": "Công văn",
     "urgency": "normal", "confidentiality": "normal", "direction": "in", "status": "processing",
     "deadline": "2026-12-01T17:00:00+07:00" if i % 2 else None,
     "my_action": "process" if i % 3 else None}
    for i in range(1000)
]
PAPER = {"id": 1, "title": "Tờ trình", "kind": "main", "file": FILE, "url": None,
         "confidentiality": "normal"}
ITEM = {"id": 1, "order": 1, "title": "Mục 1", "presenter": REF, "duration_minutes": 15,
        "papers": [PAPER] * 3}
MEETINGS = [
    {"id": i, "title": "Giao ban tuần", "starts_at": "2026-11-23T08:00:00+07:00",
     "ends_at": "2026-11-23T10:00:00+07:00", "location": "Phòng họp 1", "online": False,
     "status": "scheduled", "chair": REF, "my_attendance": "invited", "secretary": REF,
     "media": None, "agenda": [ITEM] * 5, "attendees": [{"user": REF, "status": "accepted"}] * 10}
    for i in range(100)
]
"""

MSGSPEC = """
import desktop.domain as models
parse_docs = lambda data: models.parse_list(models.DocumentSummary, data, "documents")
parse_meetings = lambda data: models.parse_list(models.Meeting, data, "meetings")
"""

# The same models for pydantic, made from desktop/domain.py's fields (msgspec is already
# imported by then, so only pydantic's own cost is counted).
PYDANTIC_PRELUDE = "import desktop.domain, msgspec, typing"
PYDANTIC = """
import datetime as dt
import pydantic

built = {}

def translate(kind):
    if isinstance(kind, type) and issubclass(kind, desktop.domain.Model):
        return build(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Annotated:
        return pydantic.AwareDatetime
    if origin is tuple:
        return tuple[translate(args[0]), ...]
    if args and origin is not dict:
        return typing.Union[tuple(translate(a) for a in args)]
    return kind

def build(cls):
    if cls not in built:
        fields = {}
        for f in msgspec.structs.fields(cls):
            default = ... if f.default is msgspec.NODEFAULT else f.default
            if f.default_factory is not msgspec.NODEFAULT:
                default = pydantic.Field(default_factory=f.default_factory)
            fields[f.name] = (translate(f.type), default)
        config = pydantic.ConfigDict(frozen=True)
        built[cls] = pydantic.create_model(cls.__name__, __config__=config, **fields)
    return built[cls]

for value in list(vars(desktop.domain).values()):
    if isinstance(value, type) and issubclass(value, desktop.domain.Model):
        build(value)
docs = pydantic.TypeAdapter(list[build(desktop.domain.DocumentSummary)])
meetings = pydantic.TypeAdapter(list[build(desktop.domain.Meeting)])
parse_docs, parse_meetings = docs.validate_python, meetings.validate_python
"""

PROGRAM = """
import time
import desktop.api
{prelude}
t0 = time.perf_counter()
exec({models!r})
t1 = time.perf_counter()
exec({payloads!r})
best_docs = best_meetings = float("inf")
for _ in range(7):
    a = time.perf_counter()
    assert len(parse_docs(DOCS)) == 1000
    b = time.perf_counter()
    assert len(parse_meetings(MEETINGS)) == 100
    c = time.perf_counter()
    best_docs, best_meetings = min(best_docs, b - a), min(best_meetings, c - b)
print((t1 - t0) * 1000, best_docs * 1000, best_meetings * 1000)
"""

LIBRARIES = {"msgspec": ("", MSGSPEC), "pydantic": (PYDANTIC_PRELUDE, PYDANTIC)}


def run_once(library: str) -> list[float]:
    """One new process: [import + models ms, 1,000 documents ms, 100 meetings ms]."""
    prelude, models = LIBRARIES[library]
    program = PROGRAM.format(prelude=prelude, models=models, payloads=PAYLOADS)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"{library} failed:\n{out.stderr[-2000:]}")
    return [float(x) for x in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    rows: dict[str, list[list[float]]] = {name: [] for name in LIBRARIES}
    for _ in range(runs):  # interleaved, so a busy moment hits both libraries alike
        for name in LIBRARIES:
            rows[name].append(run_once(name))
    keys = ("import_and_models_ms", "parse_1000_documents_ms", "parse_100_meetings_ms")
    results = {
        name: {key: round(statistics.median(r[i] for r in got), 2) for i, key in enumerate(keys)}
        for name, got in rows.items()
    }
    results["runs"] = runs  # type: ignore[assignment]
    for name in LIBRARIES:
        print(name, results[name])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
