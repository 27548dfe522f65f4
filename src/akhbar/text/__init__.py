"""The base text layer, below every stage: folding (one table, named variants), digits, URLs.

Stages import it and never each other; it imports nothing of akhbar's. :mod:`akhbar.text.folding`
holds the one table of spellings akhbar treats as one letter and the variants a stage needs, each
with its reason; :mod:`akhbar.text.digits` the Eastern Arabic and Persian digits;
:mod:`akhbar.text.urls` canonical URLs, hosts and parsing that never raises.
"""

from __future__ import annotations

from akhbar.text.digits import DIGIT_CLASS, ascii_digits
from akhbar.text.folding import (
    APOSTROPHES,
    SIGNATURE_TABLE,
    TABLE,
    apply_table,
    fold,
    fold_for_signatures,
    fold_shape,
    strip_accents,
)
from akhbar.text.urls import canonical_url, host_of, site_host, split_url

__all__ = [
    "APOSTROPHES",
    "DIGIT_CLASS",
    "SIGNATURE_TABLE",
    "TABLE",
    "apply_table",
    "ascii_digits",
    "canonical_url",
    "fold",
    "fold_for_signatures",
    "fold_shape",
    "host_of",
    "site_host",
    "split_url",
    "strip_accents",
]
