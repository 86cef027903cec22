"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last
a check character over the first 17."""

from __future__ import annotations

from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code (None when it is)."""
    if len(code) != 18:
        return f"expected 18 characters, got {len(code)}"
    bad = sorted({char for char in code if char not in ALPHABET})
    if bad:
        return f"characters {''.join(bad)!r} cannot appear (letters I, O, S, V, Z never do)"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, but the first 17 characters give {expected!r}"
    return None
