"""The page view: layout of pages, thumbnails, outline, watermark, remembered view state."""
