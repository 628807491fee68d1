"""Read a CTranslate2 ``model.bin`` into numpy arrays.

The layout is what ``ctranslate2/specs/model_spec.py`` (``ModelSpec._serialize``) writes:
a version, the spec name and revision, then each variable as name, rank, shape, dtype id,
byte count and raw bytes (little-endian), then aliases (name -> variable name).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.errors import InputError, problem

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# Order of the DataType enum in CTranslate2's include/ctranslate2/types.h.
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_VERSIONS = (5, 6)


@dataclass(frozen=True)
class Ct2Model:
    """The variables of a model.bin, by name (aliases resolved), and its spec name."""

    spec: str
    variables: dict[str, npt.NDArray[np.generic]]

    def scalar(self, name: str) -> int:
        return int(self.variables[name].reshape(-1)[0])


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple[int, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def string(self) -> str:
        (size,) = self.take("H")
        text = self.data[self.pos : self.pos + size - 1].decode("utf-8")
        self.pos += size
        return text


def read_model_bin(path: Path) -> Ct2Model:
    """Parse ``path`` (a CTranslate2 model.bin); arrays share the file's bytes.

    Raises:
        InputError: not a model.bin this reader understands, or cut short.
    """
    import numpy as np

    data = path.read_bytes()
    r = _Reader(data)
    try:
        (version,) = r.take("I")
        if version not in _VERSIONS:
            raise ValueError(f"binary version {version} (expected one of {_VERSIONS})")
        spec = r.string()
        r.take("I")  # spec revision
        (count,) = r.take("I")
        variables: dict[str, npt.NDArray[np.generic]] = {}
        for _ in range(count):
            name = r.string()
            (rank,) = r.take("B")
            shape = r.take("I" * rank)
            dtype, size = r.take("BI")
            if r.pos + size > len(data):
                raise ValueError(f"cut short inside {name}")
            raw = np.frombuffer(data, dtype=np.uint8, count=size, offset=r.pos)
            variables[name] = _decode(raw, _DTYPES[dtype]).reshape(shape)
            r.pos += size
        (aliases,) = r.take("I")
        for _ in range(aliases):
            alias, target = r.string(), r.string()
            variables[alias] = variables[target]
    except (ValueError, IndexError, struct.error, UnicodeDecodeError) as e:
        raise InputError([problem(f"is not a readable CTranslate2 model ({e})", path)]) from None
    return Ct2Model(spec, variables)


def _decode(raw: npt.NDArray[np.uint8], dtype: str) -> npt.NDArray[np.generic]:
    import numpy as np

    if dtype == "bfloat16":  # numpy has no bfloat16: it is the top half of a float32
        return (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    return raw.view(np.dtype(dtype).newbyteorder("<"))
