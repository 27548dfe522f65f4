"""Deduplication: canonical URLs (more to come: content hashes, near-duplicate signatures)."""
