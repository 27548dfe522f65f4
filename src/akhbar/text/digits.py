"""Digits as news pages write them: ASCII, Arabic-Indic (١٨) and Extended Arabic-Indic / Persian (۱۸).

``int()`` reads all three already; what needs this module is text compared or indexed as a string.
"""

from __future__ import annotations

__all__ = ["DIGIT_CLASS", "TO_ASCII", "ascii_digits"]

#: A regular-expression class body matching a digit written any of the three ways.
DIGIT_CLASS = "0-9\u0660-\u0669\u06f0-\u06f9"

#: :meth:`str.translate` table: Arabic-Indic (U+0660-U+0669) and Persian (U+06F0-U+06F9) digits to ASCII.
TO_ASCII: dict[int, str] = {0x0660 + d: str(d) for d in range(10)} | {0x06F0 + d: str(d) for d in range(10)}


def ascii_digits(text: str) -> str:
    """``text`` with every Eastern Arabic or Persian digit written as its ASCII digit."""
    return text.translate(TO_ASCII)
