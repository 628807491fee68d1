"""Transcribe a source through the cache: hash, look up, or decode once under a lock."""

from __future__ import annotations

import atexit
import gc
import logging
import math
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

from pipeline.analysis.transcribe import cache
from pipeline.analysis.transcribe.audio import RATE, Speech, decode, find_speech
from pipeline.analysis.transcribe.checks import drop_isolated_anomalies, flags
from pipeline.analysis.transcribe.models import Model, openai_checkpoint, resolve
from pipeline.analysis.transcribe.pieces import join_pieces
from pipeline.analysis.transcribe.protocol import Engine, Progress, RawSegment
from pipeline.analysis.transcribe.settings import TranscribeSettings
from pipeline.core.errors import InputError, MediaError, problem
from pipeline.core.model import OptionValue, Provenance, Segment, Span, Transcript, Word
from pipeline.core.stamps import file_sha256
from pipeline.subtitles.segment import ends_sentence

log = logging.getLogger(__name__)

WINDOW = 30 * RATE  # Whisper sees 30 s at a time
LANGUAGE_WINDOWS = 4  # windows spread over the speech for language detection


def load_or_transcribe(
    media: Path,
    settings: TranscribeSettings,
    on_progress: Progress | None = None,
    force: bool = False,
) -> Transcript:
    """The transcript of ``media``: from the cache, or made now and cached.

    Args:
        media: a video or audio file.
        settings: engine, model, language, task.
        on_progress: called with (seconds of audio done, seconds in all) while decoding.
        force: decode again even when the cache has the transcript.

    Raises:
        MediaError: the file is missing or has no audio.
        InputError: unknown model, language or engine; the engine is not installed.
        BuildError: the model or ffmpeg failed.
    """
    if not media.is_file():
        raise MediaError([problem("no such file (expected a video or audio file)", media)])
    media_sha = file_sha256(media)
    model = model_for(settings)
    key = cache.transcript_key(media_sha, settings.engine, model.sha256, settings.options())
    if not force and (hit := cache.load(key)) is not None:
        log.info("%s: transcript from the cache", media)
        return hit
    with cache.locked(media_sha):
        if not force and (hit := cache.load(key)) is not None:  # made while we waited
            return hit
        transcript = transcribe(media, model, settings, on_progress)
        prov = Provenance(
            settings.engine, model.name, model.sha256, media_sha, _options(transcript, settings)
        )
        transcript = replace(transcript, provenance=prov)
        cache.store(key, transcript)
    return transcript


def _options(t: Transcript, settings: TranscribeSettings) -> tuple[tuple[str, OptionValue], ...]:
    """The settings' options and the engine's details (version, device, precision)."""
    merged: dict[str, OptionValue] = dict(settings.options())
    merged.update(t.provenance.options if t.provenance else ())
    return tuple(sorted(merged.items()))


def model_for(settings: TranscribeSettings) -> Model:
    """The model the settings name, ready for their engine (assembled or exported once)."""
    if settings.engine == "openai-whisper":
        return openai_checkpoint(settings.model)
    return resolve(settings.model)


EngineKey = tuple[str, str, str, str]


class _Loaded:
    """An engine being loaded or loaded, and the lock of whoever uses it."""

    def __init__(self) -> None:
        self.engine: Future[Engine] = Future()
        self.busy = threading.Lock()


_engines: dict[EngineKey, _Loaded] = {}  # at most one: a model's weights are large
_engines_lock = threading.Lock()
_loading: list[threading.Thread] = []  # preloads, waited for at exit


def release_engines(wait_s: float = 60.0) -> None:
    """Let every engine go while the interpreter still runs (registered with ``atexit`` by the
    first load): wait for a preload still loading, then drop the process's engine.

    CTranslate2's model left to the interpreter's finalization is freed after the C++ statics
    of its thread pools, and the process aborts ("terminate called without an active
    exception", exit 134): a build stopped by SIGTERM during its encode, while the engine
    loaded beside it, exited 134 or 139 instead of 143.
    """
    for thread in list(_loading):
        thread.join(wait_s)
    with _engines_lock:
        _engines.clear()
    gc.collect()


def _key(model: Model, settings: TranscribeSettings) -> EngineKey:
    return settings.engine, str(model.path), model.sha256, settings.device


def _loaded(model: Model, settings: TranscribeSettings) -> _Loaded:
    """The process's engine for ``model``; the caller that finds none loads it (outside the
    lock: the others wait on its future). Another model's engine is let go."""
    key = _key(model, settings)
    with _engines_lock:
        entry = _engines.get(key)
        if entry is None:
            if not _engines:
                atexit.unregister(release_engines)  # once, however many loads
                atexit.register(release_engines)
            _engines.clear()
            entry = _engines[key] = _Loaded()
            mine = True
        else:
            mine = False
    if mine:
        try:
            entry.engine.set_result(load_engine(model, settings))
        except BaseException as e:  # the waiting callers get it too; a next call tries again
            entry.engine.set_exception(e)
            with _engines_lock:
                if _engines.get(key) is entry:
                    del _engines[key]
    return entry


def preload(settings: TranscribeSettings) -> None:
    """Start loading the settings' engine in the background, so that a transcription soon
    after (hearing an output once its encode ends) finds it loaded. Errors wait for that
    transcription, which meets them again and says them with their context."""

    def load() -> None:
        with suppress(Exception):  # said by the transcription that needs the engine
            _loaded(model_for(settings), settings)

    thread = threading.Thread(target=load, name="build-clip-engine", daemon=True)
    _loading[:] = [t for t in _loading if t.is_alive()] + [thread]
    thread.start()


@contextmanager
def engine_for(model: Model, settings: TranscribeSettings) -> Iterator[Engine]:
    """The engine for ``model``: the process's own, loaded once (by :func:`preload` or the
    first transcription) and used by one transcription at a time; while it is in use, a
    concurrent one loads an engine of its own, as every transcription did before."""
    entry = _loaded(model, settings)
    engine = entry.engine.result()
    if not entry.busy.acquire(blocking=False):
        yield load_engine(model, settings)
        return
    try:
        yield engine
    finally:
        entry.busy.release()


def load_engine(model: Model, settings: TranscribeSettings) -> Engine:
    if settings.engine == "openai-whisper":
        from pipeline.analysis.transcribe.openai_engine import OpenAIWhisper

        return OpenAIWhisper(model.path, settings.device)
    from pipeline.analysis.transcribe.faster import FasterWhisper

    return FasterWhisper(model.path, settings.device)


def transcribe(
    media: Path, model: Model, settings: TranscribeSettings, on_progress: Progress | None
) -> Transcript:
    """Decode ``media`` with no cache: VAD, language, engine, then source-time words."""
    speech = find_speech(decode(media), settings.vad)
    total = speech.duration_s

    def report(seconds: float) -> None:
        if on_progress is not None:
            on_progress(min(speech.to_source(seconds), total), total)

    if not speech.chunks:  # no speech at all: nothing to decode, no model to load
        report(total)
        known = settings.language != "auto"
        return Transcript(
            settings.language if known else "und", (), float(known), round(total * 1000)
        )
    with engine_for(model, settings) as engine:
        if settings.task == "translate" and not engine.multilingual:
            raise InputError(
                [
                    problem(
                        f"model {model.name!r} knows only English and cannot "
                        "translate (expected a multilingual model such as base)"
                    )
                ]
            )
        language, probability, raw = recognise(engine, speech, settings, report)
        details = tuple(sorted(engine.details().items()))
    if on_progress is not None:
        on_progress(total, total)
    return Transcript(
        language,
        source_segments(raw, speech, settings.hallucination_silence_s, language),
        probability,
        round(total * 1000),
        Provenance(settings.engine, model.name, model.sha256, "", details),
    )


def recognise(
    engine: Engine, speech: Speech, settings: TranscribeSettings, report: Callable[[float], None]
) -> tuple[str, float, list[RawSegment]]:
    """The language (and its probability), and the engine's segments in joined-speech time."""
    language, probability = choose_language(engine, speech, settings)
    windows = speech.windows() if settings.vad else ()
    return language, probability, engine.decode(speech.samples, language, settings, report, windows)


def choose_language(
    engine: Engine, speech: Speech, settings: TranscribeSettings
) -> tuple[str, float]:
    """The configured language, or the one most likely over several windows of speech.

    One window can mislead (English scored as Latin, open-webui#30015), so the language
    probabilities of up to four 30 s windows spread over the speech are averaged.
    """
    if settings.language != "auto":
        if not engine.multilingual and settings.language != "en":
            raise InputError(
                [
                    problem(
                        f"the model knows only English (expected --language en "
                        f"or a multilingual model, not {settings.language!r})"
                    )
                ]
            )
        return settings.language, 1.0
    samples = speech.samples
    if not engine.multilingual:
        return "en", 1.0
    count = min(LANGUAGE_WINDOWS, math.ceil(len(samples) / WINDOW))
    step = (len(samples) - WINDOW) / (count - 1) if count > 1 else 0
    totals: dict[str, float] = {}
    for i in range(count):
        start = round(i * step)
        for lang, p in engine.language_probs(samples[start : start + WINDOW]).items():
            totals[lang] = totals.get(lang, 0.0) + p / count
    language = max(totals, key=totals.__getitem__)
    log.info("detected language %s (%.2f)", language, totals[language])
    return language, round(totals[language], 4)


def source_segments(
    raw: list[RawSegment], speech: Speech, silence_s: float | None = None, language: str = "en"
) -> tuple[Segment, ...]:
    """Engine segments -> source-time segments of about a sentence: pieces joined into words
    (``pieces.join_pieces``), words mapped back, tidied, split after sentence ends (not after
    abbreviations), possible hallucinations dropped (see ``checks.drop_isolated_anomalies``)
    or flagged.

    Word times are kept inside the audio and monotonic (each word starts no earlier than
    the previous one ends), which DTW alignment does not promise. A batched decoder gives a
    segment per window of up to 30 s; the split keeps segments (and their flags) to about a
    sentence whatever the decoder. Segment texts are the words' own texts, joined as Whisper
    spaced them.
    """
    end_ms, last = round(speech.duration_s * 1000), 0
    out = []
    for seg in raw:
        sentence: list[tuple[Word, str]] = []
        joined = join_pieces(seg.words, language)
        for k, word in enumerate(joined):
            pieces = []
            for w in word.pieces:
                chunk = speech.chunk_at((w.start + w.end) / 2)
                start = round(speech.to_source(w.start, chunk) * 1000)
                end = round(speech.to_source(w.end, chunk) * 1000)
                start = min(max(start, last), end_ms)
                last = min(max(end, start), end_ms)
                pieces.append(Word(Span(start, last), w.text, round(w.probability, 4)))
            span = Span(pieces[0].span.start_ms, pieces[-1].span.end_ms)
            kept = tuple(pieces) if len(pieces) > 1 else ()
            spaced = "".join(p.text for p in word.pieces)
            sentence.append((Word(span, word.text, round(word.probability, 4), kept), spaced))
            if ends_sentence(word.text, language) or k == len(joined) - 1:
                out.append(_segment(sentence, seg.avg_logprob))
                sentence = []
    kept_segments, dropped = drop_isolated_anomalies(out, silence_s, end_ms)
    for segment in dropped:
        log.info(
            "dropped %r at %.1f s: improbable words alone between silences (a likely "
            "hallucination)",
            segment.text,
            segment.span.start_ms / 1000,
        )
    return kept_segments


def _segment(words: list[tuple[Word, str]], avg_logprob: float) -> Segment:
    segment = Segment(
        Span(words[0][0].span.start_ms, words[-1][0].span.end_ms),
        "".join(raw for _, raw in words).strip(),
        tuple(w for w, _ in words),
        round(math.exp(avg_logprob), 4),
    )
    return replace(segment, flags=flags(segment))
