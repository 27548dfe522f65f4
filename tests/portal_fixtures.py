"""A small portal data set: the specimen plus grouped stories in three languages from three regions."""

from __future__ import annotations

from dataclasses import dataclass, replace

from akhbar.extract import extract, with_section
from akhbar.models import Article, Document
from akhbar.services import search as search_index
from akhbar.store import Store, documents
from akhbar.store import articles as article_rows
from conftest import SEED

NASTY_TITLE = '<script>alert("x")</script> & «guillemets» ]]> <b>'


@dataclass(frozen=True)
class PortalData:
    specimen: int
    story: int
    story_ar: int
    story_fr: int
    story_en: int
    levant: int
    moroccan_july: int
    nasty: int


ARTICLES = [
    # (key, story_id, Article)
    (
        "ar",
        7,
        Article(
            title="الحكومة تصادق على مشروع قانون المالية",
            body_paragraphs=("صادق مجلس الحكومة، اليوم الجمعة، على مشروع قانون المالية للسنة المقبلة.",),
            language="ar",
            site_name="هسبريس",
            url="https://www.hespress.ma/finance-2025",
            published="2024-10-18T09:00:00+01:00",
            image_url="https://www.hespress.ma/photo.jpg",
            image_caption="مجلس الحكومة",
        ),
    ),
    (
        "fr",
        7,
        Article(
            title="Le gouvernement adopte le projet de loi de finances",
            body_paragraphs=("Le conseil de gouvernement a adopté vendredi le projet de loi de finances.",),
            language="fr",
            site_name="Le Matin",
            url="https://lematin.ma/loi-finances-2025",
            published="2024-10-18T10:30:00+01:00",
        ),
    ),
    (
        "en",
        7,
        Article(
            title="Morocco's government adopts the finance bill",
            body_paragraphs=("Morocco's government council adopted the finance bill on Friday.",),
            language="en",
            site_name="Morocco World News",
            url="https://www.moroccoworldnews.com/finance-bill",
            published="2024-10-18T12:00:00+00:00",
        ),
    ),
    (
        "levant",
        None,
        Article(
            title="مجلس الوزراء اللبناني يجتمع في بعبدا",
            body_paragraphs=("اجتمع مجلس الوزراء اللبناني في القصر الجمهوري في بعبدا.",),
            language="ar",
            site_name="النهار",
            url="https://www.annahar.com.lb/cabinet",
            published="2024-07-05",
        ),
    ),
    (
        "moroccan_july",
        None,
        Article(
            title="افتتاح موسم الصيف في طنجة",
            body_paragraphs=("افتتح موسم الصيف في مدينة طنجة بحضور عدد كبير من الزوار.",),
            language="ar",
            site_name="هسبريس",
            url="https://www.hespress.ma/tanger-summer",
            published="2024-07-06",
        ),
    ),
    (
        "undated",
        None,
        Article(
            title="Un article sans date",
            body_paragraphs=("Cet article ne donne pas sa date de publication.",),
            language="fr",
            site_name="Le Matin",
            url="https://lematin.ma/sans-date",
        ),
    ),
    (
        "nasty",
        None,
        Article(
            title=NASTY_TITLE,
            body_paragraphs=('A paragraph with <tags> & ampersands & "quotes".',),
            language="en",
            site_name="Example & Co",
            url="https://example.com/a?x=1&y=2",
            published="2024-01-02T03:04:05Z",
        ),
    ),
]


def populate(store: Store) -> PortalData:
    """Store the extracted specimen and the synthetic articles (with their story ids) directly.

    The articles go straight to the store and the search index, past story grouping: these tests
    are about what the portal shows of stored articles, whatever grouping would add.
    """
    path = SEED / "000_5f9867fcee487711.txt"
    specimen = extract(Document(location=str(path), data=path.read_bytes()))
    assert isinstance(specimen, Article), specimen
    ids: dict[str, int] = {}
    with store.transaction() as connection:
        for key, story_id, article in [("specimen", None, specimen), *ARTICLES]:
            document = Document(location=f"test:{key}", data=key.encode(), url=article.url)
            raw_id = documents.insert_raw(connection, document, None)
            stored = replace(article, story_id=story_id)
            ids[key], _ = article_rows.upsert_article(connection, f"test:{key}", raw_id, stored, None)
            search_index.index_article(connection, ids[key], stored, None)
    return PortalData(
        specimen=ids["specimen"],
        story=7,
        story_ar=ids["ar"],
        story_fr=ids["fr"],
        story_en=ids["en"],
        levant=ids["levant"],
        moroccan_july=ids["moroccan_july"],
        nasty=ids["nasty"],
    )


@dataclass(frozen=True)
class Syndicated:
    """One agency text carried by three sites (one of them twice); ids in order of storage."""

    original: int
    copy_hespress: int
    copy_assabah: int
    copy_hespress_again: int

    @property
    def copies(self) -> tuple[int, int, int]:
        return (self.copy_hespress, self.copy_assabah, self.copy_hespress_again)


SYNDICATED_TITLE = "وزارة الداخلية تعلن موعد الانتخابات الجماعية"


def add_syndicated(store: Store, story_id: int = 9) -> Syndicated:
    """An original by the agency and its copies, linked by ``duplicate_of`` as deduplication leaves them."""
    carriers = [
        ("agency", "وكالة المغرب العربي للأنباء", "https://www.mapexpress.ma/politique/elections", "09:00"),
        ("hespress", "هسبريس", "https://www.hespress.ma/elections-map", "10:00"),
        ("assabah", "الصباح", "https://assabah.ma/elections-map", "11:00"),
        ("hespress-again", "هسبريس", "https://www.hespress.ma/elections-map-2", "12:00"),
    ]
    ids: list[int] = []
    for key, site, url, clock in carriers:
        article = Article(
            title=SYNDICATED_TITLE,
            body_paragraphs=("أعلنت وزارة الداخلية، اليوم الاثنين، موعد إجراء الانتخابات الجماعية المقبلة.",),
            language="ar",
            site_name=site,
            url=url,
            published=f"2024-11-04T{clock}:00+01:00",
            story_id=story_id,
            duplicate_of=ids[0] if ids else None,
        )
        ids.append(store_article(store, key, article))
    return Syndicated(*ids)


ROUNDUP_TITLE = "حصاد اليوم: أبرز الأخبار"


def add_roundup(store: Store, text: Syndicated) -> int:
    """A roundup by another site printing the agency text whole, linked as deduplication leaves it."""
    article = Article(
        title=ROUNDUP_TITLE,
        body_paragraphs=(
            "إليكم أبرز ما تناولته الأخبار اليوم.",
            "أعلنت وزارة الداخلية، اليوم الاثنين، موعد إجراء الانتخابات الجماعية المقبلة.",
            "وفي الرياضة، فاز المنتخب الوطني على ضيفه بهدفين دون رد.",
        ),
        language="ar",
        site_name="اليوم 24",
        url="https://alyaoum24.com/roundup-1",
        published="2024-11-04T13:00:00+01:00",
        duplicate_of=text.original,
        duplicate_kind="contains",
    )
    return store_article(store, "roundup", article)


def store_article(store: Store, key: str, article: Article) -> int:
    """Store ``article`` (raw document, article row, search index) in one transaction; its id.

    As ingest does, the article is filed under the section its URL names.
    """
    article = with_section(article)
    with store.transaction() as connection:
        raw_id = documents.insert_raw(connection, Document(location=f"test:{key}", data=key.encode()), None)
        article_id, _ = article_rows.upsert_article(connection, f"test:{key}", raw_id, article, None)
        search_index.index_article(connection, article_id, article, None)
    return article_id
