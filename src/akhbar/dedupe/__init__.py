"""Deduplication: near-duplicate signatures, anchors, and the word-for-word decision.

:mod:`akhbar.dedupe.signatures` reads a body into folded words and makes its MinHash signature
(with LSH bands: candidates of much the same text); :mod:`akhbar.dedupe.minhash` is the MinHash
itself, in numpy; :mod:`akhbar.dedupe.anchors` the winnowed word 5-grams that find a text printed
inside a longer one; :mod:`akhbar.dedupe.compare` decides whether one body copies another and how
(same text, contained in, contains), with template texts whose facts differ ruled out. Canonical
URLs are in :mod:`akhbar.text.urls`, below every stage.
"""
