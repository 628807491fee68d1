"""Write an openai-whisper checkpoint from CTranslate2 Whisper weights (the same tensors).

CTranslate2 fuses the attention projections (``ctranslate2/converters/transformers.py``,
``BartLoader.set_attention``): self-attention q, k, v are one ``linear_0``; cross-attention
keeps q in ``linear_0`` and fuses k, v in ``linear_1``. Whisper's key projection has no bias,
so the converter stored zeros there, which are dropped again here. The alignment heads
(for word timestamps) come from the model's config.json and travel in the checkpoint.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.analysis.transcribe.ct2 import Ct2Model, read_model_bin
from pipeline.core.errors import InputError, problem
from pipeline.core.files import atomic_path

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Arrays = dict[str, "npt.NDArray[np.generic]"]


def _linear(out: Arrays, m: Ct2Model, src: str, dst: str) -> None:
    out[f"{dst}.weight"] = m.variables[f"{src}/weight"]
    if f"{src}/bias" in m.variables:
        out[f"{dst}.bias"] = m.variables[f"{src}/bias"]


def _norm(out: Arrays, m: Ct2Model, src: str, dst: str) -> None:
    out[f"{dst}.weight"] = m.variables[f"{src}/gamma"]
    out[f"{dst}.bias"] = m.variables[f"{src}/beta"]


def _split(out: Arrays, m: Ct2Model, src: str, names: tuple[str, ...]) -> None:
    """Un-fuse a projection into ``names`` (a key part loses its all-zero bias)."""
    weight, bias = m.variables[f"{src}/weight"], m.variables[f"{src}/bias"]
    n = weight.shape[0] // len(names)
    for i, name in enumerate(names):
        out[f"{name}.weight"] = weight[i * n : (i + 1) * n]
        if not name.endswith(".key"):
            out[f"{name}.bias"] = bias[i * n : (i + 1) * n]


def _block(out: Arrays, m: Ct2Model, src: str, dst: str, cross: bool) -> None:
    _split(
        out,
        m,
        f"{src}/self_attention/linear_0",
        (f"{dst}.attn.query", f"{dst}.attn.key", f"{dst}.attn.value"),
    )
    _linear(out, m, f"{src}/self_attention/linear_1", f"{dst}.attn.out")
    _norm(out, m, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
    if cross:
        _linear(out, m, f"{src}/attention/linear_0", f"{dst}.cross_attn.query")
        _split(
            out,
            m,
            f"{src}/attention/linear_1",
            (f"{dst}.cross_attn.key", f"{dst}.cross_attn.value"),
        )
        _linear(out, m, f"{src}/attention/linear_2", f"{dst}.cross_attn.out")
        _norm(out, m, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln")
    _linear(out, m, f"{src}/ffn/linear_0", f"{dst}.mlp.0")
    _linear(out, m, f"{src}/ffn/linear_1", f"{dst}.mlp.2")
    _norm(out, m, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")


def _layers(m: Ct2Model, side: str) -> int:
    return sum(
        1
        for k in m.variables
        if k.startswith(f"{side}/layer_") and k.endswith("/ffn/linear_0/weight")
    )


def whisper_state(m: Ct2Model) -> tuple[dict[str, int], Arrays]:
    """The openai-whisper ``dims`` and ``model_state_dict`` (as numpy) of a CTranslate2 model."""
    v = m.variables
    if m.spec != "WhisperSpec" or any(k.endswith("weight_scale") for k in v):
        raise ValueError(
            f"{m.spec} with quantized weights"
            if m.spec == "WhisperSpec"
            else f"a {m.spec}, not a Whisper model"
        )
    enc, dec = _layers(m, "encoder"), _layers(m, "decoder")
    out: Arrays = {}
    for name in ("conv1", "conv2"):
        _linear(out, m, f"encoder/{name}", f"encoder.{name}")
    out["encoder.positional_embedding"] = v["encoder/position_encodings/encodings"]
    for i in range(enc):
        _block(out, m, f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False)
    _norm(out, m, "encoder/layer_norm", "encoder.ln_post")
    out["decoder.token_embedding.weight"] = v["decoder/embeddings/weight"]
    out["decoder.positional_embedding"] = v["decoder/position_encodings/encodings"]
    for i in range(dec):
        _block(out, m, f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True)
    _norm(out, m, "decoder/layer_norm", "decoder.ln")
    audio_ctx, audio_state = v["encoder/position_encodings/encodings"].shape
    vocab, text_state = v["decoder/embeddings/weight"].shape
    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(audio_ctx),
        "n_audio_state": int(audio_state),
        "n_audio_head": m.scalar("encoder/num_heads"),
        "n_audio_layer": enc,
        "n_vocab": int(vocab),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(text_state),
        "n_text_head": m.scalar("decoder/num_heads"),
        "n_text_layer": dec,
    }
    return dims, out


def alignment_dump(heads: list[list[int]], layers: int, per_layer: int) -> bytes:
    """Alignment heads in openai-whisper's encoding (``Whisper.set_alignment_heads``)."""
    import numpy as np

    mask = np.zeros((layers, per_layer), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def export_openai(folder: Path, target: Path) -> Path:
    """Write ``target``, an openai-whisper checkpoint of the CTranslate2 model in ``folder``.

    Raises:
        InputError: the folder holds no Whisper model this can convert.
    """
    import numpy as np

    try:
        import torch  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise InputError(
            [
                problem(
                    "exporting for openai-whisper needs PyTorch (expected: pip install "
                    "'build-clip[openai]')"
                )
            ]
        ) from None
    try:
        dims, state = whisper_state(read_model_bin(folder / "model.bin"))
    except (ValueError, KeyError) as e:
        raise InputError(
            [problem(f"cannot be exported for openai-whisper ({e})", folder)]
        ) from None
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    heads = config.get("alignment_heads") or [
        [layer, h]
        for layer in range(dims["n_text_layer"] // 2, dims["n_text_layer"])
        for h in range(dims["n_text_head"])
    ]  # CTranslate2's own default: the last half
    checkpoint: dict[str, Any] = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(np.array(a)) for k, a in state.items()},
        "alignment_heads": alignment_dump(heads, dims["n_text_layer"], dims["n_text_head"]),
    }
    with atomic_path(target) as tmp:
        torch.save(checkpoint, tmp)
    return target
