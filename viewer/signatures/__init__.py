"""Digital signatures of a PDF: inspection off the GUI thread, and the signatures panel."""
