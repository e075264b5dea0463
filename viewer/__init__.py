"""HopDesk viewer package."""
