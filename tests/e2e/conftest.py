"""End-to-end scenarios: the desktop's services of several signed-in people against the real
server, on SQLite and PostgreSQL; the fixtures are the integration tests' and the server tests'."""

from tests.integration.conftest import _qt_app, make_session, store
from tests.server.conftest import any_db_server

__all__ = ["_qt_app", "any_db_server", "make_session", "store"]
