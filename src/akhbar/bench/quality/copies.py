"""How the duplicates set copies real articles the way sites do: another spelling, a light edit.

Each function takes a real article (an :class:`Item`) and a seeded random generator and returns
the copy; nothing is read or written. What the functions do is what happens to wire copies on real
sites: Arabic sites write hamza, alef maqsura, ta marbuta and tanwin by their own habits (مسئول for
مسؤول, فى for في, أيضاً for أيضا, Eastern Arabic digits), French sites write œ or oe, « » or
quotation marks, no-break spaces and 1 760 or 1760, English ones curly or straight quotes; an
editor drops a sentence, swaps two paragraphs, changes a reporting verb, adds a credit line.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from akhbar.bench.quality.stories import Item

Rule = Callable[[str, random.Random], str]


def _each(pattern: str, replacement: str, share: float = 0.9) -> Rule:
    """A rule replacing ``pattern`` by ``replacement`` at most places (a site is rarely consistent)."""
    compiled = re.compile(pattern)

    def apply(text: str, rng: random.Random) -> str:
        return compiled.sub(lambda m: m.expand(replacement) if rng.random() < share else m.group(), text)

    return apply


_EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_AR_ADVERBS = "أيضا|جدا|حاليا|سابقا|لاحقا|تقريبا|مثلا|دائما|غالبا|أحيانا|رسميا|مجددا|فورا|خصوصا|عادة"

ARABIC: dict[str, Rule] = {
    "hamza on alef dropped": _each("[أإآ]", "ا"),
    "alef maqsura as yeh": _each(r"ى\b", "ي"),
    "final yeh as alef maqsura": _each(r"ي\b", "ى", 0.7),
    "ta marbuta as heh": _each(r"ة\b", "ه"),
    "hamza seat ؤ written ئ": _each(r"(?<=\w)ؤو", "ئو"),
    "شيء written شئ": _each(r"يء\b", "ئ"),
    "tanwin added": _each(rf"\b({_AR_ADVERBS})\b", "\\1\u064b"),
    "tashkeel dropped": _each("[\u064b-\u0652]", "", 1.0),
    "Eastern Arabic digits": lambda text, _: text.translate(_EASTERN),
    "tatweel": _each(r"\b(ال)(\w)(\w)(\w{3,})\b", "\\1\\2ـ\\3\\4", 0.05),
}
FRENCH: dict[str, Rule] = {
    "oe as œ": _each(r"oe(?=[ui])", "œ", 1.0),
    "œ as oe": _each("œ", "oe", 1.0),
    "« » as quotation marks": lambda text, _: re.sub(r"«\s*", "\u201c", re.sub(r"\s*»", "\u201d", text)),
    "quotation marks as « »": lambda text, _: re.sub(r"[\"\u201c](.+?)[\"\u201d]", "« \\1 »", text),
    "typographic apostrophe": _each("'", "\u2019", 1.0),
    "straight apostrophe": _each("\u2019", "'", 1.0),
    "no-break space before : ; ! ?": _each(r" ([:;!?])", "\u202f\\1", 1.0),
    "digit groups unspaced": _each(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "", 1.0),
    "digit groups with a dot": _each(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", ".", 1.0),
    "capitals without accents": lambda text, _: text.replace("É", "E").replace("À", "A"),
    "ellipsis character": _each(r"\.\.\.", "…", 1.0),
}
ENGLISH: dict[str, Rule] = {
    "curly quotes": lambda text, _: re.sub(r"\"(.+?)\"", "\u201c\\1\u201d", text).replace("'", "\u2019"),
    "straight quotes": lambda text, _: re.sub("[\u201c\u201d]", '"', text).replace("\u2019", "'"),
    "digit groups unseparated": _each(r"(?<=\d),(?=\d{3}\b)", "", 1.0),
    "Mr. for Mr": _each(r"\b(Mr|Mrs|Dr)\b(?!\.)", "\\1.", 1.0),
    "American -ize": _each(r"\b(\w{3,})is(e|ed|es|ing|ation)\b", "\\1iz\\2", 0.5),
}
RULES = {"ar": ARABIC, "fr": FRENCH, "en": ENGLISH}


def respelled(item: Item, rng: random.Random) -> tuple[Item, tuple[str, ...]]:
    """The article as a site with other spelling habits prints it, and the habits applied."""
    rules = RULES.get(item.language or "", ENGLISH)
    chosen = rng.sample(sorted(rules), k=rng.randint(2, min(5, len(rules))))

    def spell(text: str) -> str:
        for name in chosen:
            text = rules[name](text, rng)
        return text

    return replace(item, title=spell(item.title), paragraphs=tuple(spell(p) for p in item.paragraphs)), tuple(
        chosen
    )


def syndicated(item: Item, number: int) -> Item:
    """A realistic syndicated copy: another header and footer, last paragraph cut, new byline."""
    header = {"ar": "الرباط - وكالات", "fr": "PARIS (AFP) -"}.get(item.language or "", "LONDON (Reuters) -")
    footer = {"ar": "تابعوا آخر الأخبار على موقعنا", "fr": "Lire aussi : nos autres articles"}.get(
        item.language or "", "Read more stories like this on our website"
    )
    body = list(item.paragraphs[:-1] if len(item.paragraphs) > 3 else item.paragraphs)
    byline = f"By Staff Writer {number}"
    return Item(item.title, (byline, f"{header} {body[0]}", *body[1:], footer), item.language, item.truth)


def amp_copy(item: Item) -> Item:
    """The same page reached at its AMP address, one inner paragraph (an inline link box) missing."""
    if item.url is None:
        raise ValueError(f"duplicates set: {item.title!r} has no URL to make an AMP copy of")
    body = item.paragraphs
    if len(body) > 4:
        middle = len(body) // 2
        body = body[:middle] + body[middle + 1 :]
    url = item.url.split("?")[0].rstrip("/")
    amp = f"{url[:-5]}.amp.html" if url.endswith(".html") else f"{url}/amp/"
    return Item(item.title, body, item.language, item.truth, url=amp)


_SENTENCE = re.compile(r"(?<=[.!?؟])\s+")
_VERBS = {
    "ar": (("وقال", "وأكد"), ("قال", "أوضح"), ("أعلن", "أفاد"), ("وأضاف", "وتابع"), ("أشار", "لفت")),
    "fr": (("a déclaré", "a affirmé"), ("a annoncé", "a fait savoir"), ("a indiqué", "a précisé")),
    "en": (("said", "told reporters"), ("announced", "said"), ("added", "went on")),
}
_CREDITS = {
    "ar": "(وكالات)",
    "fr": "(Avec AFP)",
    "en": "Reporting by our correspondents; editing by the news desk.",
}


def _drop_sentence(body: list[str], rng: random.Random, language: str) -> list[str]:
    inner = [n for n, p in enumerate(body) if n and len(_SENTENCE.split(p)) > 1]
    if not inner:
        return body[:-1] if len(body) > 3 else body
    n = rng.choice(inner)
    sentences = _SENTENCE.split(body[n])
    del sentences[rng.randrange(len(sentences))]
    return [*body[:n], " ".join(sentences), *body[n + 1 :]]


def _swap_paragraphs(body: list[str], rng: random.Random, language: str) -> list[str]:
    if len(body) < 4:
        return body
    n = rng.randrange(1, len(body) - 2)
    return [*body[:n], body[n + 1], body[n], *body[n + 2 :]]


def _reporting_verb(body: list[str], rng: random.Random, language: str) -> list[str]:
    for old, new in _VERBS.get(language, _VERBS["en"]):
        for n, paragraph in enumerate(body):
            if re.search(rf"\b{old}\b", paragraph):
                return [*body[:n], re.sub(rf"\b{old}\b", new, paragraph, count=1), *body[n + 1 :]]
    return body


def _credit(body: list[str], rng: random.Random, language: str) -> list[str]:
    return [*body, _CREDITS.get(language, _CREDITS["en"])]


def _split_paragraph(body: list[str], rng: random.Random, language: str) -> list[str]:
    for n, paragraph in enumerate(body):
        sentences = _SENTENCE.split(paragraph)
        if len(sentences) > 2:
            middle = len(sentences) // 2
            return [*body[:n], " ".join(sentences[:middle]), " ".join(sentences[middle:]), *body[n + 1 :]]
    return body


EDITS: dict[str, Callable[[list[str], random.Random, str], list[str]]] = {
    "sentence dropped": _drop_sentence,
    "paragraphs swapped": _swap_paragraphs,
    "reporting verb changed": _reporting_verb,
    "credit line added": _credit,
    "paragraph split": _split_paragraph,
}


def edited(item: Item, rng: random.Random) -> tuple[Item, tuple[str, ...]]:
    """A lightly edited rewrite: two or three of :data:`EDITS`, names and numbers kept."""
    chosen = rng.sample(sorted(EDITS), k=rng.randint(2, 3))
    body = list(item.paragraphs)
    for name in chosen:
        body = EDITS[name](body, rng, item.language or "en")
    return replace(item, paragraphs=tuple(body)), tuple(chosen)


_ROUNDUP = {
    "ar": ("حصاد اليوم: أبرز الأخبار", "إليكم أبرز ما تناولته الأخبار اليوم في موجز سريع.", "تابعونا غداً."),
    "fr": (
        "L'essentiel de l'actualité ce matin",
        "Voici les principales informations à retenir ce matin.",
        "Bonne journée à tous.",
    ),
    "en": (
        "Morning briefing: what you need to know",
        "Here are the stories making the news this morning.",
        "That is all for today.",
    ),
}


def roundup(items: Sequence[Item], number: int) -> Item:
    """A news roundup printing each item whole under its own headline."""
    language = items[0].language or "en"
    title, intro, outro = _ROUNDUP.get(language, _ROUNDUP["en"])
    body = [intro]
    for item in items:
        body += [item.title, *item.paragraphs]
    body.append(outro)
    return Item(f"{title} ({number})", tuple(body), language, f"roundup:{number}")


def wire_item(item: Item, rng: random.Random) -> Item:
    """A wire-length item: the article's first two to six paragraphs."""
    return replace(item, paragraphs=item.paragraphs[: rng.randint(2, 6)])


_LATIN_NAME = re.compile(r"\b[A-ZÀ-Þ][\w'’-]{2,}")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")
MIN_ARABIC_SKELETON = 4  # "~" and three consonants: shorter ones match common words


def latin_names(item: Item) -> set[str]:
    """Capitalised words the article never writes in lower case: its names."""
    text = "\n".join((item.title, *item.paragraphs))
    lower = {w for w in _WORD.findall(text) if w.islower()}
    return {m.group() for m in _LATIN_NAME.finditer(text) if m.group().lower() not in lower}


def arabic_names(item: Item, latin: set[str]) -> set[str]:
    """Words of an Arabic article that spell a name of its Latin-script version (same skeleton)."""
    from akhbar.stories import entities

    skeletons = {entities.latin_skeleton(name) for name in latin}
    skeletons = {s for s in skeletons if len(s) >= MIN_ARABIC_SKELETON - 1}
    text = "\n".join((item.title, *item.paragraphs))
    return {w for w in set(_WORD.findall(text)) if len(w) >= 3 and entities.arabic_skeleton(w) in skeletons}


def _other_number(number: str, rng: random.Random) -> str:
    digits = [str(int(c)) for c in number]
    while True:
        new = [str(rng.randrange(10)) for _ in digits]
        if len(new) > 1 and new[0] == "0":
            new[0] = "1"
        if new != digits:
            break
    eastern = any(not c.isascii() for c in number)
    value = "".join(new)
    return value.translate(_EASTERN) if eastern else value


def templated(item: Item, names: set[str], pool: Sequence[str], rng: random.Random) -> Item | None:
    """The article's template filled again: each of its names and numbers replaced by another.

    None when the article has too few names and numbers to be a template of anything.
    """
    text = "\n".join((item.title, *item.paragraphs))
    numbers = set(_NUMBER.findall(text))
    others = [name for name in pool if name not in names]
    if len(names) + len(numbers) < 3 or not others:
        return None
    mapping = {name: rng.choice(others) for name in sorted(names)}  # sorted: the same draws every run
    mapping |= {number: _other_number(number, rng) for number in sorted(numbers)}

    def fill(line: str) -> str:
        line = _WORD.sub(lambda m: mapping.get(m.group(), m.group()), line)
        return _NUMBER.sub(lambda m: mapping.get(m.group(), m.group()), line)

    return replace(
        item,
        title=fill(item.title),
        paragraphs=tuple(fill(p) for p in item.paragraphs),
        truth=f"template:{item.truth}",
    )
