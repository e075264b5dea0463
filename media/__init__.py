"""HopDesk media package."""
