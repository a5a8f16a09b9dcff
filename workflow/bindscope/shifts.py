"""Training shifts by architecture (``train.max_shift``), and the flanks encode gives training windows for them.

Training crops each window from the window plus its flanks at a random shift (:mod:`bindscope.data`),
so encode writes as much flank as the largest shift of the models trained: shifted-in bases are then
genome sequence, never N.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def max_shift(setting: int | Mapping[str, int], model: str) -> int:
    """Largest shift (bp) of ``model``'s training windows: one number for every model, or by name ."""
    return int(setting) if isinstance(setting, int) else int(setting.get(model, 0))


def training_flank(setting: int | Mapping[str, int], models: Iterable[str]) -> int:
    """Flank (bp) each side of the training windows that covers the largest shift of ``models``."""
    return max((max_shift(setting, model) for model in models), default=0)
