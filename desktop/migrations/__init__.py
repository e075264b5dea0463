"""Alembic migrations of the client cache (`desktop/store.py` runs them programmatically)."""
