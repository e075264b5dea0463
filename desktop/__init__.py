"""HopDesk application core: config, session, API client, local store, services."""

__version__ = "0.1.0"
