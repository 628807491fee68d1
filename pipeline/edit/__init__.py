"""Stage 3, the edit: quotes found in a transcript, cut edges snapped to word edges,
overlapping cuts joined, the timeline that maps source time to clip time."""
