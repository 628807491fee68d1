"""Faces: a per-source analysis (issue 17). CenterFace finds faces in sampled frames of the
spans the clips use; detections are cached by content and detector settings; tracks link them
in source time (gaps bridged, held, grown, smoothed), and ``boxes_at`` gives a track's box
at any time.
"""
