"""`python -m server`: the same as the `hopdesk-server` console script."""

from server.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
