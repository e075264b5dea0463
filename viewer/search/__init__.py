"""Text search: matching in the worker processes, and the search panel."""
