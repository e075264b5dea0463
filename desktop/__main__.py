"""`python -m desktop` / the `hopdesk` console script."""

from __future__ import annotations

import sys


def main() -> None:
    """Run HopDesk with the process's arguments and exit with its status."""
    from desktop.app import main as run

    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
