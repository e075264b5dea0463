"""server/cli.py `serve`: a server start imports neither PyMuPDF, pyHanko nor aiohttp.

`hopdesk --demo` waits for its server's `listening on` line, so whatever the server imports at
start is part of every demo start. PyMuPDF (the minutes PDF) and pyHanko (signed ballots) cost
about 0.6 s of CPU together and serve only a few requests: they load in those; aiohttp only
when the demo's simulated delegates arrive (server/demo_room.py). A subprocess
imports what `serve` does before it listens, builds the app on a new database, and lists
`sys.modules`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.fixtures.interpreter import ROOT, python

SERVE_IMPORTS = """
import json, sys
from pathlib import Path
import uvicorn
import server.cli, server.event_bus, server.transport
import server.demo_room  # --demo-delegates: hopdesk --demo's server
from server.app import create_app
from server.config import Config
from server.db import database_url
create_app(Config(db_url=database_url(sys.argv[1]), data_dir=Path(sys.argv[2])))
print(json.dumps(sorted(sys.modules)))
"""

NOT_AT_SERVER_START = ("pymupdf", "fitz", "pyhanko", "asn1crypto", "aiohttp")


def test_a_server_start_imports_neither_the_pdf_engine_nor_signing(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = python(SERVE_IMPORTS, str(tmp_path / "s.db"), str(tmp_path), env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    modules = json.loads(out.stdout.splitlines()[-1])
    heavy = [m for m in modules if m.split(".")[0] in NOT_AT_SERVER_START]
    assert heavy == []
    assert {"server.minutes", "server.polls"} <= set(modules)  # their routes are there
