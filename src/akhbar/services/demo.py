"""The bundled demo set (``akhbar demo``, ``make demo``): every feature on the first screen, offline.

- the specimen page and a few real pages (``demo/``, ``demo/fundus``, ``demo/trafilatura``);
- multi-language stories: English news articles with their professional Arabic and French
  translations (``demo/parallel``, NTREX-128, CC BY-SA 4.0): the Sulawesi earthquake told by four
  outlets (the grouping joins the two death-toll reports and keeps the aid-policy and rescue reports
  apart), two stories told by two outlets, one alone; each translation is credited to its outlet
  and to the NTREX translators;
- syndicated copies: one Reuters text carried word for word by two other (demo) sites;
- an editor's article with a photo, the photo going through the image pipeline from a local file
  (``demo/newsroom/harbour.jpg``, drawn with Pillow by ``scripts/demo_data.py``, CC0), and the
  editors' explainer on the death-toll story with their locator map (``sulawesi-map.png``, drawn
  the same way), so the lead story on the front page has its picture;
- a breaking flag on the death-toll story (on its newest English article).

Publication times are set relative to the load (the newest a few minutes old), so the front page
looks like a morning's news; loading again moves them and updates the articles in place.
Nothing here touches the network.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from akhbar.config import Settings
from akhbar.extract import editorial as editorial_form
from akhbar.extract.pagefiles import demo_directory
from akhbar.models import Document
from akhbar.services import breaking, images
from akhbar.services.ingest import IngestResult, ahead, finished, ingest_document, ingest_paths, stage
from akhbar.services.stories import Grouping
from akhbar.store import Store

__all__ = ["DemoLoaded", "demo_directory", "load_demo"]

OUTLETS = {
    "nytimes": "The New York Times",
    "reuters": "Reuters",
    "euronews-en": "Euronews",
    "telegraph": "The Telegraph",
    "rt.com": "RT",
    "cbsnews": "CBS News",
    "abcnews": "ABC News",
}
TRANSLATED_BY = {"ar": "ترجمة NTREX", "fr": "traduction NTREX"}
# hours before the load at which each English original was published
HOURS_AGO = {
    "nytimes.184837": 6.0,
    "reuters.218863": 4.5,
    "euronews-en.153835": 2.0,
    "telegraph.405422": 1.2,
    "rt.com.91337": 9.0,
    "reuters.218932": 7.0,
    "cbsnews.248387": 12.0,
    "reuters.218909": 10.5,
    "abcnews.306764": 15.0,
}
TRANSLATION_DELAY = {"en": timedelta(0), "fr": timedelta(minutes=25), "ar": timedelta(minutes=40)}
# (document, site, minutes after the original): the same text carried by other sites
COPIES = (("reuters.218863", "The Demo Herald", 35), ("reuters.218863", "Demo Wire Daily", 55))
BREAKING = "euronews-en.153835"
BREAKING_HOURS = 6
EDITORIAL_KEY = "demo-newsroom"
EDITORIAL = editorial_form.Draft(
    title="من غرفة التحرير: قصة واحدة بثلاث لغات على «أخبار»",
    body=(
        "تجمع «أخبار» ما تنشره المصادر بالعربية والفرنسية والإنجليزية، وتضع المقالات التي تروي الحدث نفسه"
        " في قصة واحدة، مهما كانت لغتها.\n"
        "في كل قصة ترون من نشر الخبر أولا، والنسخ التي نقلت النص نفسه حرفيا، وعدد المصادر واللغات التي"
        " تناولته.\n"
        "الصورة المرفقة محفوظة على خادم «أخبار» نفسه: لا يتصل متصفح القارئ بأي موقع آخر لعرضها، وقد"
        " حذفت منها كل البيانات الوصفية.\n"
        "هذا المقال مثال لما يكتبه المحررون في غرفة التحرير على العنوان /admin/."
    ),
    language="ar",
    site_name="akhbar",
    authors=("غرفة تحرير أخبار",),
    image_caption="ميناء عند الشروق، رسم توضيحي أنشئ للعرض التجريبي",
)
PHOTO_CREDIT = "akhbar (CC0)"
PHOTO_ALT = "ميناء عند الشروق: منارة وقوارب شراعية على البحر"
# The editors' explainer on the lead story, with their locator map: the story's photo on the front page.
EXPLAINER_KEY = "demo-newsroom-sulawesi"
EXPLAINER = editorial_form.Draft(
    title="زلزال سولاويسي وتسونامي بالو: 832 قتيلا وما نعرفه حتى الآن",
    body=(
        "ضرب زلزال بقوة 7.5 درجات جزيرة سولاويسي في إندونيسيا يوم الجمعة، وتبعته موجات تسونامي بلغ"
        " ارتفاعها ستة أمتار، اجتاحت مدينة بالو الساحلية في آخر خليجها الضيق وبلدة دونغالا.\n"
        "وقالت هيئة مكافحة الكوارث في إندونيسيا إن عدد الوفيات جراء الزلزال والتسونامي ارتفع إلى 832، وإن"
        " كثيرا من الأشخاص ما زالوا تحت أنقاض المباني المنهارة، بحسب المتحدث باسمها سوتوبو بورو نوجروهو.\n"
        "ويعيش في مدينة بالو أكثر من 380,000 شخص، وتغطي الأنقاض أحياء منها، فيما تحاول فرق الإنقاذ الوصول"
        " إلى المناطق المعزولة.\n"
        "تبيّن الخريطة المرفقة الموقع التقريبي لمركز الزلزال شمال بالو، ومواقع المدن التي ضربتها الأمواج.\n"
        "تجمع «أخبار» في هذه القصة ما نشرته الوكالات والصحف بالعربية والفرنسية والإنجليزية عن الزلزال"
        " والتسونامي، وتبيّن من نشر الخبر أولا."
    ),
    language="ar",
    site_name="akhbar",
    authors=("غرفة تحرير أخبار",),
    image_caption="خريطة توضيحية: مركز الزلزال شمال مدينة بالو في سولاويسي الوسطى (مواقع تقريبية)",
)
MAP_ALT = "خريطة لوسط جزيرة سولاويسي عليها مركز الزلزال شمال بالو ومدينتا بالو ودونغالا"


@dataclass(frozen=True)
class DemoLoaded:
    """What the load did: each page's outcome, the editor's article, its photo, the flag and the
    editors' explainer on the flagged story (with its map)."""

    results: list[IngestResult]
    editorial_id: int | None
    photo: images.StoredImage | None
    breaking_id: int | None
    explainer_id: int | None = None


def _page(title: str, paragraphs: list[str], language: str, site: str, published: datetime) -> bytes:
    direction = "rtl" if language == "ar" else "ltr"
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip())
    return (
        f'<!doctype html><html lang="{language}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f'<meta property="og:title" content="{html.escape(title)}">'
        f'<meta property="og:site_name" content="{html.escape(site)}">'
        f'<meta property="article:published_time" content="{published.isoformat(timespec="seconds")}">'
        f"</head><body><article><h1>{html.escape(title)}</h1>\n{body}\n</article></body></html>"
    ).encode()


def _site(doc_id: str, language: str) -> str:
    outlet = OUTLETS[doc_id.rsplit(".", 1)[0]]
    return outlet if language == "en" else f"{outlet} · {TRANSLATED_BY[language]}"


def parallel_documents(now: datetime) -> Iterator[Document]:
    """The parallel-news subset as pages, originals and translations, then the syndicated copies."""
    lines = (demo_directory() / "parallel" / "docs.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [json.loads(line) for line in lines if line.strip()]
    for doc in docs:
        doc_id, language = doc["group"].removeprefix("ntrex128:"), doc["lang"]
        when = now - timedelta(hours=HOURS_AGO[doc_id]) + TRANSLATION_DELAY[language]
        data = _page(doc["title"], doc["text"].split("\n"), language, _site(doc_id, language), when)
        yield Document(f"demo/parallel/{doc_id}.{language}.html", data, "text/html; charset=utf-8")
    for doc_id, site, minutes in COPIES:
        original = next(d for d in docs if d["group"] == f"ntrex128:{doc_id}" and d["lang"] == "en")
        when = now - timedelta(hours=HOURS_AGO[doc_id]) + timedelta(minutes=minutes)
        data = _page(original["title"], original["text"].split("\n"), "en", site, when)
        slug = site.lower().replace(" ", "-")
        yield Document(f"demo/parallel/{doc_id}.{slug}.html", data, "text/html; charset=utf-8")


@dataclass(frozen=True)
class _Written:
    """An editors' article of the demo and the local picture that goes with it."""

    key: str
    draft: editorial_form.Draft
    picture: str  # under demo/newsroom/
    alt: str
    minutes_ago: int


WRITTEN = (
    _Written(EDITORIAL_KEY, EDITORIAL, "harbour.jpg", PHOTO_ALT, 20),
    _Written(EXPLAINER_KEY, EXPLAINER, "sulawesi-map.png", MAP_ALT, 50),
)


def _editorial(
    store: Store, settings: Settings, grouping: Grouping, now: datetime, written: _Written
) -> tuple[int | None, images.StoredImage | None]:
    """An editors' article, then its picture from a local file through the image pipeline."""
    published = (now - timedelta(minutes=written.minutes_ago)).isoformat(timespec="seconds")
    draft = replace(written.draft, published=published)
    document = editorial_form.document(written.key, draft, revision=1, saved_by="demo", saved_at=now)
    result = ingest_document(store, document, grouping=grouping)
    if result.article_id is None:
        return None, None
    data = (demo_directory() / "newsroom" / written.picture).read_bytes()
    photo = images.store_image(
        store, settings, data, alt=written.alt, caption=draft.image_caption, credit=PHOTO_CREDIT
    )
    if not isinstance(photo, images.StoredImage):
        return result.article_id, None
    images.attach(store, result.article_id, photo.id)
    return result.article_id, photo


def _flag(store: Store, article_id: int | None, now: datetime) -> int | None:
    if article_id is None:
        return None
    if any(f.article_id == article_id for f in breaking.list_flags(store, active_only=True)):
        return article_id
    until = now + timedelta(hours=BREAKING_HOURS)
    breaking.flag_article(store, article_id, until, story=True, note="demo", created_by="demo")
    return article_id


def load_demo(store: Store, grouping: Grouping, settings: Settings) -> DemoLoaded:
    """Load the demo set into ``store`` (photos under the settings' data directory)."""
    now = datetime.now(UTC)
    results = list(ingest_paths(store, [str(demo_directory())], grouping=grouping))
    documents = list(parallel_documents(now))
    placed = list(
        finished(store, ahead(store, documents, lambda d: stage(store, d, grouping=grouping)), grouping)
    )
    results += placed
    by_location = {r.location: r.article_id for r in placed}
    editorial_id, photo = _editorial(store, settings, grouping, now, WRITTEN[0])
    explainer_id, _ = _editorial(store, settings, grouping, now, WRITTEN[1])
    flagged = _flag(store, by_location.get(f"demo/parallel/{BREAKING}.en.html"), now)
    return DemoLoaded(results, editorial_id, photo, flagged, explainer_id)
