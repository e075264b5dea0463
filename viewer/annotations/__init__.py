"""Personal notes on a PDF (highlights, sticky notes, ink): model, store, tools, panel, export."""
