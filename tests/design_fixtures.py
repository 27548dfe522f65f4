"""A front page's worth of news for the design tests: stories across Arabic, French and English,
syndicated copies, sections, photos served by the portal itself, breaking flags and reads.

Times are minutes before now, so the pages say "منذ 5 دقائق" as they would in a newsroom.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from akhbar.models import Article
from akhbar.services import breaking, reads
from akhbar.store import Store
from akhbar.store import breaking as flags
from akhbar.store.tables import articles
from akhbar.web import create_app
from akhbar.web.presenting import Picture
from portal_fixtures import store_article

# (key, story id, language, site, url, minutes ago, title, first paragraph)
NEWS: list[tuple[str, int | None, str, str, str, int, str, str]] = [
    ("tram_ar", 101, "ar", "هسبريس", "https://www.hespress.com/societe/tram-rabat.html", 95,
     "توسيع شبكة ترامواي الرباط سلا بخط جديد نحو تمارة",
     "أعلنت شركة الرباط للتهيئة إطلاق أشغال خط جديد للترامواي يربط الرباط بتمارة على طول 15 كيلومترا."),
    ("tram_fr", 101, "fr", "Le360", "https://fr.le360.ma/societe/tramway-temara/", 80,
     "Le tramway de Rabat-Salé prolongé jusqu’à Témara",
     "Les travaux de la nouvelle ligne, longue de 15 km, doivent s’achever avant la Coupe d’Afrique des nations."),
    ("tram_fr2", 101, "fr", "Médias24", "https://medias24.com/societe/tramway-rabat-temara/", 60,
     "Rabat : une troisième ligne de tramway vers Témara",
     "La Société du tramway de Rabat-Salé a présenté le tracé de la troisième ligne."),
    ("tram_en", 101, "en", "Morocco World News", "https://www.moroccoworldnews.com/society/rabat-tram/", 40,
     "Rabat's tramway to reach Temara with a new 15 km line",
     "Construction of the new line is due to finish before the Africa Cup of Nations."),
    ("tram_copy", 101, "ar", "اليوم 24", "https://alyaoum24.com/societe/tram-rabat-copy.html", 30,
     "توسيع شبكة ترامواي الرباط سلا بخط جديد نحو تمارة",
     "أعلنت شركة الرباط للتهيئة إطلاق أشغال خط جديد للترامواي يربط الرباط بتمارة على طول 15 كيلومترا."),
    ("rate_fr", 102, "fr", "Médias24", "https://medias24.com/economie/bam-taux-directeur/", 150,
     "Bank Al-Maghrib maintient son taux directeur à 2,75 %",
     "Le conseil de la banque centrale a jugé l’inflation maîtrisée et la croissance en reprise."),
    ("rate_ar", 102, "ar", "هسبريس", "https://www.hespress.com/economie/bam-taux.html", 140,
     "بنك المغرب يبقي على سعر الفائدة الرئيسي في 2.75 في المائة",
     "قرر مجلس بنك المغرب الإبقاء على سعر الفائدة الرئيسي دون تغيير."),
    ("rate_en", 102, "en", "Morocco World News", "https://www.moroccoworldnews.com/economy/bam-rate/", 120,
     "Bank Al-Maghrib holds its key rate at 2.75%",
     "The central bank said inflation was under control."),
    ("lions_ar", 103, "ar", "هسبريس", "https://www.hespress.com/sport/lions-atlas.html", 25,
     "المنتخب المغربي يفوز على الغابون ويتأهل إلى النهائيات",
     "حقق أسود الأطلس فوزا مستحقا بهدفين دون رد في مباراة الليلة."),
    ("lions_fr", 103, "fr", "Le Matin", "https://lematin.ma/sport/lions-atlas-gabon/", 18,
     "Les Lions de l’Atlas battent le Gabon et se qualifient",
     "Le Maroc s’est imposé 2-0 à Rabat devant 45 000 spectateurs."),
    ("rain_ar", 104, "ar", "الصباح", "https://assabah.ma/societe/amtar.html", 55,
     "نشرة إنذارية: أمطار قوية وثلوج في عدد من أقاليم الشمال",
     "أصدرت المديرية العامة للأرصاد الجوية نشرة إنذارية من المستوى البرتقالي."),
    ("rain_fr", 104, "fr", "Le360", "https://fr.le360.ma/societe/alerte-meteo/", 50,
     "Alerte météo : fortes pluies et neige dans le Nord",
     "La Direction générale de la météorologie a émis un bulletin d’alerte de niveau orange."),
    ("un_fr", 105, "fr", "Le Monde", "https://www.lemonde.fr/international/article/onu-climat.html", 200,
     "À l’ONU, un accord de dernière minute sur le financement climatique",
     "Les négociateurs sont parvenus à un compromis dans la nuit."),
    ("un_en", 105, "en", "Reuters", "https://www.reuters.com/world/un-climate-finance/", 190,
     "UN talks reach last-minute deal on climate finance",
     "Negotiators reached a compromise overnight after two weeks of talks."),
    ("gov_ar", None, "ar", "هسبريس", "https://www.hespress.com/politique/majlis-hukuma.html", 12,
     "مجلس الحكومة يصادق على مشروع قانون يتعلق بالتعليم العالي",
     "صادق مجلس الحكومة، المنعقد اليوم الخميس، على مشروع القانون."),
    ("festival_fr", None, "fr", "L’Économiste", "https://www.leconomiste.com/culture/mawazine-2025/", 300,
     "Mawazine dévoile les premiers noms de son édition 2025",
     "Le festival annonce une programmation tournée vers l’Afrique."),
    ("health_ar", None, "ar", "اليوم 24", "https://alyaoum24.com/sante/hospital.html", 320,
     "افتتاح مستشفى جامعي جديد في أكادير بطاقة 867 سريرا",
     "دشن المستشفى الجامعي الجديد بأكادير بطاقة استيعابية تبلغ 867 سريرا."),
    ("tech_en", None, "en", "Morocco World News", "https://www.moroccoworldnews.com/tech/startups/", 400,
     "Moroccan startups raised a record $120 million this year",
     "Fintech and agritech led the rounds."),
    ("opinion_fr", None, "fr", "Le Matin", "https://lematin.ma/opinion/eau-maroc/", 420,
     "L’eau, la grande affaire de la décennie",
     "Le stress hydrique impose de repenser l’agriculture."),
    ("world_ar", None, "ar", "الجزيرة نت", "https://www.aljazeera.net/monde/2025/summit.html", 230,
     "قمة عربية طارئة في القاهرة لبحث الأوضاع في المنطقة",
     "تنطلق اليوم في القاهرة أعمال قمة عربية طارئة."),
    ("politics_fr", None, "fr", "Hespress FR", "https://fr.hespress.com/politique/parlement-budget.html", 260,
     "Le Parlement adopte la loi de finances en deuxième lecture",
     "La Chambre des représentants a voté le texte mardi soir."),
    ("eco_ar", None, "ar", "الصباح", "https://assabah.ma/economie/saderat.html", 500,
     "ارتفاع صادرات قطاع السيارات بنسبة 12 في المائة",
     "سجلت صادرات قطاع السيارات ارتفاعا ملحوظا خلال الأشهر العشرة الأولى."),
    ("sport_en", None, "en", "Morocco World News", "https://www.moroccoworldnews.com/sport/wydad/", 600,
     "Wydad appoints a new head coach ahead of the Club World Cup",
     "The Casablanca club confirmed the appointment on Tuesday."),
]  # fmt: skip

BODY = {
    "ar": "وأوضح المصدر ذاته أن المشروع يندرج ضمن برنامج أوسع لتحديث البنيات التحتية في المنطقة.",
    "fr": "Selon la même source, le projet s’inscrit dans un programme plus large de modernisation.",
    "en": "The project is part of a wider programme to modernise the region's infrastructure, officials said.",
}

PHOTOS = {  # article key -> (caption, credit)
    "tram_ar": ("ترامواي الرباط سلا عند محطة باب الأحد", "هسبريس"),
    "tram_fr": ("Le tramway à la station Bab El Had", "Le360"),
    "tram_fr2": ("Le tramway de Rabat-Salé", "Médias24"),
    "tram_en": ("The Rabat-Salé tramway at Bab El Had", "Morocco World News"),
    "lions_fr": ("Les Lions de l’Atlas à Rabat", "Le Matin"),
    "rate_fr": ("Le siège de Bank Al-Maghrib", "Médias24"),
    "rain_ar": ("أمطار في طنجة", "الصباح"),
}


def _png(path: Path, width: int, height: int, seed: int) -> None:
    """A real PNG (a soft two-colour gradient), written without an imaging library."""
    a = ((seed * 67) % 200 + 30, (seed * 131) % 160 + 40, (seed * 29) % 180 + 50)
    b = (230 - a[0] // 2, 220 - a[1] // 3, 210 - a[2] // 4)
    rows = bytearray()
    for y in range(height):
        t = y / max(1, height - 1)
        pixel = bytes(int(a[i] * (1 - t) + b[i] * t) for i in range(3))
        rows += b"\x00" + pixel * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


@dataclass
class Newsroom:
    ids: dict[str, int]
    pictures: dict[int, Picture] = field(default_factory=dict)

    def picture(self, article_id: int) -> Picture | None:
        return self.pictures.get(article_id)


def fill(store: Store, photos: Path, *, now: datetime | None = None) -> Newsroom:
    """Store the news, the photos (under ``photos``, served at /test-photos), flags and reads."""
    now = now or datetime.now(UTC)
    ids: dict[str, int] = {}
    for key, story_id, language, site, url, minutes, title, lead in NEWS:
        published = (now - timedelta(minutes=minutes)).replace(microsecond=0).isoformat()
        article = Article(
            title=title,
            body_paragraphs=(lead, BODY[language]),
            language=language,
            site_name=site,
            url=url,
            published=published,
            story_id=story_id,
        )
        ids[key] = store_article(store, f"design:{key}", replace(article))
    with store.transaction() as connection:  # the copy of Hespress's text, as deduplication links it
        connection.execute(
            sa.update(articles)
            .where(articles.c.id == ids["tram_copy"])
            .values(duplicate_of=ids["tram_ar"], duplicate_kind="same")
        )
    newsroom = Newsroom(ids)
    photos.mkdir(parents=True, exist_ok=True)
    for n, (key, (caption, credit)) in enumerate(PHOTOS.items()):
        for width in (480, 960):
            _png(photos / f"{key}-{width}.png", width, width * 2 // 3, n)
        newsroom.pictures[ids[key]] = Picture(
            src=f"/test-photos/{key}-960.png",
            srcset=f"/test-photos/{key}-480.png 480w, /test-photos/{key}-960.png 960w",
            width=960,
            height=640,
            alt=caption,
            caption=caption,
            credit=credit,
        )
    breaking.flag_article(store, ids["lions_fr"], now + timedelta(hours=2), story=True, note=None)
    with store.transaction() as connection:
        flags.add_flag(
            connection,
            article_id=ids["gov_ar"],
            story_id=None,
            until=now + timedelta(hours=1),
            origin="detected",
        )
    counter = reads.ReadCounter(store, flush_every=3600, flush_at=10**6)
    for key, times in (
        ("health_ar", 40),
        ("festival_fr", 31),
        ("world_ar", 22),
        ("tech_en", 15),
        ("eco_ar", 9),
    ):
        for _ in range(times):
            counter.add(ids[key])
    counter.flush()
    return newsroom


def app(store: Store, newsroom: Newsroom, photos: Path) -> FastAPI:
    """The portal with the newsroom's photos (a stand-in for the stored, resized images)."""
    application = create_app(store, cache_ttl=0, pictures=newsroom.picture)
    application.mount("/test-photos", StaticFiles(directory=photos), name="test-photos")
    return application
