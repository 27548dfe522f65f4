"""Deduplication: near-duplicate signatures (MinHash over word shingles, with LSH bands).

Canonical URLs are in :mod:`akhbar.text.urls`, below every stage.
"""
