"""Worker processes that render pages into shared memory, their scheduling, the pixel cache."""
