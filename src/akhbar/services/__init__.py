"""Use cases: the only layer that combines pipeline stages with storage.

The CLI, the web app and the workers call these functions, never stages or the store directly.
"""
