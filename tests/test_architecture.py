"""The dependency rules of DESIGN §2, checked on the source: who may import whom."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIENT = {"desktop", "ui", "media", "viewer"}

# package -> first-party packages it must never import
FORBIDDEN: dict[str, set[str]] = {
    "desktop": {"ui", "server"},
    "media": {"ui", "desktop", "viewer", "server"},
    "viewer": {"ui", "desktop", "media", "server"},
    "server": CLIENT | {"resources"},
    "ui": {"server"},
}


def imported_top_levels(path: Path) -> set[str]:
    """Every top-level package name a module imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_dependency_rules(package: str) -> None:
    offences = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_top_levels(path) & FORBIDDEN[package]
        if bad:
            offences.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offences, "\n".join(offences)


def test_heavy_libraries_stay_in_their_package() -> None:
    """PyMuPDF belongs to viewer/ (and the server's seed), aiortc to media/: keeps start-up lean."""
    owners = {"pymupdf": {"viewer", "server"}, "fitz": {"viewer", "server"}, "aiortc": {"media"}}
    offences = []
    for package in CLIENT | {"server"}:
        for path in sorted((ROOT / package).rglob("*.py")):
            for lib in imported_top_levels(path) & owners.keys():
                if package not in owners[lib]:
                    offences.append(f"{path.relative_to(ROOT)} imports {lib}")
    assert not offences, "\n".join(offences)


def test_viewer_is_used_through_its_public_api() -> None:
    """Outside viewer/ (and tests), `viewer` is imported only as `from viewer import …`: its
    `__init__.py` is the component's surface, so its inside can be rearranged freely."""
    offences = []
    for package in sorted(CLIENT - {"viewer"}):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    if name.startswith("viewer."):
                        offences.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not offences, "\n".join(offences)


def test_viewer_public_api_names_resolve() -> None:
    """Every name `viewer.__all__` promises imports (a moved module would break it silently)."""
    import viewer

    missing = [name for name in viewer.__all__ if getattr(viewer, name, None) is None]
    assert not missing, missing
