"""Deduplication: near-duplicate signatures (MinHash over word shingles, with LSH bands).

:mod:`akhbar.dedupe.signatures` makes and compares them; :mod:`akhbar.dedupe.minhash` is the MinHash
itself, in numpy. Canonical URLs are in :mod:`akhbar.text.urls`, below every stage.
"""
