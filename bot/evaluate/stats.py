"""The one statistic every quality figure carries: the standard error of a mean."""

from __future__ import annotations

import math
from collections.abc import Sequence


def standard_error(values: Sequence[float]) -> float:
    """The standard error of the mean of `values` (0 for fewer than two)."""
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return math.sqrt(variance / len(values))
