"""HopDesk ui package."""
