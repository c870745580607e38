"""Fitted weights the answerer reads: ``load_weights(group)`` -> a linear scorer.

``make train`` (``bench/train.py`` driving ``rag/eval/train.py``) fits logistic regressions on
the rtqa dev questions and writes them, one group per scorer, to ``weights.json`` beside this
module. A group absent from the file (or no file at all) falls back to the defaults the caller
passes, so the answerer runs the same before and after a fit, only better scored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

WEIGHTS_PATH = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class LinearWeights:
    """``bias + sum(weight * feature)``; features not named here count zero."""

    bias: float = 0.0
    weights: Mapping[str, float] = field(default_factory=dict)

    def score(self, features: Mapping[str, float]) -> float:
        return self.bias + sum(w * float(features.get(k, 0.0)) for k, w in self.weights.items())

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.score(features)
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def as_dict(self) -> dict:
        return {"bias": self.bias, "weights": dict(self.weights)}


@lru_cache(maxsize=8)
def _read(path: Path, mtime: float) -> dict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("groups", {}) if isinstance(data, dict) else {}


def load_weights(
    group: str,
    default: LinearWeights | None = None,
    path: Path | None = None,
) -> LinearWeights:
    """The fitted weights of ``group``, else ``default`` (else all zero)."""
    path = path or WEIGHTS_PATH
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return default or LinearWeights()
    entry = _read(path, mtime).get(group)
    if not isinstance(entry, dict) or not isinstance(entry.get("weights"), dict):
        return default or LinearWeights()
    return LinearWeights(
        bias=float(entry.get("bias", 0.0)),
        weights={str(k): float(v) for k, v in entry["weights"].items()},
    )
