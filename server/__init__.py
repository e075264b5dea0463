"""HopDesk server package."""
