"""An in-memory online grouper with the same rule and candidate keys as the stored one.

Used by the evaluation and the baselines; the service keeps the same state in the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np

from akhbar.stories import grouping, index


@dataclass
class MemoryGrouper:
    settings: grouping.Settings = field(default_factory=grouping.Settings)
    use_index: bool = True
    stories: dict[int, grouping.Candidate] = field(default_factory=dict)
    keys: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    redirect: dict[int, int] = field(default_factory=dict)
    members: dict[int, list[grouping.Features]] = field(default_factory=lambda: defaultdict(list))
    placed: dict[int, int] = field(default_factory=dict)  # article number -> story id
    _numbers: dict[int, list[int]] = field(default_factory=dict)  # story id -> its articles' numbers

    def _candidates(self, article: grouping.Features) -> list[grouping.Candidate]:
        if not self.use_index:
            return list(self.stories.values())
        ids: set[int] = set()
        for key in index.lookup_keys(article.embedding, article.published):
            ids |= self.keys.get(key, set())
        return [self.stories[i] for i in sorted(ids) if i in self.stories]

    def add(self, article: grouping.Features) -> int:
        """Assign one article; returns its story id (after any merge). Its final story, after
        later articles moved it or merged its story, is :meth:`story_of` its number (the count of
        articles added before it)."""
        candidates = self._candidates(article)
        chosen, _, also = grouping.best(article, candidates, self.settings)
        home = self._home(article, candidates, chosen)
        apart = []  # stories it also fits that prove not to be this one, and its version's (as the service)
        if home is not None and home[1]:
            chosen, _, also = grouping.best(article, candidates, self.settings, home[0])
        elif home is not None and all(other.story_id != home[0] for other in also):
            apart.append(self.stories[home[0]])
        if chosen is None:
            story_id = len(self.stories) + len(self.redirect) + 1
            chosen = grouping.Candidate(
                story_id, np.zeros_like(article.embedding), 0, article.published, article.published
            )
            self.stories[story_id] = chosen
        grouping.absorb(chosen, article)
        self._keep(chosen.story_id, article, len(self.placed))
        for other in also:
            if other.story_id in self.stories and grouping.should_merge(chosen, other, self.settings):
                self.stories[chosen.story_id] = chosen = grouping.merged(chosen, other)
                self._fold(other.story_id, chosen.story_id)
            else:
                apart.append(other)
        for other in apart:
            self._rehome(chosen, other, article)
        return chosen.story_id

    def _home(
        self,
        article: grouping.Features,
        candidates: list[grouping.Candidate],
        chosen: grouping.Candidate | None,
    ) -> tuple[int, bool] | None:
        """The story holding the article in another language, and whether that version stays
        there (as :func:`akhbar.services.story_moves.version_home` decides)."""
        alone = grouping.story_of(0, [article])
        for candidate in candidates:
            if candidate is chosen:
                continue
            members = self.members[candidate.story_id]
            found = grouping.versions(article, members, self.settings)
            if found:
                version = members[found[0]]
                rest = [member for n, member in enumerate(members) if n != found[0]]
                there = grouping.score(version, grouping.story_of(0, rest), self.settings) if rest else -1.0
                return candidate.story_id, there > grouping.score(version, alone, self.settings)
        return None

    def _keep(self, story_id: int, article: grouping.Features, number: int) -> None:
        for key in index.store_keys(article.embedding, article.published):
            self.keys[key].add(story_id)
        self.members[story_id].append(article)
        self._numbers.setdefault(story_id, []).append(number)
        self.placed[number] = story_id

    def _fold(self, gone: int, into: int) -> None:
        del self.stories[gone]
        self.redirect[gone] = into
        for members in self.keys.values():
            if gone in members:
                members.discard(gone)
                members.add(into)
        self.members[into].extend(self.members.pop(gone, []))
        numbers = self._numbers.pop(gone, [])
        self._numbers.setdefault(into, []).extend(numbers)
        self.placed.update(dict.fromkeys(numbers, into))

    def _rehome(
        self, joined: grouping.Candidate, other: grouping.Candidate, article: grouping.Features
    ) -> None:
        """Members of ``other`` that read closer to ``joined``, or are ``article`` in another
        language, move there; a story left with none is folded into it (as the service does)."""
        if other.story_id not in self.stories or other.count > grouping.MOVABLE:
            return
        members, numbers = self.members[other.story_id], self._numbers[other.story_id]
        going = set(grouping.leaving(joined, members, self.settings))
        going |= set(grouping.versions(article, members, self.settings))
        if not going:
            return
        for n in sorted(going):
            grouping.absorb(joined, members[n])
        if len(going) == len(members):
            self._fold(other.story_id, joined.story_id)
            return
        for n in sorted(going):
            self._keep(joined.story_id, members[n], numbers[n])
        staying = [n for n in range(len(members)) if n not in going]
        self.members[other.story_id] = [members[n] for n in staying]
        self._numbers[other.story_id] = [numbers[n] for n in staying]
        self.stories[other.story_id] = replace(
            grouping.story_of(other.story_id, self.members[other.story_id]), story_id=other.story_id
        )

    def story_of(self, number: int) -> int:
        """The story the ``number``-th article added is in now."""
        return self.placed[number]

    def resolve(self, story_id: int) -> int:
        while story_id in self.redirect:
            story_id = self.redirect[story_id]
        return story_id
