"""Where HopDesk keeps its files (platformdirs); tests pass their own `AppPaths`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

APP_NAME = "HopDesk"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The per-user directories of the app."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        """Every directory under one root (tests, portable installs)."""
        return cls(root / "config", root / "data", root / "cache", root / "logs")


def default_paths() -> AppPaths:
    """The platform's user directories (on Windows under %APPDATA% / %LOCALAPPDATA%)."""
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_NAME, APP_NAME)
    return AppPaths(
        config_dir=Path(dirs.user_config_dir),
        data_dir=Path(dirs.user_data_dir),
        cache_dir=Path(dirs.user_cache_dir),
        log_dir=Path(dirs.user_log_dir),
    )
