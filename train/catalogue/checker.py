"""Is a description coherent? A checker built on the corpus tables.

It reads a text as the tokenizer does and finds the phrases the tables know: products ("trench coat"),
colours, materials, attributes (shapes and details), occasions, seasons, audiences, and words naming a
kind of part ("neckline", "sole", "clasp"). The first product named is the one described. Modifiers
right before another product's noun belong to that product ("pair it with *white* sneakers"); all
others belong to the described one, which must then:

- be one product: no two product nouns in a row ("hoop earrings shorts"), no "this"/"these" before
  another family's noun;
- tell one colour story: one colour (a metal's tone counts), from its family's palette;
- be made of one material its product can be made of;
- have only attributes its family has, and only kinds of part its family has;
- be for an audience, an occasion and a season that suit it (and its material's warmth).

    >>> check("A leather crossbody bag with a v-neckline.").problems
    ('bags have no neckline',)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from lstm_edge.runtime.tokenizer import SENTENCE_END, split_words
from lstm_edge.train.catalogue import lexicon
from lstm_edge.train.catalogue.schema import Family, Item, Material
from lstm_edge.train.catalogue.tables import sentences as text
from lstm_edge.train.catalogue.tables.colours import PALETTES
from lstm_edge.train.catalogue.tables.materials import MATERIALS
from lstm_edge.train.catalogue.tables.occasions import (
    AUDIENCES,
    COLD_WEATHER,
    KIDS_AUDIENCES,
    OCCASIONS,
    STYLES,
    WARM_WEATHER,
)
from lstm_edge.train.catalogue.tables.parts import NOT_ATTRIBUTES, SLOTS

ITEM, COLOUR, MATERIAL, ATTRIBUTE, OCCASION, SEASON, AUDIENCE, PART, NEUTRAL = (
    "item", "colour", "material", "attribute", "occasion", "season", "audience", "part", "neutral",
)  # fmt: skip
MODIFIERS = (COLOUR, MATERIAL, ATTRIBUTE, AUDIENCE, PART)
SEASON_WORDS = {"spring": "spring", "summer": "summer", "autumn": "autumn", "fall": "autumn", "winter": "winter"}
DETERMINERS = ("a", "an", "the", "our", "your", "this", "these", "its", "their")
SWITCHING = ("this", "these")  # "this dress" after a coat is a second product
# Shapes too common to tell a family by ("a wardrobe essential", "dry flat", "wide feet"): not checked.
GENERIC_WORDS = frozenset(
    {"flat", "wide", "washed", "petite", "short", "long", "plain", "casual", "smart", "mini", "water-resistant"}
    | {"fitted", "straight", "opaque", "relaxed", "knitted", "lined", "round", "baggy"}
)
PRODUCT, CATEGORY = "product", "category"  # how strictly: what the product can have, or anything its category can


@dataclass(frozen=True)
class Mention:
    kind: str
    value: str  # the phrase's key; the group for OCCASION and AUDIENCE, the kind for PART, the season for SEASON
    start: int  # token span
    end: int


@dataclass(frozen=True)
class Verdict:
    """What the checker found: the product's category (None when the text names no product) and problems."""

    category: str | None
    problems: tuple[str, ...] = field(default=())

    @property
    def coherent(self) -> bool:
        return self.category is not None and not self.problems


def check(description: str, level: str = PRODUCT) -> Verdict:
    """Check one description (or a prompt and its continuation).

    At the PRODUCT level (the default; every corpus row passes it) a trench coat may have only what its
    family and item list; at the CATEGORY level (issue 14's bar for a model) anything some outerwear has.
    Contradictions (two products, colours or materials) count at both levels.
    """
    tokens = split_words(description)
    mentions = find_mentions(tokens)
    items = [m for m in mentions if m.kind == ITEM]
    if not items:
        return Verdict(None, ("names no product",))
    owners = _owners(tokens, mentions)
    product = _resolve(items[0], mentions, owners)
    if level == CATEGORY:
        product = _categories()[product.family.category, product.group]
    problems: list[str] = []
    problems += _one_product(tokens, items, mentions, owners, product)
    said = (*MODIFIERS, OCCASION, SEASON)
    own = [m for m in mentions if m.kind in said and _belongs(m, owners, items, product)]
    problems += _colour_story(product, own)
    materials = _materials(product, own, problems)
    problems += _attributes(product, own)
    problems += _fit_for(product, own, materials)
    return Verdict(product.family.category, tuple(dict.fromkeys(problems)))


def find_mentions(tokens: list[str]) -> list[Mention]:
    """Known phrases, longest first at each position, left to right; leftover part words too."""
    phrases, longest = _phrase_index()
    mentions: list[Mention] = []
    position = 0
    while position < len(tokens):
        for length in range(min(longest, len(tokens) - position), 0, -1):
            found = phrases.get(tuple(tokens[position : position + length]))
            if found:
                kind, value = found
                mentions.append(Mention(kind, value, position, position + length))
                position += length
                break
        else:
            position += 1
    return mentions


@dataclass(frozen=True)
class _Product:
    """The described product and what it may be and have (phrase keys, every spelling): at the product level
    what its family and any item of its name list, at the category level what any of the category has."""

    family: Family
    group: str  # "adult", "kids" or "baby"
    name: str
    families: frozenset[int]  # id() of the families it stands for
    materials: frozenset[str]
    attributes: frozenset[str]
    audiences: frozenset[str]
    palette: frozenset[str]
    metal: bool  # a metal's tone is its colour
    slots: frozenset[str]
    occasions: frozenset[str]
    seasons: frozenset[str]

    @classmethod
    def of(cls, name: str, group: str, products: Sequence[tuple[Family, Item]]) -> _Product:
        families = list({id(f): f for f, _ in products}.values())
        shapes = [s for f in families for s in f.shapes]
        return cls(
            family=products[0][0],
            group=group,
            name=name,
            families=frozenset(map(id, families)),
            materials=_keys(m for f, i in products for m in lexicon.materials_of(f, i)),
            attributes=_keys((*shapes, *(d for f, i in products for d in lexicon.details_of(f, i)))),
            audiences=frozenset(a for f, i in products for a in lexicon.audiences_of(f, i)),
            palette=frozenset().union(*(_palette(f.palette) for f in families)),
            metal=all(f.palette == "metal" for f in families),
            slots=frozenset(s for f in families for s in f.slots),
            occasions=frozenset(o for f in families for o in f.occasions),
            seasons=frozenset(s for f in families for s in f.seasons),
        )


# ---- who owns which modifier ---------------------------------------------------------------------------


def _owners(tokens: list[str], mentions: list[Mention]) -> dict[int, int]:
    """Modifier start -> start of the item noun it stands before (a run of modifiers and glue words)."""
    by_start = {m.start: m for m in mentions}
    by_end = {m.end: m for m in mentions}
    glue = _glue_words()
    owners: dict[int, int] = {}
    for noun in (m for m in mentions if m.kind == ITEM):
        position = noun.start
        while position > 0:
            before = by_end.get(position)
            if before is not None and before.kind in MODIFIERS:
                owners[before.start] = noun.start
                position = before.start
            elif before is None and tokens[position - 1] in glue and (position - 1) not in by_start:
                position -= 1
            else:
                break
    return owners


def _belongs(mention: Mention, owners: dict[int, int], items: list[Mention], product: _Product) -> bool:
    """A modifier belongs to the described product unless it stands before another product's noun."""
    owner = owners.get(mention.start)
    if owner is None:
        return True
    return _same(product, next(m for m in items if m.start == owner))


def _same(product: _Product, noun: Mention) -> bool:
    """Whether a noun names the described product or one of its family (at the category level: category)."""
    return not product.families.isdisjoint(id(family) for family in _families_of(noun.value))


def _resolve(noun: Mention, mentions: list[Mention], owners: dict[int, int]) -> _Product:
    """The first product noun's family: a kids' one when kids' words go with it (before it, or free)."""
    audiences = {m.value for m in mentions if m.kind == AUDIENCE and owners.get(m.start, noun.start) == noun.start}
    group = "baby" if "baby" in audiences else "kids" if audiences & set(KIDS_AUDIENCES) else "adult"
    candidates = _nouns()[noun.value]
    for wanted in (group, "adult", "kids", "baby"):
        if wanted in candidates:
            return candidates[wanted]
    raise AssertionError(f"no family for {noun.value}")


# ---- the checks ---------------------------------------------------------------------------------------


def _one_product(
    tokens: list[str], items: list[Mention], mentions: list[Mention], owners: dict[int, int], product: _Product
) -> list[str]:
    problems = []
    for first, second in itertools.pairwise(items):
        if second.start == first.end:
            problems.append(f"two products in a row: {first.value} {second.value}")
    for noun in items[1:]:
        if _same(product, noun):
            continue
        starts = [m.start for m in mentions if owners.get(m.start) == noun.start] + [noun.start]
        determiner = min(starts) - 1
        while determiner >= 0 and tokens[determiner] in _glue_words() and tokens[determiner] not in SWITCHING:
            determiner -= 1
        if determiner >= 0 and tokens[determiner] in SWITCHING:
            problems.append(f"describes a second product: {tokens[determiner]} {noun.value}")
    return problems


def _colour_story(product: _Product, own: list[Mention]) -> list[str]:
    colours = _distinct(m.value for m in own if m.kind == COLOUR)
    tones: list[str] = []
    if product.metal:  # a metal's tone is its colour
        tones = _distinct(t for m in own if m.kind == MATERIAL and (t := _materials_table()[m.value].tone))
    story = _distinct([*colours, *tones])
    problems = [f"two colours: {', '.join(story)}"] if len(story) > 1 else []
    category = product.family.category
    problems += [f"{category} do not come in {colour}" for colour in colours if colour not in product.palette]
    return problems


def _materials(product: _Product, own: list[Mention], problems: list[str]) -> list[str]:
    materials = _distinct(m.value for m in own if m.kind == MATERIAL)
    if len(materials) > 1:
        problems.append(f"two materials: {', '.join(materials)}")
    # "denim" names "stretch denim" too: a material is allowed when an allowed one has all its words
    allowed = [set(a.split()) for a in product.materials]
    problems += [f"{product.name} not made of {m}" for m in materials if not any(set(m.split()) <= a for a in allowed)]
    return materials


def _attributes(product: _Product, own: list[Mention]) -> list[str]:
    problems = []
    for mention in own:
        if mention.kind == ATTRIBUTE and mention.value not in product.attributes:
            problems.append(f"{product.name} without {mention.value}")
        elif mention.kind == PART and mention.value not in product.slots:
            problems.append(f"{product.family.category} have no {mention.value}")
    return problems


def _fit_for(product: _Product, own: list[Mention], materials: list[str]) -> list[str]:
    category = product.family.category
    problems = []
    warmths = {_materials_table()[m].warmth for m in materials}
    for mention in own:
        if mention.kind == AUDIENCE and mention.value not in product.audiences:
            problems.append(f"{product.name} not for {mention.value}")
        elif mention.kind == OCCASION:
            if mention.value not in product.occasions:
                problems.append(f"{category} not for {mention.value} occasions")
            elif ("light" in warmths and mention.value in COLD_WEATHER) or (
                "warm" in warmths and mention.value in WARM_WEATHER
            ):
                problems.append(f"{'/'.join(materials)} does not suit {mention.value} occasions")
        elif mention.kind == SEASON:
            if mention.value not in product.seasons:
                problems.append(f"{category} not for {mention.value}")
            elif any(mention.value not in lexicon.SEASONS_OF_WARMTH[warmth] for warmth in warmths):
                problems.append(f"{'/'.join(materials)} does not suit {mention.value}")
    return problems


def _distinct(values: Iterable[str]) -> list[str]:
    """Distinct values in order, a value dropped when another one contains all its words ('green', 'sage green')."""
    unique = list(dict.fromkeys(values))
    return [v for v in unique if not any(v != w and set(v.split()) < set(w.split()) for w in unique)]


# ---- indexes built once from the tables ---------------------------------------------------------------
# A phrase is known by its key: its words as the tokenizer splits them, without a leading article, joined
# by spaces ("a V-neckline" -> "v-neckline"); the UK and the US spelling of a phrase both count.


def _key(phrase: str) -> str:
    words = split_words(phrase)
    if len(words) > 1 and words[0] in ("a", "an", "the"):
        words = words[1:]
    return " ".join(words)


def _keys(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset(_key(spelling) for phrase in phrases for spelling in (phrase, lexicon.us_spelling(phrase)))


@cache
def _phrase_index() -> tuple[dict[tuple[str, ...], tuple[str, str]], int]:
    """Token sequence -> (kind, key); the longest phrase length. The first kind to claim a phrase keeps it."""
    index: dict[tuple[str, ...], tuple[str, str]] = {}

    def add(kind: str, phrases: Iterable[str], value: str | None = None) -> None:
        for key in sorted(_keys(phrases)):
            index.setdefault(tuple(key.split()), (kind, value if value is not None else key))

    add(NEUTRAL, NOT_ATTRIBUTES)
    add(ITEM, [item.name for family in lexicon.FAMILIES for item in family.items])
    generic = {(word,) for word in _glue_words()}
    for family in lexicon.FAMILIES:
        for attribute in (*family.shapes, *family.details, *(d for item in family.items for d in item.details)):
            if tuple(_key(attribute).split()) not in generic:
                add(ATTRIBUTE, [attribute])
    add(MATERIAL, MATERIALS)
    add(COLOUR, [colour for palette in PALETTES.values() for colour in palette])
    for group, phrases in OCCASIONS.items():
        add(OCCASION, phrases, group)
    for audience, (before, after) in AUDIENCES.items():
        add(AUDIENCE, (*before, *after), audience)
    for word, season in SEASON_WORDS.items():
        add(SEASON, [word], season)
    for slot, words in SLOTS.items():
        add(PART, words, slot)
    return index, max(map(len, index))


@cache
def _palette(name: str) -> frozenset[str]:
    return _keys(PALETTES[name])


@cache
def _materials_table() -> dict[str, Material]:
    return {key: material for name, material in MATERIALS.items() for key in _keys([name])}


@cache
def _nouns() -> dict[str, dict[str, _Product]]:
    """Item key -> {"adult" | "kids" | "baby": product}. Items of one name in one family are merged
    ('trainers' spelled the US way is 'sneakers'); one name in two families of one group is a table error."""
    found: dict[str, dict[str, list[tuple[Family, Item]]]] = {}
    for family, item in lexicon.PRODUCTS:
        for group in _groups(lexicon.audiences_of(family, item)):
            for key in _keys([item.name]):
                found.setdefault(key, {}).setdefault(group, []).append((family, item))
    nouns: dict[str, dict[str, _Product]] = {}
    for key, groups in found.items():
        for group, products in groups.items():
            family = products[0][0]
            if any(other is not family for other, _ in products):
                raise AssertionError(f"{key!r} names products of two {group} families")
            nouns.setdefault(key, {})[group] = _Product.of(f"{key} ({family.category})", group, products)
    return nouns


@cache
def _categories() -> dict[tuple[str, str], _Product]:
    """(category, group) -> everything the category's products of that group may be and have."""
    found: dict[tuple[str, str], list[tuple[Family, Item]]] = {}
    for family, item in lexicon.PRODUCTS:
        for group in _groups(lexicon.audiences_of(family, item)):
            found.setdefault((family.category, group), []).append((family, item))
    return {key: _Product.of(key[0], key[1], products) for key, products in found.items()}


def _groups(audiences: Iterable[str]) -> list[str]:
    return sorted({"baby" if a == "baby" else "kids" if a in KIDS_AUDIENCES else "adult" for a in audiences})


@cache
def _families_of(noun: str) -> tuple[Family, ...]:
    return tuple(product.family for product in _nouns()[noun].values())


@cache
def _glue_words() -> frozenset[str]:
    """Words that may stand inside a noun phrase without a meaning the checker tracks."""
    words: set[str] = set(DETERMINERS) | GENERIC_WORDS
    pools = (
        text.GENERAL_ADJECTIVES,
        *text.ADJECTIVES.values(),
        *text.WARMTH_ADJECTIVES.values(),
        *text.QUALITIES.values(),
        STYLES,
    )
    for pool in pools:
        for phrase in pool:
            words.update(split_words(phrase))
            words.update(split_words(lexicon.us_spelling(phrase)))
    return frozenset(words - set(SENTENCE_END))
