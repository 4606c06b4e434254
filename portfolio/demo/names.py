"""Name pools for demo clients and people, across the scripts the app must handle.

The first clients of every demo are drawn one from each pool, so even the default
40-client book has accented Latin, Polish, Greek, Cyrillic and Japanese names in it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    key: str
    currency: str
    weight: int
    stems: tuple[str, ...]
    #: Name endings by vertical; verticals missing here fall back to "other".
    endings: dict[str, tuple[str, ...]]
    regions: tuple[str, ...]


LOCALES: tuple[Locale, ...] = (
    Locale(
        "us",
        "USD",
        55,
        (
            "Summit",
            "Harbor",
            "Pioneer",
            "Liberty",
            "Cedar",
            "Granite",
            "Evergreen",
            "Keystone",
            "Bluewater",
            "Northfield",
            "Prairie",
            "Ironwood",
            "Lakeshore",
            "Beacon",
            "Red Rock",
            "Silver Creek",
            "Meridian",
            "Heartland",
            "Cascade",
            "Frontier",
            "Blue Ridge",
            "Magnolia",
            "Sandpiper",
            "Copperline",
            "Oakmont",
        ),
        {
            "insurance": ("Mutual Insurance", "Life & Annuity", "Assurance Group", "Casualty Co."),
            "healthcare_benefits": ("Health Plans", "Benefits Trust", "Care Alliance"),
            "banking": ("Federal Credit Union", "Savings Bank", "Members Club"),
            "election": ("County Elections Office", "Board of Elections"),
            "retail": ("Outfitters", "Home Goods", "Market"),
            "other": ("Holdings", "Group"),
        },
        (
            "Ohio",
            "Texas",
            "Oregon",
            "Maine",
            "Iowa",
            "Utah",
            "Nevada",
            "Georgia",
            "Vermont",
            "Kansas",
            "Idaho",
            "Montana",
            "Alaska",
            "Florida",
            "Arizona",
            "Michigan",
            "Virginia",
            "Colorado",
            "Kentucky",
            "Delaware",
        ),
    ),
    Locale(
        "fr_de",
        "EUR",
        10,
        (
            "Crédit Côtier",
            "Mutuelle Éole",
            "Prévoyance Léman",
            "Müller & Söhne",
            "Köhler",
            "Schröder",
            "Hélène Dufresne",
            "Bâloise Rhône",
            "Grünwald",
            "Sées",
        ),
        {
            "insurance": ("Assurances", "Versicherung AG", "Prévoyance"),
            "healthcare_benefits": ("Santé Collective", "Krankenkasse"),
            "banking": ("Banque Populaire", "Sparkasse"),
            "other": ("Gruppe", "Société"),
        },
        ("Lyon", "Genève", "Zürich", "Köln", "Nîmes", "Besançon", "Düsseldorf", "Orléans"),
    ),
    Locale(
        "pl",
        "PLN",
        8,
        ("Łódzkie", "Gdańskie", "Krakowskie", "Wrocławskie", "Poznańskie", "Śląskie"),
        {
            "insurance": ("Ubezpieczenia S.A.", "Towarzystwo Ubezpieczeń Wzajemnych"),
            "banking": ("Bank Spółdzielczy", "Kasa Oszczędnościowa"),
            "other": ("Przedsiębiorstwo",),
        },
        ("Zachód", "Wschód", "Północ", "Południe", "Centrum"),
    ),
    Locale(
        "el",
        "EUR",
        6,
        ("Αθηναϊκή", "Ολυμπιακή", "Αιγαίο", "Ερμής", "Ποσειδών"),
        {
            "insurance": ("Ασφαλιστική", "Ασφάλειες Ζωής"),
            "banking": ("Τράπεζα", "Συνεταιριστική Τράπεζα"),
            "other": ("Όμιλος",),
        },
        ("Αθήνα", "Πάτρα", "Θεσσαλονίκη", "Ηράκλειο"),
    ),
    Locale(
        "bg",
        "EUR",
        6,
        ("Софийска", "Пловдивска", "Варненска", "Балканска", "Дунавска"),
        {
            "insurance": ("застрахователна компания", "Застраховане"),
            "banking": ("банка", "Кооперативна банка"),
            "other": ("Холдинг",),
        },
        ("София", "Пловдив", "Варна", "Бургас"),
    ),
    Locale(
        "ja",
        "JPY",
        7,
        ("東京", "大阪", "名古屋", "横浜", "札幌", "福岡", "京都"),
        {
            "insurance": ("生命保険", "損害保険"),
            "healthcare_benefits": ("健康保険組合",),
            "banking": ("銀行", "信用金庫"),
            "other": ("ホールディングス",),
        },
        ("本社", "東日本", "西日本", "中部"),
    ),
    Locale(
        "uk",
        "GBP",
        8,
        ("Thames", "Pennine", "Cotswold", "Severn", "Highland", "Tyneside", "Chiltern"),
        {
            "insurance": ("Assurance plc", "Friendly Society"),
            "banking": ("Building Society", "Members Bank"),
            "healthcare_benefits": ("Health Cash Plan",),
            "other": ("Group plc",),
        },
        ("North", "South", "Wales", "Scotland", "Midlands"),
    ),
)

#: One per script; the first clients of any demo come from these, in this order.
SHOWCASE = ("fr_de", "pl", "el", "bg", "ja", "us", "uk")

FIRST_NAMES = (
    "Avery",
    "Jordan",
    "María José",
    "Zoë",
    "Łukasz",
    "Søren",
    "Aiko",
    "Dmitri",
    "Chloé",
    "Priya",
    "Mateo",
    "Grace",
    "Olumide",
    "Hannah",
    "Kenji",
    "Sofía",
    "Liam",
    "Agnieszka",
    "Noah",
    "Amélie",
    "Ravi",
    "Elena",
    "Tomás",
    "Yuki",
    "Fatima",
    "Oskar",
    "Isla",
    "Nikos",
)
LAST_NAMES = (
    "Ellis",
    "Nakamura",
    "Kowalczyk",
    "García",
    "Müller",
    "Okafor",
    "Lindqvist",
    "Brennan",
    "Papadopoulos",
    "Ivanova",
    "Chen",
    "Dubois",
    "Haddad",
    "O'Neill",
    "Rossi",
    "Novák",
    "Schmidt",
    "Patel",
    "Andersen",
    "Moreau",
    "Takahashi",
    "Wiśniewski",
    "Costa",
    "Hughes",
)


def person_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct full names, deterministic for the generator's state."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name in seen:
            name = f"{name} {len(names) + 1}"
        seen.add(name)
        names.append(name)
    return names


class ClientNamer:
    """Hands out unique client names: stem + ending, then with a region, then numbered."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self._weights = [locale.weight for locale in LOCALES]

    def pick_locale(self, index: int) -> Locale:
        if index < len(SHOWCASE):
            return next(locale for locale in LOCALES if locale.key == SHOWCASE[index])
        return self.rng.choices(LOCALES, weights=self._weights)[0]

    def name(self, locale: Locale, vertical: str) -> str:
        endings = locale.endings.get(vertical) or locale.endings["other"]
        for _ in range(12):
            stem = self.rng.choice(locale.stems)
            ending = self.rng.choice(endings)
            for candidate in (
                f"{stem} {ending}",
                f"{stem} {ending} {self.rng.choice(locale.regions)}",
            ):
                if candidate not in self.used:
                    self.used.add(candidate)
                    return candidate
        base = f"{self.rng.choice(locale.stems)} {self.rng.choice(endings)}"
        number = 2
        while f"{base} {number}" in self.used:
            number += 1
        self.used.add(f"{base} {number}")
        return f"{base} {number}"

    @staticmethod
    def verticals_for(locale: Locale) -> tuple[str, ...]:
        return tuple(v for v in locale.endings if v != "other") or ("other",)
