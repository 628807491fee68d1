"""The vocabulary every stage shares and the few doors to the outside world: errors with
file:line, the frozen data model (spans, words, cues, timelines), timecodes, languages, atomic
files, file stamps, child processes and signals, the one ffmpeg runner, and the one redaction
matcher."""
