"""Command line: create-user, HTTPS with a self-signed certificate, restart on the same URL."""

from __future__ import annotations

import ssl
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.fixtures.server import ROOT, ServerFactory
from tests.server.conftest import api_for


def test_create_user_then_sign_in(server_factory: ServerFactory) -> None:
    server = server_factory(seed=False)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "server",
            "--db",
            server.db_url,
            "--data-dir",
            str(server.data_dir),
            "create-user",
            "thuky",
            "--full-name",
            "Ngô Thị Thu",
            "--role",
            "secretary",
            "--unit",
            "Văn phòng Sở",
            "--password-stdin",
        ],
        input="mật-khẩu-dài\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    user = api_for(server).login("thuky", "mật-khẩu-dài").user
    assert user["roles"] == ["secretary"]
    assert user["org_unit"]["name"] == "Văn phòng Sở"
    duplicate = subprocess.run(
        [
            sys.executable,
            "-m",
            "server",
            "--db",
            server.db_url,
            "create-user",
            "thuky",
            "--full-name",
            "X",
            "--role",
            "clerk",
            "--password-stdin",
        ],
        input="x\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert duplicate.returncode == 1
    assert "exists" in duplicate.stderr


def test_https_with_self_signed_certificate(server_factory: ServerFactory) -> None:
    server = server_factory(tls=True)
    assert server.url.startswith("https://127.0.0.1:")
    assert api_for(server).login("giamdoc").get("/me").status == 200
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.api + "/health", context=ssl.create_default_context())


def test_restart_keeps_the_same_url_and_data(server_factory: ServerFactory) -> None:
    server = server_factory()
    url = server.url
    leader = api_for(server).login("giamdoc")
    server.restart()
    assert server.url == url
    assert leader.get("/me").status == 200  # tokens live in the DB: they survive a restart
