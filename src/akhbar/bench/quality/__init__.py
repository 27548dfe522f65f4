"""Quality evaluation of akhbar's stages against labelled real data, with floors kept in the repo.

``floors.json`` beside this file records, for each score, the floor a change must not go below;
lowering one is a conscious change made in the same commit as its reason.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["floors"]


def floors(name: str) -> dict[str, float]:
    """The recorded floors of one evaluation (``"textdump"``), by score name."""
    text = resources.files(__package__).joinpath("floors.json").read_text(encoding="utf-8")
    table = json.loads(text)
    return {str(key): float(value) for key, value in table[name].items() if not key.startswith("_")}
