"""The tables put together: every family and product, and what each product may be made of and have."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from lstm_edge.train.catalogue.schema import Family, Item
from lstm_edge.train.catalogue.tables.accessories import ACCESSORIES
from lstm_edge.train.catalogue.tables.apparel import APPAREL
from lstm_edge.train.catalogue.tables.colours import PALETTES
from lstm_edge.train.catalogue.tables.kids import KIDSWEAR
from lstm_edge.train.catalogue.tables.locales import US_PHRASES
from lstm_edge.train.catalogue.tables.materials import MATERIALS
from lstm_edge.train.catalogue.tables.occasions import KIDS_AUDIENCES
from lstm_edge.train.catalogue.tables.plurals import PLURAL_HEADS

FAMILIES: tuple[Family, ...] = APPAREL + ACCESSORIES + KIDSWEAR
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(family.category for family in FAMILIES))
PRODUCTS: tuple[tuple[Family, Item], ...] = tuple((family, item) for family in FAMILIES for item in family.items)
SEASONS_OF_WARMTH = {
    "light": ("spring", "summer"),
    "warm": ("autumn", "winter"),
    "all": ("spring", "summer", "autumn", "winter"),
}


@cache
def products_of(category: str) -> tuple[tuple[Family, Item], ...]:
    return tuple((family, item) for family, item in PRODUCTS if family.category == category)


@cache
def families_of(category: str) -> tuple[Family, ...]:
    return tuple(family for family in FAMILIES if family.category == category)


def is_plural(name: str) -> bool:
    """'jeans', 'ankle boots', 'hoop earrings': a pair or a plural noun."""
    return name.split()[-1].lower() in PLURAL_HEADS


def is_kids(family: Family) -> bool:
    return all(audience in KIDS_AUDIENCES for audience in family.audiences)


def materials_of(family: Family, item: Item) -> tuple[str, ...]:
    return item.materials or family.materials


def details_of(family: Family, item: Item) -> tuple[str, ...]:
    """What the item can have, the most telling first: the details only its family has (in table order),
    then those it shares with other families, then those only this item has.

    The grammar draws the first ones most often (grammar.pick_typical), so each family is known by details
    of its own and no shared detail ("an elasticated waist") becomes the one every product gets.
    """
    shared = _shared_details()
    own = tuple(d for d in family.details if d not in shared)
    return (
        own
        + tuple(d for d in family.details if d in shared)
        + tuple(d for d in item.details if d not in family.details)
    )


@cache
def _shared_details() -> frozenset[str]:
    """Details that more than one family names (for any of its items)."""
    families: dict[str, int] = {}
    for family in FAMILIES:
        for detail in {*family.details, *(d for item in family.items for d in item.details)}:
            families[detail] = families.get(detail, 0) + 1
    return frozenset(detail for detail, count in families.items() if count > 1)


def audiences_of(family: Family, item: Item) -> tuple[str, ...]:
    return item.audiences or family.audiences


def palette_of(family: Family) -> tuple[str, ...]:
    return PALETTES[family.palette]


def warmth_of(material: str) -> str:
    return MATERIALS[material].warmth


@cache
def _us_pattern() -> re.Pattern[str]:
    phrases = sorted(US_PHRASES, key=len, reverse=True)
    return re.compile(
        r"(?<![\w'-])(" + "|".join(re.escape(phrase) for phrase in phrases) + r")(?![\w-])", re.IGNORECASE
    )


def us_spelling(text: str) -> str:
    """The US form of UK text: 'grey jumper' -> 'gray sweater'; a capital first letter is kept."""

    def replace(match: re.Match[str]) -> str:
        found = match.group(1)
        us = US_PHRASES[found.lower()]
        return us[0].upper() + us[1:] if found[0].isupper() else us

    return _us_pattern().sub(replace, text)


@cache
def words_of(phrase: str) -> frozenset[str]:
    """The content words of a phrase, for telling whether two phrases repeat each other."""
    return frozenset(phrase.lower().replace("-", " ").split()) - {
        "a",
        "an",
        "the",
        "and",
        "with",
        "at",
        "of",
        "in",
        "to",
    }


def without_repeats(pool: Sequence[str], *avoid: str) -> list[str]:
    """Options sharing no word with any of `avoid`: no 'wrap wrap skirt', no 'brushed brushed cotton'."""
    taken = frozenset().union(*(words_of(text) for text in avoid))
    return [option for option in pool if words_of(option).isdisjoint(taken)]


def _phrases() -> list[str]:
    details = [
        d
        for family in FAMILIES
        for d in (*family.shapes, *family.details, *(x for i in family.items for x in i.details))
    ]
    names = [
        *MATERIALS,
        *(item.name for _, item in PRODUCTS),
        *(c for palette in PALETTES.values() for c in palette),
        *details,
    ]
    spellings = [*names, *(us_spelling(name) for name in names)]
    return [" ".join(w for w in name.lower().split() if w not in ("a", "an")) for name in spellings]


# The starts (two words or more) of every phrase the tables know: words put before a material or a product
# must not read as another phrase with it ("smooth" + "leather", "camel" + "hair ties", "Fair Isle" + "sweater").
PHRASE_STARTS = frozenset(" ".join(words[:n]) for words in map(str.split, _phrases()) for n in range(2, len(words) + 1))
