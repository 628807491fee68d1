"""Stage 6, what a build leaves for people: sidecars, the manifest, the review page, the NLE
export, and the shareable copies with names redacted."""
