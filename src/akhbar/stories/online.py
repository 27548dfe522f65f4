"""An in-memory online grouper with the same rule and candidate keys as the stored one.

Used by the evaluation and the baselines; the service keeps the same state in the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from akhbar.stories import grouping, index


@dataclass
class MemoryGrouper:
    settings: grouping.Settings = field(default_factory=grouping.Settings)
    use_index: bool = True
    stories: dict[int, grouping.Candidate] = field(default_factory=dict)
    keys: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    redirect: dict[int, int] = field(default_factory=dict)

    def _candidates(self, article: grouping.Features) -> list[grouping.Candidate]:
        if not self.use_index:
            return list(self.stories.values())
        ids: set[int] = set()
        for key in index.lookup_keys(article.embedding, article.published):
            ids |= self.keys.get(key, set())
        return [self.stories[i] for i in sorted(ids) if i in self.stories]

    def add(self, article: grouping.Features) -> int:
        """Assign one article; returns its story id (after any merge)."""
        chosen, _, also = grouping.best(article, self._candidates(article), self.settings)
        if chosen is None:
            story_id = len(self.stories) + len(self.redirect) + 1
            chosen = grouping.Candidate(
                story_id, article.embedding.copy(), 0, article.published, article.published
            )
            self.stories[story_id] = chosen
        grouping.absorb(chosen, article)
        for key in index.store_keys(article.embedding, article.published):
            self.keys[key].add(chosen.story_id)
        for other in also:
            if other.story_id in self.stories and grouping.should_merge(chosen, other, self.settings):
                self.stories[chosen.story_id] = chosen = grouping.merged(chosen, other)
                del self.stories[other.story_id]
                self.redirect[other.story_id] = chosen.story_id
                for members in self.keys.values():
                    if other.story_id in members:
                        members.discard(other.story_id)
                        members.add(chosen.story_id)
        return chosen.story_id

    def resolve(self, story_id: int) -> int:
        while story_id in self.redirect:
            story_id = self.redirect[story_id]
        return story_id
