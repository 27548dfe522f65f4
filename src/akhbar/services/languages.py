"""The languages a filter may name: ``--language`` on the command line, ``?language=`` in the API.

A language is known when an article can be stored in it: every ISO 639-1 code (a feed or an
editor may declare any of them), and every code the language detector answers (fastText's
``lid.176``: ISO 639-1 where one exists, else ISO 639-3, such as ``ceb`` or ``war``). Anything else
(``xx``, ``english``) is refused with the reason instead of answering an empty list: such a filter
could never match. akhbar's own languages, those of the portal and its interface, are ar, fr and en.
"""

from __future__ import annotations

from akhbar.errors import InputError
from akhbar.text.fields import language_tag

__all__ = ["KNOWN", "PORTAL", "check_language"]

PORTAL = ("ar", "fr", "en")
"""The portal's languages: its interface, its search analysers and its home pages."""

_ISO_639_1 = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv
    dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie
    ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv
    mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm
    rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr
    ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
_DETECTED = """
    als arz ast azb bar bcl bh bpy bxr cbk ceb ckb diq dsb dty eml frr gom hif hsb ilo jbo krc lez
    lmo lrc mai mhr min mrj mwl myv mzn nah nap nds new pam pfl pms pnb rue sah scn sco tyv vec vep
    vls war wuu xal xmf yue
"""  # what fastText's lid.176 answers beyond ISO 639-1 (tests/test_cli_languages.py checks it)
KNOWN = frozenset(_ISO_639_1.split()) | frozenset(_DETECTED.split())


def check_language(value: str | None) -> str | None:
    """``value`` as stored articles spell it (``FR`` and ``fr-MA`` give ``fr``); None for no filter.

    Raises :class:`InputError` naming the value and the known languages when it is none of them.
    """
    if value is None:
        return None
    code = language_tag(value)
    if code is None or code not in KNOWN:
        raise InputError(
            f"unknown language {value!r}: akhbar knows {', '.join(PORTAL[:-1])} and {PORTAL[-1]}"
            " (the portal's languages)"
            " and the other ISO 639-1 codes, such as de or es"
        )
    return code
