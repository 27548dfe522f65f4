"""Which days a page states: the rule behind the eval's ``date_stated_rate``."""

from __future__ import annotations

from datetime import date

import pytest

from akhbar.bench.quality.extraction_dates import same_instant, stated_days, states_day


def page(head: str = "", body: str = "") -> str:
    return f'<html lang="fr"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


@pytest.mark.parametrize(
    ("html", "day"),
    [
        (page('<meta property="article:published_time" content="2019-12-09T19:00:49+01:00">'), "2019-12-09"),
        (page('<script type="application/ld+json">{"datePublished": "2020-02-18"}</script>'), "2020-02-18"),
        (page(body='<a href="/politique/2019/05/15/glyphosate">lien</a>'), "2019-05-15"),
        (page(body="<span>Par Loïc Le Clerc | 30 septembre 2018</span>"), "2018-09-30"),
        (page(body="<p>Publié le 18/10/2024 à 14h30</p>"), "2024-10-18"),
        (page(body="<p>الجمعة ١٨ أكتوبر ٢٠٢٤</p>"), "2024-10-18"),
        (page(body="<p>Published on October 1, 2018</p>"), "2018-10-01"),
    ],
)
def test_a_day_written_in_any_form_is_stated(html: str, day: str) -> None:
    assert states_day(html, day)


def test_other_days_relative_dates_and_bare_years_are_not_stated() -> None:
    html = page(
        '<meta property="article:published_time" content="2019-12-09T19:00:49+01:00">',
        "<p>Mis à jour il y a 3 heures</p><footer>© 2019 Exemple</footer><p>12 décembre</p>",
    )
    assert stated_days(html) == {date(2019, 12, 9)}
    assert not states_day(html, "2019-12-10")
    assert not states_day(html, "not a date")


def test_dates_inside_scripts_count_only_in_machine_form() -> None:
    html = page(body="<script>var label = '10 décembre 2019';</script><p>Texte</p>")
    assert stated_days(html) == set()


def test_same_instant_needs_a_time_and_a_zone() -> None:
    assert same_instant("2023-08-30T14:52:08+02:00", "2023-08-30 12:52:08+00:00")
    assert not same_instant("2023-08-30", "2023-08-30 12:52:08+00:00")
    assert not same_instant("2023-08-30T14:52:08", "2023-08-30 12:52:08+00:00")
    assert not same_instant("2023-08-30T15:52:08+02:00", "2023-08-30 12:52:08+00:00")
