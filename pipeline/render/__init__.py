"""Stage 5, the render: the one ffmpeg command of an output (command.py, from the filtergraph
pieces of chains.py), its finish, what is done to it after the cut (finish.py: redaction in
redact.py, loudness in loudness.py, branding in branding.py), and its thumbnails."""
