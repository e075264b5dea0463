"""Machine policy sources: TOML file (Linux), registry (Windows, reader injected)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.policy import POLICY_FILE_ENV, TomlPolicy, WindowsRegistryPolicy, machine_policy


def test_missing_file_is_no_policy(tmp_path: Path) -> None:
    assert TomlPolicy(tmp_path / "nope.toml").read() == {}


def test_broken_file_is_logged_and_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[[[", encoding="utf-8")
    assert TomlPolicy(path).read() == {}
    assert "ignoring unreadable machine policy" in caplog.text


def test_hopdesk_table_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[hopdesk]\nlanguage = "en"\n', encoding="utf-8")
    assert TomlPolicy(path).read() == {"language": "en"}


def test_env_overrides_the_policy_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.toml"
    path.write_text('proxy = "http://proxy:3128"\n', encoding="utf-8")
    monkeypatch.setenv(POLICY_FILE_ENV, str(path))
    source = machine_policy()
    assert isinstance(source, TomlPolicy)
    assert source.read() == {"proxy": "http://proxy:3128"}


def test_linux_default_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(POLICY_FILE_ENV, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    source = machine_policy()
    assert isinstance(source, TomlPolicy)
    assert source.path == Path("/etc/hopdesk/policy.toml")


def test_windows_uses_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(POLICY_FILE_ENV, raising=False)
    monkeypatch.setattr("sys.platform", "win32")
    assert isinstance(machine_policy(), WindowsRegistryPolicy)  # winreg is not imported yet


def test_registry_reader_failure_is_no_policy() -> None:
    def broken() -> dict[str, object]:
        raise OSError("access denied")

    assert WindowsRegistryPolicy(broken).read() == {}


def test_registry_unknown_names_pass_through() -> None:
    policy = WindowsRegistryPolicy(lambda: {"Language": "en", "proxy": "http://p"})
    assert policy.read() == {"language": "en", "proxy": "http://p"}


def test_registry_file_cache_is_given_in_megabytes() -> None:
    policy = WindowsRegistryPolicy(lambda: {"FileCacheMegabytes": 4096, "VerifyTls": 0})
    assert policy.read() == {"file_cache_bytes": 4 * 1024**3, "verify_tls": False}
