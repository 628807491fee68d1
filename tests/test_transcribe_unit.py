"""Transcript model, JSON, writers, cache and locking, with a fake engine (no model runs here).

The real engines run in test_transcribe_model.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.analysis.transcribe import (
    TranscribeSettings,
    cache,
    load_or_transcribe,
    run,
    transcript_for,
)
from pipeline.analysis.transcribe.audio import Speech
from pipeline.analysis.transcribe.checks import flags, repeats, tokens, wer
from pipeline.analysis.transcribe.jsonio import from_json, to_json
from pipeline.analysis.transcribe.models import Model
from pipeline.analysis.transcribe.protocol import RawSegment, RawWord
from pipeline.core import stamps
from pipeline.core.errors import BuildError, InputError, MediaError
from pipeline.core.model import Provenance, Segment, Span, Transcript, Word
from pipeline.subtitles.read import read_srt
from tests.conftest import need_ffmpeg, run_cli

HERE = Path(__file__).resolve().parent


class FakeEngine:
    """Says "Hello world." over whatever speech it is given; counts its calls."""

    name = "faster-whisper"
    multilingual = True
    calls = 0
    delay = 0.0
    fail: BaseException | None = None

    def details(self) -> Mapping[str, Any]:
        return {"engine_version": "fake"}

    def language_probs(self, samples: Any) -> Mapping[str, float]:
        return {"en": 0.7, "la": 0.3}

    def decode(
        self,
        samples: Any,
        language: str,
        settings: Any,
        on_progress: Callable[[float], None],
        windows: Any = (),
    ) -> list[RawSegment]:
        type(self).calls += 1
        time.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        n = len(samples) / 16000
        on_progress(n / 2)
        on_progress(n)
        words = (RawWord(0.0, n / 2, " Hello", 0.9), RawWord(n / 2, n, " world.", 0.8))
        return [RawSegment(0.0, n, " Hello world.", -0.1, words)]


def use_fake_engine(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> type[FakeEngine]:
    monkeypatch.setenv("BUILD_CLIP_CACHE", str(cache_dir))
    monkeypatch.setattr(run, "model_for", lambda s: Model("fake", cache_dir, "f" * 64))
    monkeypatch.setattr(run, "load_engine", lambda model, s: FakeEngine())
    monkeypatch.setattr(run, "_engines", {})  # no engine kept from another test
    FakeEngine.calls, FakeEngine.delay, FakeEngine.fail = 0, 0.0, None
    return FakeEngine


@pytest.fixture(scope="module")
def hello(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of flite speech."""
    need_ffmpeg()
    path = tmp_path_factory.mktemp("speech") / "hello.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "flite=text=hello world:voice=slt",
            "-ar",
            "16000",
            str(path),
        ],
        check=True,
    )
    return path


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[type[FakeEngine]]:
    yield use_fake_engine(monkeypatch, tmp_path / "cache")


def test_second_run_comes_from_the_cache(hello: Path, fake: type[FakeEngine]) -> None:
    seen: list[tuple[float, float]] = []
    first = load_or_transcribe(hello, TranscribeSettings(), lambda d, t: seen.append((d, t)))
    began = time.monotonic()
    second = load_or_transcribe(hello, TranscribeSettings())
    assert time.monotonic() - began < 0.5
    assert fake.calls == 1 and first == second
    assert first.language == "en" and first.language_probability == pytest.approx(0.7)
    assert [w.text for w in first.words] == ["Hello", "world."]
    assert seen == sorted(seen) and seen[-1][0] == seen[-1][1] == first.duration_ms / 1000
    assert first.provenance is not None and first.provenance.media_sha256 == stamps.file_sha256(
        hello
    )
    assert dict(first.provenance.options)["engine_version"] == "fake"


def test_force_and_other_options_transcribe_again(hello: Path, fake: type[FakeEngine]) -> None:
    load_or_transcribe(hello, TranscribeSettings())
    load_or_transcribe(hello, TranscribeSettings(), force=True)
    assert fake.calls == 2
    english = load_or_transcribe(hello, TranscribeSettings(language="en"))
    assert fake.calls == 3 and english.language_probability == 1.0


def test_changed_media_is_transcribed_again(
    hello: Path, fake: type[FakeEngine], tmp_path: Path
) -> None:
    copy = tmp_path / "copy.wav"
    copy.write_bytes(hello.read_bytes())
    load_or_transcribe(copy, TranscribeSettings())
    load_or_transcribe(hello, TranscribeSettings())  # same content: a hit
    assert fake.calls == 1
    copy.write_bytes(hello.read_bytes() + b"\0\0")
    load_or_transcribe(copy, TranscribeSettings())
    assert fake.calls == 2


def test_an_interrupted_run_leaves_no_entry(
    hello: Path, fake: type[FakeEngine], tmp_path: Path
) -> None:
    fake.fail = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        load_or_transcribe(hello, TranscribeSettings())
    assert not list((tmp_path / "cache").glob("transcripts/**/*.json"))
    assert not list((tmp_path / "cache").glob("transcripts/**/*partial*"))
    fake.fail = None
    assert load_or_transcribe(hello, TranscribeSettings()).words


def test_a_broken_entry_is_made_again(hello: Path, fake: type[FakeEngine], tmp_path: Path) -> None:
    load_or_transcribe(hello, TranscribeSettings())
    (entry,) = (tmp_path / "cache").glob("transcripts/*/*.json")
    entry.write_text('{"format": "build-clip-transcript", "version": 1, "segm', encoding="utf-8")
    assert load_or_transcribe(hello, TranscribeSettings()).words and fake.calls == 2


def test_missing_media_is_an_input_error(fake: type[FakeEngine], tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"nothing\.mp4: no such file"):
        load_or_transcribe(tmp_path / "nothing.mp4", TranscribeSettings())


def child(media: str, cache_dir: str, log: str) -> None:
    """Run in a subprocess: transcribe slowly with the fake engine, log when decoding ran."""
    use_fake_engine(pytest.MonkeyPatch(), Path(cache_dir))
    FakeEngine.delay = 1.5
    real = FakeEngine.decode

    def logged(self: FakeEngine, *args: Any) -> list[RawSegment]:
        began = time.time()
        out = real(self, *args)
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{began} {time.time()}\n")
        return out

    FakeEngine.decode = logged  # type: ignore[method-assign]
    load_or_transcribe(Path(media), TranscribeSettings())


def test_two_processes_never_transcribe_the_same_source_at_once(
    hello: Path, tmp_path: Path
) -> None:
    log = tmp_path / "decodes.log"
    code = (
        f"import sys; sys.path.insert(0, {str(HERE.parent)!r}); "
        f"from tests.test_transcribe_unit import child; "
        f"child({str(hello)!r}, {str(tmp_path / 'cache')!r}, {str(log)!r})"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1  # the other one waited, then hit


def test_a_file_is_hashed_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BUILD_CLIP_CACHE", str(tmp_path / "cache"))
    media = tmp_path / "big.bin"
    media.write_bytes(os.urandom(1 << 20))
    reads: list[object] = []
    real = stamps.hashlib.file_digest

    def counted(f: Any, name: str) -> Any:
        reads.append(f)
        return real(f, name)

    monkeypatch.setattr(stamps.hashlib, "file_digest", counted)
    first = stamps.file_sha256(media)
    assert stamps.file_sha256(media) == first and len(reads) == 1
    monkeypatch.setattr(stamps, "_known", {})  # a new process: the on-disk index answers
    assert stamps.file_sha256(media) == first and len(reads) == 1
    media.write_bytes(os.urandom(1 << 20))
    assert stamps.file_sha256(media) != first and len(reads) == 2


def test_cache_key_covers_every_part() -> None:
    opts = TranscribeSettings().options()
    translate = TranscribeSettings(task="translate").options()
    key = cache.transcript_key("m", "faster-whisper", "w", opts)
    others = [
        cache.transcript_key("m2", "faster-whisper", "w", opts),
        cache.transcript_key("m", "openai-whisper", "w", opts),
        cache.transcript_key("m", "faster-whisper", "w2", opts),
        cache.transcript_key("m", "faster-whisper", "w", translate),
    ]
    assert len({key, *others}) == 5


def test_settings_reject_unknown_values_with_a_clear_message() -> None:
    with pytest.raises(InputError, match=r"unknown language 'english' \(expected an ISO 639-1"):
        TranscribeSettings(language="english")
    with pytest.raises(InputError, match="unknown engine 'whisperx'"):
        TranscribeSettings(engine="whisperx")  # type: ignore[arg-type]


TRANSCRIPT = Transcript(
    "en",
    (
        Segment(
            Span(100, 1900),
            "Hello, world.",
            (Word(Span(100, 800), "Hello,", 0.91), Word(Span(900, 1900), "world.", 0.5)),
            0.8,
        ),
        Segment(
            Span(2500, 2900),
            "Ja ja ja ja",
            (Word(Span(2500, 2900), "Ja ja ja ja"),),
            0.2,
            ("repetition", "too-fast"),
        ),
    ),
    0.97,
    4000,
    Provenance("faster-whisper", "base", "a" * 64, "b" * 64, (("task", "transcribe"),)),
)


def test_json_round_trip_and_layout() -> None:
    text = to_json(TRANSCRIPT, "interview.mp4")
    assert from_json(text) == TRANSCRIPT
    doc = json.loads(text)
    assert doc["media"] == {"file": "interview.mp4", "sha256": "b" * 64, "duration_ms": 4000}
    assert doc["model"] == {"name": "base", "sha256": "a" * 64}
    assert doc["segments"][0]["words"][0] == {
        "start_ms": 100,
        "end_ms": 800,
        "text": "Hello,",
        "probability": 0.91,
    }
    assert doc["segments"][1]["flags"] == ["repetition", "too-fast"]
    with pytest.raises(ValueError, match="not a build-clip transcript"):
        from_json('{"segments": []}')


def test_flags_and_wer() -> None:
    assert flags(TRANSCRIPT.segments[1]) == ("repetition", "too-fast")
    assert flags(TRANSCRIPT.segments[0]) == ()
    assert repeats(tokens("we we we we")) and not repeats(tokens("it was all lies"))
    assert wer("It was all lies.", "it was all, lies") == 0.0
    assert wer("one two three four", "one too three") == 0.5


def test_writers_make_every_format(tmp_path: Path) -> None:
    from pipeline.cli.transcribe import write_outputs

    media = tmp_path / "talk.mp4"
    paths = write_outputs(media, TRANSCRIPT, tmp_path / "out", ("json", "srt", "vtt", "txt"))
    assert [p.name for p in paths] == [
        f"talk.transcript.{x}" for x in ("json", "srt", "vtt", "txt")
    ]
    assert from_json(paths[0].read_text(encoding="utf-8")) == TRANSCRIPT
    cues = read_srt(paths[1])
    assert cues[0].text == "Hello, world. Ja ja ja ja" and cues[0].span.start_ms == 100
    assert paths[2].read_text(encoding="utf-8").startswith("WEBVTT\n\n00:00:00.100 --> ")
    assert paths[3].read_text(encoding="utf-8") == "Hello, world.\nJa ja ja ja\n"


def test_transcript_for_translates_to_english_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pipeline.analysis.transcribe as api

    asked: list[TranscribeSettings] = []

    def fake_load(media: Path, settings: TranscribeSettings, *_: Any) -> Transcript:
        asked.append(settings)
        lang = "en" if settings.task == "translate" else "bs"
        return Transcript(lang, TRANSCRIPT.segments)

    monkeypatch.setattr(api, "load_or_transcribe", fake_load)
    assert transcript_for(tmp_path / "a.mp4", None, "en").language == "en"
    assert [(s.language, s.task) for s in asked] == [("auto", "transcribe"), ("bs", "translate")]
    with pytest.raises(InputError, match=r"is spoken in 'bs', so its transcript cannot give 'de'"):
        transcript_for(tmp_path / "a.mp4", None, "de")


def test_unknown_model_lists_what_is_available(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.analysis.transcribe.models import resolve

    with pytest.raises(InputError, match=r"unknown model 'bsae' \(expected one of: base, tiny.en"):
        resolve("bsae")


def test_a_folder_without_a_model_is_refused(tmp_path: Path) -> None:
    from pipeline.analysis.transcribe.models import resolve

    with pytest.raises(InputError, match="is not a CTranslate2 Whisper model folder"):
        resolve(str(tmp_path))


def test_assembly_joins_parts_checks_the_hash_and_is_atomic(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import hashlib

    from pipeline.analysis.transcribe import catalogue, models

    monkeypatch.setenv("BUILD_CLIP_CACHE", str(tmp_path / "cache"))
    for name, files in (
        ("fakeweights_a", {"config.json": b"{}", "model.bin.part1": b"abc"}),
        ("fakeweights_b", {"model.bin.part2": b"def"}),
    ):
        for file, data in files.items():
            (tmp_path / "site" / name / "data").mkdir(parents=True, exist_ok=True)
            (tmp_path / "site" / name / "data" / file).write_bytes(data)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    entry = catalogue.Catalogued(
        "fake",
        "English",
        6,
        hashlib.sha256(b"abcdef").hexdigest(),
        ("fakeweights_a:data/config.json",),
        ("fakeweights_a:data/model.bin.part1", "fakeweights_b:data/model.bin.part2"),
        "",
        "x/y",
    )
    folder = models.assemble(entry)
    assert (folder / "model.bin").read_bytes() == b"abcdef" and (folder / "config.json").exists()
    assert catalogue.state(entry).hash_ok is True
    bad = catalogue.Catalogued(**{**entry.__dict__, "name": "bad", "sha256": "0" * 64})
    with pytest.raises(BuildError, match=r"model bad: the installed weights have sha256 bef57ec"):
        models.assemble(bad)
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no half-made folder
    missing = catalogue.Catalogued(**{**entry.__dict__, "parts": ("nowhere_pkg:x",)})
    monkeypatch.setitem(catalogue.CATALOGUE, "fake", missing)
    with pytest.raises(InputError, match=r"model 'fake' is not installed \(expected: pip install"):
        catalogue.package_file("nowhere_pkg:x", "fake")


def test_ct2_reader_reads_float16_and_aliases(tmp_path: Path) -> None:
    import struct

    from pipeline.analysis.transcribe.ct2 import read_model_bin

    def string(s: str) -> bytes:
        return struct.pack("<H", len(s) + 1) + s.encode() + b"\0"

    weights = np.arange(6, dtype=np.float16).reshape(2, 3)
    blob = struct.pack("<I", 6) + string("WhisperSpec") + struct.pack("<II", 3, 1)
    blob += string("decoder/embeddings/weight") + struct.pack("<BII", 2, 2, 3)
    blob += struct.pack("<BI", 4, weights.nbytes) + weights.tobytes()
    blob += (
        struct.pack("<I", 1)
        + string("decoder/projection/weight")
        + string("decoder/embeddings/weight")
    )
    (tmp_path / "model.bin").write_bytes(blob)
    model = read_model_bin(tmp_path / "model.bin")
    assert model.spec == "WhisperSpec"
    assert np.array_equal(model.variables["decoder/projection/weight"], weights)
    (tmp_path / "model.bin").write_bytes(blob[:40])
    with pytest.raises(InputError, match="is not a readable CTranslate2 model"):
        read_model_bin(tmp_path / "model.bin")


def test_cli_reports_bad_input_in_one_line(tmp_path: Path) -> None:
    missing = run_cli("transcribe", tmp_path / "gone.mp4")
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == f"error: {tmp_path / 'gone.mp4'}: no such file (expected a video or audio file)"
    )
    bad = run_cli("transcribe", "--format", "pdf", tmp_path / "gone.mp4")
    assert bad.returncode == 2 and "is not a list of formats" in bad.stderr
    lang = run_cli("transcribe", "--language", "xx", tmp_path / "gone.mp4")
    assert lang.returncode == 2 and "unknown language 'xx'" in lang.stderr
    export = run_cli("models", "export-openai")
    assert export.returncode == 2 and "needs a model name" in export.stderr


def test_unusable_cuda_falls_back_to_the_cpu(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A GPU without CUDA 12's cuBLAS (CTranslate2 loads it at the first step): CPU, int8.

    Seen on a lent H200 with CUDA 13 only; an English-only model must pass the check too.
    """
    import types

    from pipeline.analysis.transcribe import faster

    loaded: list[tuple[str, str]] = []

    class StandIn:
        def __init__(self, folder: str, device: str, compute_type: str, **_: Any) -> None:
            loaded.append((device, compute_type))
            self.device = device
            self.model = types.SimpleNamespace(is_multilingual=False)
            self.feature_extractor = lambda samples: np.zeros((80, 100), np.float32)

        def encode(self, features: Any) -> None:
            if self.device == "cuda":
                raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")

    stand_in = types.SimpleNamespace(WhisperModel=StandIn, __version__="0")
    monkeypatch.setitem(sys.modules, "faster_whisper", stand_in)
    audio = types.SimpleNamespace(pad_or_trim=lambda features: features)
    monkeypatch.setitem(sys.modules, "faster_whisper.audio", audio)
    monkeypatch.setattr(faster, "pick_device", lambda d: ("cuda", "float16"))
    engine = faster.FasterWhisper(tmp_path)
    assert loaded == [("cuda", "float16"), ("cpu", "int8")]
    assert engine.details()["compute_type"] == "int8"
    with pytest.raises(BuildError, match="CUDA was asked for but does not work here"):
        faster.FasterWhisper(tmp_path, device="cuda")


# --- segments: sentences, and possible hallucinations between silences ---------------------


def speech_of(seconds: float) -> Speech:
    """All of ``seconds`` kept as speech: joined time is source time."""
    n = round(seconds * 16000)
    return Speech(np.zeros(n, dtype=np.float32), ((0, n),), seconds)


def raw_words(*spec: tuple[float, float, str, float]) -> tuple[RawWord, ...]:
    return tuple(RawWord(start, end, text, p) for start, end, text, p in spec)


def test_a_window_of_several_sentences_becomes_a_segment_each() -> None:
    """A batched decoder gives one segment per window; segments stay about a sentence."""
    words = raw_words(
        (0.0, 0.4, " I", 0.9),
        (0.4, 0.9, " left.", 0.9),
        (1.2, 1.6, " Why?", 0.8),
        (2.0, 2.3, " 我", 0.9),
        (2.3, 2.6, "走了。", 0.9),
        (3.0, 3.5, " Thank", 0.9),
        (3.5, 4.0, " you", 0.9),
    )
    raw = [RawSegment(0.0, 4.0, " I left. Why? 我走了。 Thank you", -0.2, words)]
    segments = run.source_segments(raw, speech_of(5.0), 2.0)
    assert [s.text for s in segments] == ["I left.", "Why?", "我走了。", "Thank you"]
    assert [(s.span.start_ms, s.span.end_ms) for s in segments] == [
        (0, 900),
        (1200, 1600),
        (2000, 2600),
        (3000, 4000),
    ]
    assert [len(s.words) for s in segments] == [2, 1, 2, 2]


def test_improbable_words_alone_between_long_silences_are_dropped() -> None:
    said = raw_words((0.0, 0.5, " We", 0.9), (0.5, 1.0, " talked.", 0.9))
    # Two improbable, too-short words, 5 s after the speech and 5 s before the end.
    ghost = raw_words((6.0, 6.05, " Thanks", 0.1), (6.05, 6.1, " watching.", 0.1))
    also = raw_words((12.0, 12.5, " Later.", 0.9))
    raw = [
        RawSegment(0.0, 1.0, " We talked.", -0.1, said),
        RawSegment(6.0, 6.1, " Thanks watching.", -2.0, ghost),
        RawSegment(12.0, 12.5, " Later.", -0.1, also),
    ]
    texts = [s.text for s in run.source_segments(raw, speech_of(13.0), 2.0)]
    assert texts == ["We talked.", "Later."]
    # No threshold: nothing is dropped. Silences shorter than it: kept too.
    assert len(run.source_segments(raw, speech_of(13.0), None)) == 3
    near = [raw[0], RawSegment(1.5, 1.6, " Thanks watching.", -2.0, raw_words(
        (1.5, 1.55, " Thanks", 0.1), (1.55, 1.6, " watching.", 0.1))), raw[2]]  # fmt: skip
    assert len(run.source_segments(near, speech_of(13.0), 2.0)) == 3
    # Probable words of a normal length between the same silences: speech, kept.
    clear = raw_words((6.0, 6.4, " Thanks", 0.9), (6.4, 6.9, " for", 0.9))
    kept = [raw[0], RawSegment(6.0, 6.9, " Thanks for", -0.1, clear), raw[2]]
    assert len(run.source_segments(kept, speech_of(13.0), 2.0)) == 3


def test_word_pieces_become_one_word_and_keep_their_pieces() -> None:
    """Whisper's " ill" + "-disposed", " 1" + ",000", " don" + "'t": one word each, as a
    reader sees it; the pieces stay for provenance (and survive the JSON)."""
    words = raw_words(
        (0.0, 0.3, " The", 0.9),
        (0.3, 0.6, " ill", 0.9),
        (0.6, 1.0, "-disposed", 0.7),
        (1.1, 1.3, " 1", 0.9),
        (1.3, 1.6, ",000", 0.8),
        (1.7, 1.9, " don", 0.9),
        (1.9, 2.0, "'t", 0.9),
        (2.0, 2.4, " go", 0.9),
        (2.4, 2.5, " .", 0.9),
    )
    raw = [RawSegment(0.0, 2.5, " The ill-disposed 1,000 don't go.", -0.2, words)]
    [segment] = run.source_segments(raw, speech_of(3.0), 2.0)
    assert [w.text for w in segment.words] == ["The", "ill-disposed", "1,000", "don't", "go."]
    ill = segment.words[1]
    assert (ill.span.start_ms, ill.span.end_ms, ill.probability) == (300, 1000, 0.7)
    assert [(p.text, p.span.start_ms, p.span.end_ms) for p in ill.pieces] == [
        (" ill", 300, 600),
        ("-disposed", 600, 1000),
    ]
    assert segment.words[0].pieces == ()
    again = from_json(to_json(Transcript("en", (segment,))))
    assert again.segments == (segment,)


def test_abbreviations_do_not_end_a_segment() -> None:
    words = raw_words(
        (0.0, 0.3, " And", 0.9),
        (0.3, 0.6, " Mr.", 0.9),
        (0.6, 1.0, " Smith", 0.9),
        (1.0, 1.4, " left.", 0.9),
        (1.5, 1.9, " Dr.", 0.9),
        (1.9, 2.3, " J.", 0.9),
        (2.3, 2.7, " Doe", 0.9),
        (2.7, 3.0, " stayed.", 0.9),
    )
    raw = [RawSegment(0.0, 3.0, " And Mr. Smith left. Dr. J. Doe stayed.", -0.2, words)]
    texts = [s.text for s in run.source_segments(raw, speech_of(4.0), 2.0)]
    assert texts == ["And Mr. Smith left.", "Dr. J. Doe stayed."]


def test_unspaced_scripts_keep_each_piece() -> None:
    words = raw_words((0.0, 0.4, " 我", 0.9), (0.4, 0.8, "走", 0.9), (0.8, 1.0, "了。", 0.9))
    raw = [RawSegment(0.0, 1.0, " 我走了。", -0.2, words)]
    [segment] = run.source_segments(raw, speech_of(2.0), 2.0, "zh")
    assert [w.text for w in segment.words] == ["我", "走", "了。"]


def counting_loads(monkeypatch: pytest.MonkeyPatch, fail: int = 0) -> list[Path]:
    """``run.load_engine`` made to count its loads (the first ``fail`` of them raise)."""
    loads: list[Path] = []

    def load(model: Model, settings: Any) -> FakeEngine:
        loads.append(model.path)
        if len(loads) <= fail:
            raise BuildError("the model failed to load")
        return FakeEngine()

    monkeypatch.setattr(run, "load_engine", load)
    monkeypatch.setattr(run, "_engines", {})
    return loads


def test_an_engine_is_loaded_once_and_lent_to_one_user_at_a_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loads = counting_loads(monkeypatch)
    model, settings = Model("fake", tmp_path / "a", "a" * 64), TranscribeSettings()
    with run.engine_for(model, settings) as first, run.engine_for(model, settings) as meanwhile:
        assert meanwhile is not first  # in use: the second user gets one of its own
    with run.engine_for(model, settings) as again:
        assert again is first
    assert loads == [tmp_path / "a", tmp_path / "a"]
    other = Model("fake", tmp_path / "b", "b" * 64)
    with run.engine_for(other, settings) as engine:  # another model: the first is let go
        assert engine is not first
    assert list(run._engines) == [run._key(other, settings)]


def test_a_failed_load_is_raised_and_tried_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loads = counting_loads(monkeypatch, fail=1)
    model, settings = Model("fake", tmp_path, "a" * 64), TranscribeSettings()
    with pytest.raises(BuildError, match="failed to load"), run.engine_for(model, settings):
        pass
    with run.engine_for(model, settings) as engine:
        assert isinstance(engine, FakeEngine)
    assert len(loads) == 2


def test_preload_loads_in_the_background_for_the_next_transcription(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loads = counting_loads(monkeypatch)
    model = Model("fake", tmp_path, "a" * 64)
    monkeypatch.setattr(run, "model_for", lambda s: model)
    run.preload(TranscribeSettings())
    entry = run._engines[run._key(model, TranscribeSettings())]
    preloaded = entry.engine.result(timeout=10)
    with run.engine_for(model, TranscribeSettings()) as engine:
        assert engine is preloaded
    assert len(loads) == 1
