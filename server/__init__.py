"""HopDesk reference office server: REST + events over FastAPI, SQLAlchemy, Alembic.

It shares no code with the desktop client; both follow docs/contract.md.
"""

__version__ = "0.1.0"
