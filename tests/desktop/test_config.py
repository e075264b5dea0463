"""Config layers: defaults < user file < machine policy < command line; locks and saving."""

from __future__ import annotations

import os
import threading
import tomllib
from pathlib import Path

import pytest

from desktop.config import Config, ConfigError, Settings, coerce
from desktop.policy import TomlPolicy, WindowsRegistryPolicy
from tests.fixtures.threads import threads_calling


class DictPolicy:
    def __init__(self, values: dict[str, object]) -> None:
        self.values = values

    def read(self) -> dict[str, object]:
        return dict(self.values)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_only() -> None:
    config = Config()
    assert config.settings == Settings()
    assert config.source("server_url") == "default"
    assert not config.locked("server_url")


def test_each_layer_wins_over_the_one_below(tmp_path: Path) -> None:
    user = write(tmp_path / "settings.toml", 'server_url = "https://user"\nlanguage = "en"\n')
    defaults = {"server_url": "https://default", "update_channel": "beta"}
    only_user = Config(defaults, user)
    assert only_user.settings.server_url == "https://user"
    assert only_user.settings.update_channel == "beta"
    assert only_user.source("server_url") == "user"

    policy = DictPolicy({"server_url": "https://policy", "verify_tls": 1})
    with_policy = Config(defaults, user, policy)
    assert with_policy.settings.server_url == "https://policy"
    assert with_policy.settings.language == "en"
    assert with_policy.settings.verify_tls is True
    assert with_policy.source("server_url") == "policy"
    assert with_policy.locked("server_url")
    assert not with_policy.locked("language")

    with_cli = Config(defaults, user, policy, {"server_url": "https://cli", "language": "vi"})
    assert with_cli.settings.server_url == "https://cli"
    assert with_cli.settings.language == "vi"
    assert with_cli.source("server_url") == "cli"
    assert with_cli.locked("server_url")  # still greyed out in Settings


def test_bad_values_are_skipped_not_fatal(tmp_path: Path) -> None:
    user = write(tmp_path / "s.toml", 'language = "fr"\nverify_tls = "maybe"\nproxy = "http://p"\n')
    config = Config(user_file=user, policy=DictPolicy({"nonsense": 1}))
    assert config.settings.language == "vi"
    assert config.settings.verify_tls is True
    assert config.settings.proxy == "http://p"


def test_broken_user_file_is_ignored(tmp_path: Path) -> None:
    config = Config(user_file=write(tmp_path / "s.toml", "this is = = not toml"))
    assert config.settings == Settings()


def test_save_user_writes_toml_and_refuses_locked_keys(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.toml"
    config = Config(user_file=path, policy=DictPolicy({"server_url": "https://policy"}))
    settings = config.save_user(language="en", ice_servers=["stun:a", "turn:b"])
    assert settings.language == "en"
    assert settings.ice_servers == ("stun:a", "turn:b")
    config.flush()
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "language": "en",
        "ice_servers": ["stun:a", "turn:b"],
    }
    with pytest.raises(ConfigError):
        config.save_user(server_url="https://mine")
    config.save_user(language=None)
    config.flush()
    assert Config(user_file=path).settings.language == "vi"


def test_save_user_writes_the_file_off_the_calling_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings → OK calls it on the GUI thread (issue 11): the settings change at once, the
    file is written by the writer thread, in order, and `flush` waits for it."""
    replaced_from = threads_calling(monkeypatch, os, "replace")
    path = tmp_path / "settings.toml"
    config = Config(user_file=path)
    for channel in ("lts", "beta", "stable", "lts"):
        assert config.save_user(update_channel=channel).update_channel == channel
    config.flush()
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"update_channel": "lts"}
    assert len(replaced_from) == 4
    assert threading.get_ident() not in replaced_from


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("verify_tls", "false", False),
        ("verify_tls", 0, False),
        ("ice_servers", "stun:a; turn:b", ("stun:a", "turn:b")),
        ("ca_bundle", "", None),
        ("ca_bundle", None, None),
        ("server_url", " https://x ", "https://x"),
    ],
)
def test_coerce(key: str, raw: object, value: object) -> None:
    assert coerce(key, raw) == value


def test_coerce_rejects_unknown_and_mistyped() -> None:
    with pytest.raises(ConfigError):
        coerce("colour", "red")
    with pytest.raises(ConfigError):
        coerce("server_url", 5)


def test_toml_policy_file(tmp_path: Path) -> None:
    path = write(tmp_path / "policy.toml", 'server_url = "https://gov"\nverify_tls = true\n')
    config = Config(policy=TomlPolicy(path))
    assert config.settings.server_url == "https://gov"
    assert config.locked("server_url")
    assert config.locked("verify_tls")


def test_registry_policy_maps_value_names_and_types() -> None:
    reader = lambda: {"ServerUrl": "https://reg", "VerifyTls": 0, "IceServers": "stun:a;turn:b"}  # noqa: E731
    config = Config(policy=WindowsRegistryPolicy(reader))
    assert config.settings.server_url == "https://reg"
    assert config.settings.verify_tls is False
    assert config.settings.ice_servers == ("stun:a", "turn:b")
    assert config.locked("verify_tls")


def test_file_cache_size_is_a_positive_whole_number(tmp_path: Path) -> None:
    assert Settings().file_cache_bytes == 2 * 1024**3
    assert coerce("file_cache_bytes", 1024) == 1024
    assert coerce("file_cache_bytes", " 4096 ") == 4096  # registry strings, command line
    for bad in (0, -1, True, "2 GB", 1.5, None):
        with pytest.raises(ConfigError):
            coerce("file_cache_bytes", bad)
    user = write(tmp_path / "settings.toml", "file_cache_bytes = 0\n")  # skipped, not fatal
    assert Config(user_file=user).settings.file_cache_bytes == 2 * 1024**3
    policy = Config(policy=DictPolicy({"file_cache_bytes": 500_000_000}))
    assert policy.settings.file_cache_bytes == 500_000_000


def test_tls_trust_is_set_by_machine_policy_only(tmp_path: Path) -> None:
    """A user (settings file, command line, Settings dialog) can neither switch certificate checks
    off nor add a CA; the machine policy can do both."""
    user = write(tmp_path / "settings.toml", 'verify_tls = false\nca_bundle = "/tmp/evil.pem"\n')
    cli = {"verify_tls": False, "ca_bundle": "/tmp/evil.pem"}
    config = Config(user_file=user, cli=cli)
    assert config.settings.verify_tls is True
    assert config.settings.ca_bundle is None
    for key, value in cli.items():
        with pytest.raises(ConfigError):
            config.save_user(**{key: value})

    policy = DictPolicy({"verify_tls": False, "ca_bundle": "/etc/ssl/agency.pem"})
    by_policy = Config(user_file=user, policy=policy)
    assert by_policy.settings.verify_tls is False
    assert by_policy.settings.ca_bundle == "/etc/ssl/agency.pem"


def test_update_channel_is_one_of_the_offered_choices() -> None:
    assert Settings().update_channel == "stable"
    assert [coerce("update_channel", c) for c in ("stable", "lts", "beta")] == [
        "stable",
        "lts",
        "beta",
    ]
    with pytest.raises(ConfigError):
        coerce("update_channel", "nightly")
