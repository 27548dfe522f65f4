"""Template cables: texts agencies and press offices send again and again with other names in them.

Each template is written as such cables are (a head of state's congratulations on another
country's national day, a police release on another burglary, a ministry's note on another
ambassador's visit, a region's daily case count, a king's condolences to another family) and
filled with other countries, people, places and numbers. Two cables of one template are different
news: the duplicates set counts any link between them as a false copy.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from akhbar.bench.quality.stories import Item


@dataclass(frozen=True)
class Template:
    language: str
    title: str
    paragraphs: tuple[str, ...]
    fills: tuple[dict[str, str], ...]


CONGRATULATIONS_AR = Template(
    "ar",
    "القيادة تهنئ رئيس {country} بذكرى استقلال بلاده",
    (
        "بعث خادم الحرمين الشريفين برقية تهنئة لفخامة الرئيس {president} رئيس {country}، بمناسبة ذكرى"
        " استقلال بلاده.",
        "وأعرب في البرقية عن أصدق التهاني وأطيب التمنيات بالصحة والسعادة لفخامته، ولحكومة وشعب"
        " {country} {people} المزيد من التقدم والازدهار.",
        "كما بعث ولي العهد برقية تهنئة مماثلة لفخامة الرئيس {president}، متمنياً له موفور الصحة"
        " والسعادة، ولشعب {country} {people} اطراد التقدم والازدهار.",
        "وتحتفل {country} في {day} من {month} من كل عام بذكرى استقلالها.",
    ),
    tuple(
        {"country": country, "president": president, "people": people, "day": day, "month": month}
        for country, president, people, day, month in (
            ("فنلندا", "ساولي نينيستو", "الصديق", "6", "ديسمبر"),
            ("سورينام", "تشان سانتوخي", "الصديق", "25", "نوفمبر"),
            ("موريتانيا", "محمد ولد الغزواني", "الشقيق", "28", "نوفمبر"),
            ("ألبانيا", "إلير ميتا", "الصديق", "28", "نوفمبر"),
            ("لبنان", "ميشال عون", "الشقيق", "22", "نوفمبر"),
        )
    ),
)  # fmt: skip

POLICE_EN = Template(
    "en",
    "POL-S: Burglary in {street}, {district}",
    (
        "{district} ({date}) - Unknown persons broke into a {place} on {street} between {start} and {end}"
        " on {day}.",
        "The burglars levered open a {way} and searched the rooms. According to initial findings they stole"
        " {loot} worth around {amount} euros.",
        "The criminal investigation department of {district} police station is investigating and asks"
        " witnesses to call {phone}.",
    ),
    (
        {"street": "Olgastrasse", "district": "Stuttgart-Mitte", "date": "12.03.2024", "place": "flat",
         "start": "08:00", "end": "17:30", "day": "Monday", "way": "balcony door", "loot": "jewellery",
         "amount": "2,000", "phone": "0711 8990-3100"},
        {"street": "Hauptstaetter Strasse", "district": "Stuttgart-Sued", "date": "14.03.2024",
         "place": "shop", "start": "20:00", "end": "06:15", "day": "Wednesday", "way": "back window",
         "loot": "cash", "amount": "1,500", "phone": "0711 8990-3500"},
        {"street": "Koenigstrasse", "district": "Stuttgart-West", "date": "15.03.2024", "place": "flat",
         "start": "10:00", "end": "13:45", "day": "Thursday", "way": "front door", "loot": "a laptop",
         "amount": "900", "phone": "0711 8990-3700"},
        {"street": "Pragstrasse", "district": "Stuttgart-Nord", "date": "18.03.2024", "place": "kiosk",
         "start": "22:00", "end": "05:30", "day": "Sunday", "way": "side door", "loot": "cigarettes",
         "amount": "3,200", "phone": "0711 8990-3200"},
    ),
)  # fmt: skip

AMBASSADOR_FR = Template(
    "fr",
    "Le ministre reçoit l'ambassadeur {of}{country}",
    (
        "Le ministre des Affaires étrangères, {minister}, a reçu {day} à Rabat l'ambassadeur {of}{country},"
        " {ambassador}, qui lui a remis une copie figurée de ses lettres de créance.",
        "Les deux responsables ont passé en revue l'état des relations bilatérales entre le Maroc et {the}"
        "{country} et les moyens de les renforcer dans les domaines économique, culturel et de la"
        " coopération.",
        "{ambassador} a salué la qualité des relations entre les deux pays, qui célèbrent cette année le"
        " {anniversary}e anniversaire de l'établissement de leurs relations diplomatiques.",
    ),
    (
        {"minister": "Nasser Bourita", "day": "lundi", "of": "de la ", "the": "la ", "country": "Finlande",
         "ambassador": "Pekka Hyvönen", "anniversary": "60"},
        {"minister": "Nasser Bourita", "day": "mardi", "of": "du ", "the": "le ", "country": "Chili",
         "ambassador": "Claudia Rojas", "anniversary": "55"},
        {"minister": "Nasser Bourita", "day": "jeudi", "of": "de l'", "the": "l'", "country": "Indonésie",
         "ambassador": "Hamdan Sutrisno", "anniversary": "65"},
        {"minister": "Nasser Bourita", "day": "vendredi", "of": "du ", "the": "le ", "country": "Ghana",
         "ambassador": "Kwame Mensah", "anniversary": "48"},
    ),
)  # fmt: skip

CASES_AR = Template(
    "ar",
    "{region}: تسجيل {cases} إصابة جديدة و{deaths} وفيات خلال 24 ساعة",
    (
        "أعلنت المديرية الجهوية للصحة بولاية {region} عن تسجيل {cases} إصابة جديدة بفيروس كورونا خلال"
        " الأربع والعشرين ساعة الماضية، من بين {tests} تحليلاً مخبرياً.",
        "وأضافت المديرية في بلاغها أن عدد الوفيات ارتفع إلى {deaths} حالات، فيما تماثل {recovered} مصاباً"
        " للشفاء، ودعت المواطنين إلى الالتزام بالإجراءات الوقائية.",
    ),
    tuple(
        {"region": region, "cases": cases, "deaths": deaths, "tests": tests, "recovered": recovered}
        for region, cases, deaths, tests, recovered in (
            ("صفاقس", "112", "3", "640", "57"),
            ("سوسة", "87", "2", "512", "41"),
            ("نابل", "64", "4", "398", "33"),
            ("بنزرت", "45", "1", "276", "29"),
        )
    ),
)

CONDOLENCES_AR = Template(
    "ar",
    "برقية عزاء من جلالة الملك إلى أسرة الفقيد {name}",
    (
        "بعث جلالة الملك برقية تعزية ومواساة إلى أفراد أسرة الفقيد {name}، الذي وافته المنية عن عمر"
        " يناهز {age} عاماً.",
        "ومما جاء في هذه البرقية: وقد تلقينا ببالغ التأثر والأسى نبأ وفاة المشمول بعفو الله {name}،"
        " تغمده الله بواسع رحمته، الذي كرس حياته لخدمة {field}.",
        "وإننا إذ نعرب لكم عن أحر تعازينا، لنسأل الله تعالى أن يلهمكم جميل الصبر وحسن العزاء.",
    ),
    tuple(
        {"name": name, "age": age, "field": field}
        for name, age, field in (
            ("عبد الرحمن اليوسفي", "96", "الوطن"),
            ("محمد بنعيسى", "87", "الثقافة والفن"),
            ("أحمد الطيب العلج", "84", "المسرح"),
        )
    ),
)

TEMPLATES = (CONGRATULATIONS_AR, POLICE_EN, AMBASSADOR_FR, CASES_AR, CONDOLENCES_AR)


def cables(templates: Sequence[Template] = TEMPLATES) -> list[Item]:
    """Every template filled with each of its fills: one item per cable."""
    found = []
    for number, template in enumerate(templates):
        for fill in template.fills:
            found.append(
                Item(
                    template.title.format(**fill),
                    tuple(p.format(**fill) for p in template.paragraphs),
                    template.language,
                    f"cable:{number}",
                )
            )
    return found


def shuffled(items: list[Item], seed: int) -> list[Item]:
    rng = random.Random(seed)
    return rng.sample(items, len(items))
