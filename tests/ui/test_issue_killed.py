"""An issuing app killed with SIGKILL (a real process: `tests/fixtures/issuing_app.py`) after
the server gave the số and before the agency-signed file reached the server: the next start
finishes the issuance exactly once, with the number it was given.

Two points (`desktop.pause_points`): "issued" (numbered on the server, not signed: the next
start asks the clerk for the agency's key and signs) and "issue-kept" (signed and kept
locally, not sent: the next start sends the kept file and asks for nothing)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.issue_journal import IssueJournal
from tests.fixtures.drafts import seal_png
from tests.fixtures.pki import TestPki
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import until
from tests.ui.test_approval_issue import agency_dialog, assert_leader_and_agency, resume_with
from tests.ui.test_approval_issue import clerk as clerk  # the clerk's signed-in core
from tests.ui.test_approval_issue import leader_signed as leader_signed
from tests.ui.test_approval_issue import pki as pki  # the test PKI of the module
from tests.ui.test_approval_signing import trust_test_root
from tests.ui.test_approval_view import app_core

ROOT = Path(__file__).resolve().parents[2]
SYMBOL = "QĐ-STTTT"


def killed_at(
    point: str, server: ServerProcess, pki: TestPki, document_id: int, app_dir: Path
) -> None:
    """The clerk's app issues `document_id` until it reaches `point`; there it is killed."""
    app_dir.mkdir()
    key = app_dir / "agency.p12"
    key.write_bytes(pki.pkcs12("agency", b"agency-pin"))
    seal = app_dir / "dau.png"
    seal.write_bytes(seal_png())
    trust_test_root_policy = app_dir / "trust"
    trust_test_root_policy.mkdir()
    root = trust_test_root_policy / "root.pem"
    root.write_bytes(pki.cert_pem("root"))
    policy = trust_test_root_policy / "policy.toml"
    policy.write_text(f"signing_roots = [{str(root)!r}]\n")
    stderr = app_dir / "stderr.txt"
    env = dict(os.environ, HOPDESK_PAUSE_AT=point, QT_QPA_PLATFORM="offscreen")
    args = [server.url, str(app_dir), str(document_id), str(key), "agency-pin", str(seal)]
    with stderr.open("wb") as err:
        app = subprocess.Popen(
            [sys.executable, "-m", "tests.fixtures.issuing_app", *args, str(policy), SYMBOL],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err,
        )  # fmt: skip
    try:
        paused = f"hopdesk: paused at {point}"
        while paused not in stderr.read_text(errors="replace"):
            assert app.poll() is None, stderr.read_text(errors="replace")
            with contextlib.suppress(subprocess.TimeoutExpired):
                app.wait(timeout=0.1)
    finally:
        if app.poll() is None:
            os.kill(app.pid, signal.SIGKILL)
        app.wait(timeout=30)
        assert app.stdout is not None
        app.stdout.close()
    assert app.returncode == -signal.SIGKILL


def next_start(aio: Any, server: ServerProcess, pki: TestPki, app_dir: Path) -> Core:
    """The app started again on the killed one's local store, as `signed_in_core` does but in
    one run of the loop until the files kept for upload are sent: the upload starts in the
    background when the event stream connects, and a task left half-way when the test's loop
    stops between two aio() calls has been seen to fail with 'no running event loop'."""
    core = app_core(app_dir)
    trust_test_root(core, pki, app_dir / "trust")

    async def start() -> None:
        await core.session.sign_in(server.url, "vanthu", "hopdesk-demo", False)
        await core.start_session()
        await core.inbox.refresh()
        await until(lambda: core.uploads.records() == {}, limit=60)

    aio(start(), timeout=90)
    return core


@pytest.mark.parametrize("point", ["issued", "issue-kept"])
def test_an_issue_killed_before_the_agency_signature_reached_the_server_finishes_once(
    point: str,
    leader_signed: int,
    qtbot: QtBot,
    clerk: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    document_id = leader_signed
    leader_sha = aio(clerk.inbox.document(document_id)).versions[-1].file.sha256
    app_dir = tmp_path / "app"
    killed_at(point, server, pki, document_id, app_dir)
    numbered = aio(clerk.inbox.document(document_id))
    assert (numbered.status, numbered.number) == ("issued", "01")
    assert numbered.versions[-1].file.sha256 == leader_sha  # nothing of the agency's yet

    again = next_start(aio, server, pki, app_dir)
    try:
        if point == "issued":  # the key is asked, the file signed
            [made] = resume_with(aio, again, agency_dialog(qtbot, pki, tmp_path))
        else:  # sent when the event stream connected (next_start); the key is not asked
            dialog = agency_dialog(qtbot, pki, tmp_path)
            assert resume_with_nothing_asked(aio, again, dialog) == []
        finished = aio(again.inbox.document(document_id))
        versions = [v.file.sha256 for v in finished.versions]
        assert versions[:-1].count(leader_sha) == 1
        assert versions.index(leader_sha) == len(versions) - 2  # one agency version after it
        if point == "issued":
            assert versions[-1] == made
        assert (finished.status, finished.number, finished.symbol) == ("issued", "01", SYMBOL)
        assert_leader_and_agency(aio(again.session.api.get_bytes(f"/files/{versions[-1]}")), pki)
        assert IssueJournal(again.store, again.session.scope).pending() == []
    finally:
        aio(again.aclose())

    third = next_start(aio, server, pki, app_dir)  # and once only: nothing at the start after
    try:
        assert resume_with_nothing_asked(aio, third, agency_dialog(qtbot, pki, tmp_path)) == []
        assert aio(third.inbox.document(document_id)).versions == finished.versions
    finally:
        aio(third.aclose())


def resume_with_nothing_asked(aio: Any, core: Core, dialog: Any) -> list[str]:
    """`resume_issues` at start-up when there is nothing to sign: the key is never asked."""
    from ui.signing_flow import resume_issues

    made = aio(resume_issues(core, None, dialog), timeout=60)
    assert not dialog.isVisible()
    return list(made)
