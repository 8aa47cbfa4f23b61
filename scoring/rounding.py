"""Deterministic rounding for everything a report shows.

Python's round() rounds half to even on the binary value (round(2.675, 2) == 2.67), which
surprises a trainee checking a score by hand. Rounding the shortest decimal representation
half up is what a person does on paper, and it is the same on every machine.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["round_half_up"]


def round_half_up(value: float, places: int) -> float:
    quantum = Decimal(1).scaleb(-places)
    rounded = float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
    return rounded + 0.0  # turns -0.0 into 0.0 so that reports compare and print alike
