"""The package metadata as setuptools reads it when the user installs HopDesk."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_licence_is_an_spdx_expression_with_its_files() -> None:
    """A licence table made every install print setuptools' deprecation warning (PEP 639)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert isinstance(project["license"], str)
    assert project["license"] == "AGPL-3.0-or-later"
    for name in project["license-files"]:
        assert (ROOT / name).is_file(), name
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in (ROOT / "LICENSE").read_text()
    assert "ISC License" in (ROOT / "resources" / "icons" / "LICENSE").read_text()
