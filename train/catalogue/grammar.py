"""The grammar of the built-in corpus: draw a product from the tables, then describe it.

A description is one to four sentences. The first introduces the product; the others add details,
occasions, pairings, the feel of the material, care, fit, what customers say, or a note only its
family gets. Everything said is drawn once per product, so a description names one colour, one
material, parts its family has, and occasions and seasons its material suits.

Only `random.Random(seed)` with `random()` and `randrange()` is used, whose output is the same on every
Python >= 3.10, and no set is ever iterated, so a seed gives the same text everywhere.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from lstm_edge.train.catalogue import lexicon
from lstm_edge.train.catalogue.schema import Family, Item
from lstm_edge.train.catalogue.tables import sentences as text
from lstm_edge.train.catalogue.tables.colours import NEUTRALS
from lstm_edge.train.catalogue.tables.locales import MEASURES
from lstm_edge.train.catalogue.tables.materials import MATERIALS
from lstm_edge.train.catalogue.tables.notes import CATEGORY_NOTES
from lstm_edge.train.catalogue.tables.occasions import (
    AUDIENCES,
    COLD_WEATHER,
    COUNTRIES,
    OCCASIONS,
    STYLES,
    WARM_WEATHER,
)

LOCALES = ("uk", "us")
AUDIENCE_FIELDS = ("aud", "for_aud")
FOLLOW_UP_WEIGHTS = {  # topic of a further sentence -> how often it is drawn
    **{"detail": 3, "occasion": 2, "pairing": 2, "style": 2, "material": 2, "care": 2, "fit": 2},
    **{"review": 3, "note": 3, "feel": 2, "promo": 2, "origin": 1, "season": 1, "composition": 1},
}
FOLLOW_UP_COUNTS = (0.15, 0.55, 0.85)  # cumulative: P(0), P(<=1), P(<=2) further sentences; else 3
ADULT_AUDIENCE_MENTIONED = 0.25
OPENING_NAMES_A_DETAIL = 0.8  # most first sentences say what the product has: the signal a model learns it from
ZIPF_SCALE = 2520  # integer weights 2520 / rank (exact for ranks 1 to 10)
SPOKEN_AS_WORDS = ("NATO", "HIIT")  # initialisms read as a word: a NATO strap
NON_GARMENT_CARE = ("leather", "suede", "wipe", "natural", "jewellery", "metal", "eyewear")
# Fields a description says once: a later sentence may not repeat a detail, an occasion or a pairing.
SAID_ONCE = ("detail", "detail2", "detail3", "detail4", "occasion", "occasion2", "pairing", "season", "style")
_FIELD_RE = re.compile(r"\{(\w+)\}")
_ARTICLE_RE = re.compile(r"~a (\S+)")
_VERBS = {
    "is": "are",
    "has": "have",
    "features": "feature",
    "comes": "come",
    "looks": "look",
    "fits": "fit",
    "runs": "run",
    "feels": "feel",
    "holds": "hold",
    "washes": "wash",
    "lasts": "last",
    "was": "were",
    "takes": "take",
    "moves": "move",
    "keeps": "keep",
    "works": "work",
    "folds": "fold",
    "dries": "dry",
    "doesnt": "don't",
    "hangs": "hang",
}
# A child's product in reviews: "my daughter", "my son"; "kids" is either.
CHILDREN = {"girls": ("daughter",), "boys": ("son",), "kids": ("daughter", "son"), "baby": ("baby",)}
PRONOUNS = {"daughter": ("she",), "son": ("he",), "baby": ("she",)}  # fmt: skip


@dataclass(frozen=True)
class Product:
    """Everything one description says about its product, drawn once."""

    family: Family
    item: Item
    audience: str  # key of tables.occasions.AUDIENCES
    locale: str  # "uk" or "us"
    material: str  # "" when every material would repeat the name ("linen trousers")
    colour: str
    shape: str
    season: str
    occasions: tuple[str, str]
    details: tuple[str, ...]  # up to four, of different kinds


def pick_typical(rng: random.Random, pool: Sequence[str]) -> str:
    """An entry of pool, the first ones more often (weights 1, 1/2, 1/3, ...): tables list the typical first.

    Real catalogues are skewed (most hoodies are cotton), and a skew is what lets a small model learn which
    material or detail goes with which product; every entry still appears.
    """
    cumulative = _zipf_cumulative(len(pool))
    target = rng.randrange(cumulative[-1])
    return pool[next(i for i, bound in enumerate(cumulative) if target < bound)]


@cache
def _zipf_cumulative(size: int) -> tuple[int, ...]:
    total, bounds = 0, []
    for rank in range(1, size + 1):
        total += ZIPF_SCALE // rank
        bounds.append(total)
    return tuple(bounds)


def pick(rng: random.Random, pool: Sequence[str]) -> str:
    return pool[rng.randrange(len(pool))]


def pick_two(rng: random.Random, pool: Sequence[str]) -> tuple[str, str]:
    """Two different entries of pool."""
    first = rng.randrange(len(pool))
    second = rng.randrange(len(pool) - 1)
    return pool[first], pool[second + (second >= first)]


def shuffled(rng: random.Random, pool: Sequence[str]) -> list[str]:
    """A shuffled copy of pool (Fisher-Yates written out, so it relies on randrange alone)."""
    items = list(pool)
    for i in range(len(items) - 1):
        j = rng.randrange(i, len(items))
        items[i], items[j] = items[j], items[i]
    return items


def draw_product(rng: random.Random, category: str | None = None) -> Product:
    """A product of `category` (of any family when None: each family equally likely, so a category of several
    families, like kidswear, gets as many examples of each as a category of one), with everything it says."""
    families = lexicon.families_of(category) if category else lexicon.FAMILIES
    family = families[rng.randrange(len(families))]
    item = family.items[rng.randrange(len(family.items))]
    audience = pick(rng, lexicon.audiences_of(family, item))
    materials = lexicon.without_repeats(lexicon.materials_of(family, item), item.name)
    materials = [
        m for m in materials if set(lexicon.SEASONS_OF_WARMTH[lexicon.warmth_of(m)]) & set(family.seasons)
    ] or materials
    names = (item.name, lexicon.us_spelling(item.name))  # what follows a word in either spelling
    materials = list(fitting(tuple(materials), *names))
    material = pick_typical(rng, materials) if materials else ""
    warmth = lexicon.warmth_of(material) if material else "all"
    seasons = [s for s in family.seasons if s in lexicon.SEASONS_OF_WARMTH[warmth]] or list(family.seasons)
    season = pick(rng, seasons)
    if family.palette == "metal" and material:
        colour = MATERIALS[material].tone
    else:
        colours = list(fitting(lexicon.palette_of(family), material, *names))
        colour = pick(rng, lexicon.without_repeats(colours, item.name) or colours)
    shapes = list(fitting(family.shapes, colour, material, *names))
    shape = pick_typical(rng, lexicon.without_repeats(shapes, item.name, colour, material) or shapes)
    groups = occasion_groups(family, warmth, season)
    first_group = pick_typical(rng, groups)
    occasion = pick(rng, OCCASIONS[first_group])
    occasion2 = pick(rng, [o for g in groups for o in OCCASIONS[g] if o != occasion])
    details = pick_details(rng, lexicon.details_of(family, item), item.name, shape, colour, material)
    locale = pick(rng, LOCALES)
    return Product(family, item, audience, locale, material, colour, shape, season, (occasion, occasion2), details)


def fitting(pool: tuple[str, ...], *following: str) -> tuple[str, ...]:
    """The entries of pool that do not form another phrase with any of `following` (see forms_another)."""
    unfit = frozenset().union(*(_unfit(pool, phrase) for phrase in following if phrase))
    return tuple(entry for entry in pool if entry not in unfit) if unfit else pool


@cache
def _unfit(pool: tuple[str, ...], phrase: str) -> frozenset[str]:
    return frozenset(entry for entry in pool if _joins(entry, phrase))


def forms_another(before: str, *following: str) -> bool:
    """True when `before` put before one of `following` makes them read as another phrase:
    'smooth' + 'leather', 'slim' + 'jeans', 'camel' + 'hair ties', 'fine' + 'chain bracelet'."""
    return any(_joins(before, phrase) for phrase in following if phrase)


@cache
def _joins(before: str, phrase: str) -> bool:
    words, first = before.lower().split(), phrase.split()[0].lower()
    return any(" ".join([*words[-k:], first]) in lexicon.PHRASE_STARTS for k in range(1, len(words) + 1))


def occasion_groups(family: Family, warmth: str, season: str) -> list[str]:
    """The family's occasions that suit its material's warmth and the season: no beach in wool."""
    groups = list(family.occasions)
    if warmth == "warm" or season in ("autumn", "winter"):
        groups = [g for g in groups if g not in WARM_WEATHER]
    if warmth == "light" or season in ("spring", "summer"):
        groups = [g for g in groups if g not in COLD_WEATHER]
    return groups or [g for g in family.occasions if g not in WARM_WEATHER + COLD_WEATHER]


def detail_kind(detail: str) -> str:
    """What a detail is a kind of ('a ribbed hem' -> 'hem'); a product never gets two of a kind."""
    head = detail.replace("-", " ").split()[-1].lower()
    head = head.removesuffix("s") if len(head) > 3 and not head.endswith("ss") else head
    return "neck" if head == "neckline" else head


def pick_details(rng: random.Random, pool: Sequence[str], *avoid: str, k: int = 4) -> tuple[str, ...]:
    """Up to k details of different kinds, the typical (first listed) most often, sharing no word with `avoid`
    where the pool allows."""
    chosen: dict[str, str] = {}  # kind -> detail
    remaining = list(lexicon.without_repeats(pool, *avoid) or pool)
    while remaining and len(chosen) < k:
        detail = pick_typical(rng, remaining)
        remaining.remove(detail)
        chosen.setdefault(detail_kind(detail), detail)
    return tuple(chosen.values())


# ---- sentences ----------------------------------------------------------------------------------------


def fields_of(rng: random.Random, product: Product) -> tuple[dict[str, str], frozenset[str]]:
    """Template fields describing the product, and the names of those it cannot fill."""
    family, item = product.family, product.item
    plural = lexicon.is_plural(item.name)
    before, after = AUDIENCES[product.audience]
    warmth = lexicon.warmth_of(product.material) if product.material else "all"
    names = (item.name, lexicon.us_spelling(item.name))
    adjectives = fitting(
        adjective_pool(family.adjectives, lexicon.is_kids(family), warmth), product.colour, product.material, *names
    )
    adj, adj2 = pick_two(rng, lexicon.without_repeats(adjectives, item.name, product.shape))
    care = MATERIALS[product.material].care if product.material else "wash"
    qualities = fitting(text.QUALITIES.get(care) or text.QUALITIES[warmth], product.material) or ("quality",)
    measures = MEASURES[product.locale]
    men = product.audience == "men"
    fields = {
        "item": item.name,
        "a": "" if plural else "~a",
        "this": "these" if plural else "this",
        "the_classic": "classic" if plural else "the classic",
        "they": "they" if plural else "it",
        "them": "them" if plural else "it",
        "its": "their" if plural else "its",
        "colour": product.colour,
        "material": product.material,
        "shape": product.shape,
        "quality": pick(rng, lexicon.without_repeats(qualities, product.material) or qualities),
        "adj": adj,
        "adj2": adj2,
        "adv": pick(rng, text.ADVERBS),
        "made": pick(rng, text.MAKE_VERBS[family.adjectives]),
        "style": pick(rng, STYLES),
        "season": product.season,
        "occasion": product.occasions[0],
        "occasion2": product.occasions[1],
        "aud": pick(rng, before),
        "for_aud": pick(rng, after),
        "country": pick(rng, COUNTRIES),
        "size": pick(rng, measures["men_size" if men else "size"]),
        "height": pick(rng, measures["men_height" if men else "height"]),
        **{name: pick(rng, values) for name, values in measures.items() if name not in ("size", "height")},
        "pairing": pairing(rng, product),
    }
    child = pick(rng, CHILDREN.get(product.audience, ("daughter", "son")))
    fields |= {"child": child, "he": PRONOUNS[child][0]}
    for i, detail in enumerate(product.details):
        fields["detail" if i == 0 else f"detail{i + 1}"] = detail
    fields |= {singular: (plural_form if plural else singular) for singular, plural_form in _VERBS.items()}
    fields["doesnt"] = "don't" if plural else "doesn't"
    missing = {name for name in ("material", "pairing") if not fields[name]}
    missing |= {f"detail{i}" for i in range(len(product.details) + 1, 5)} | (
        {"detail"} if not product.details else set()
    )
    return fields, frozenset(missing)


@cache
def adjective_pool(kind: str, kids: bool, warmth: str) -> tuple[str, ...]:
    """Marketing words for a family's kind of product ("knit", "bag"), not the grown-up ones for kids."""
    general = () if kids else text.GENERAL_ADJECTIVES
    return (*general, *text.ADJECTIVES[kind], *text.WARMTH_ADJECTIVES[warmth])


def pairing(rng: random.Random, product: Product) -> str:
    """One or two pieces to wear with the product, for its audience: 'straight-leg jeans and white sneakers'."""
    categories = product.family.pairs_with
    if not categories:
        return ""
    phrases = []
    for category in shuffled(rng, categories)[: 1 + (rng.random() < 0.3)]:
        candidates = [
            (family, item)
            for family, item in lexicon.products_of(category)
            if not lexicon.is_kids(family)
            and product.audience in (*lexicon.audiences_of(family, item), "unisex")
            and family is not product.family
            and product.season in family.seasons
        ]
        if not candidates:
            continue
        family, item = candidates[rng.randrange(len(candidates))]
        words = [item.name]
        names = (item.name, lexicon.us_spelling(item.name))
        if rng.random() < 0.3:
            shapes = fitting(tuple(lexicon.without_repeats(family.shapes, item.name)), *names)
            words[:0] = [pick(rng, shapes)] if shapes else []
        if rng.random() < 0.55 and family.palette != "metal":
            palette = NEUTRALS if family.palette in ("apparel", "leather") else lexicon.palette_of(family)
            colours = fitting(tuple(lexicon.without_repeats(palette, item.name)), words[0], *names)
            words[:0] = [pick(rng, colours)] if colours else []
        phrase = " ".join(words)
        phrases.append(phrase if lexicon.is_plural(item.name) else f"~a {phrase}")
    return " and ".join(phrases)


def article(word: str) -> str:
    """'a' or 'an' before `word`, by sound: an ivory, an A-line, an 18k, an LED, a utility, a UV400, a one-off."""
    if word.isupper() and len(word) > 1 and word not in SPOKEN_AS_WORDS:  # read letter by letter
        return "an" if word[0] in "AEFHILMNORSX" else "a"
    lower = word.lower()
    if lower.startswith(("a-", "x-", "8", "11", "18", "heirloom", "honest", "hour")):
        return "an"
    if lower.startswith(("uni", "use", "usu", "uti", "eu", "one", "uv", "upf", "u-")):
        return "a"
    return "an" if lower[0] in "aeiou" else "a"


def finish(template: str, fields: dict[str, str]) -> str:
    """Fill a template, resolve '~a' articles, tidy spaces and capitalize the first letter."""
    sentence = template.format(**fields)
    sentence = _ARTICLE_RE.sub(lambda m: f"{article(m.group(1))} {m.group(1)}", sentence)
    sentence = " ".join(sentence.split())
    return sentence[0].upper() + sentence[1:]


@cache
def field_names(template: str) -> frozenset[str]:
    return frozenset(_FIELD_RE.findall(template))


@cache
def usable(templates: tuple[str, ...], missing: frozenset[str], audience: bool | None = None) -> tuple[str, ...]:
    """Templates whose fields can all be filled; with `audience`, only those that do (not) name it."""
    chosen = []
    for template in templates:
        names = field_names(template)
        if not names.isdisjoint(missing):
            continue
        if audience is not None and audience != bool(names & set(AUDIENCE_FIELDS)):
            continue
        chosen.append(template)
    return tuple(chosen)


_SAME_FOR_EVERY_PRODUCT = {  # follow-up topics whose templates do not depend on the product
    "detail": text.DETAIL_LINES,
    "occasion": text.OCCASION_LINES,
    "pairing": text.PAIRING_LINES,
    "style": text.STYLE_LINES,
    "season": text.SEASON_LINES,
    "origin": text.ORIGIN_LINES,
}


def follow_up(product: Product, topic: str) -> tuple[str, ...]:
    """The templates of one follow-up topic for this product."""
    family = product.family
    material = MATERIALS[product.material] if product.material else None
    if topic in _SAME_FOR_EVERY_PRODUCT:
        return _SAME_FOR_EVERY_PRODUCT[topic]
    garment = family.adjectives in text.GARMENT_ADJECTIVES
    if topic == "material":
        if material and material.care in text.MATERIAL_NOTES:
            return text.MATERIAL_NOTES[material.care]
        return text.MATERIAL_NOTES[material.warmth if material else "all"] if garment else ()
    if topic == "care":
        care = material.care if material else "wash"
        return text.CARE_NOTES[care if garment or care in NON_GARMENT_CARE else "spot"]
    if topic == "fit":
        return text.SIZE_NOTES[family.sizing]
    if topic == "review":
        return text.REVIEWS[family.sizing]
    if topic == "note":
        return family.notes + CATEGORY_NOTES.get(family.category, ())
    if topic == "feel":
        return text.FEEL_LINES if garment else ()
    if topic == "promo":
        return text.PROMO_LINES
    if topic == "composition":
        return text.COMPOSITION_LINES if product.material in text.PURE_MATERIALS else ()
    raise AssertionError(f"unknown topic {topic}")


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    target = rng.randrange(sum(weights.values()))
    for key, weight in weights.items():
        target -= weight
        if target < 0:
            return key
    raise AssertionError("unreachable")


def describe(rng: random.Random, product: Product) -> str:
    """One description of `product`: an opening sentence and up to three more."""
    fields, missing = fields_of(rng, product)
    metal = product.family.palette == "metal" and bool(product.material)
    mention_audience = lexicon.is_kids(product.family) or rng.random() < ADULT_AUDIENCE_MENTIONED
    openings = usable(text.METAL_OPENINGS if metal else text.OPENINGS, missing, mention_audience)
    with_detail = [t for t in openings if "detail" in field_names(t)]
    if with_detail and rng.random() < OPENING_NAMES_A_DETAIL:
        openings = tuple(with_detail)
    opening = pick(rng, openings)
    sentences = [finish(opening, fields)]
    said = missing | (field_names(opening) & set(SAID_ONCE))
    roll = rng.random()
    extra = next((n for n, bound in enumerate(FOLLOW_UP_COUNTS) if roll < bound), len(FOLLOW_UP_COUNTS))
    topics = dict(FOLLOW_UP_WEIGHTS)
    for _ in range(extra):
        weights = {topic: w for topic, w in topics.items() if usable(follow_up(product, topic), said)}
        if not weights:
            break
        topic = weighted(rng, weights)
        del topics[topic]
        template = pick(rng, usable(follow_up(product, topic), said))
        said |= field_names(template) & set(SAID_ONCE)
        sentences.append(finish(template, fields))
    if len(sentences) < 4 and rng.random() < 0.03:
        sentences.append(pick(rng, text.CLOSERS))
    description = " ".join(sentences)
    return lexicon.us_spelling(description) if product.locale == "us" else description


def description(rng: random.Random) -> str:
    """A description of a product drawn from `rng`."""
    return describe(rng, draw_product(rng))
