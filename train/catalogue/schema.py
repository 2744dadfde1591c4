"""The shapes the word tables are written in (the tables themselves are in `tables/`)."""

from __future__ import annotations

from dataclasses import dataclass

SEASONS = ("spring", "summer", "autumn", "winter")


@dataclass(frozen=True)
class Material:
    """What a material implies: the seasons it suits, how it is cared for, and (metals) its tone."""

    warmth: str  # "light" (spring, summer), "warm" (autumn, winter), "all"
    care: str  # key of tables.phrases.CARE_NOTES
    tone: str = ""  # metals: the colour they are ("gold", "silver", "rose gold"); others: none


@dataclass(frozen=True)
class Item:
    """One product noun ("trench coat", "jeans") and what only it has beside its family's tables."""

    name: str  # UK spelling; plural nouns ("jeans") are recognised by tables.grammar.PLURAL_HEADS
    details: tuple[str, ...] = ()  # added to the family's details
    materials: tuple[str, ...] = ()  # replace the family's materials when given
    audiences: tuple[str, ...] = ()  # replace the family's audiences when given


@dataclass(frozen=True)
class Family:
    """Products that share materials, shapes, details and notes, so any combination of them reads right.

    `slots` names the kinds of part the products have (tables.parts.SLOTS: "neckline", "sole", "clasp"):
    a description of the family may name no part of any other kind.
    """

    category: str  # what prompts and reports group by: "dresses", "bags", "kidswear"
    items: tuple[Item, ...]
    materials: tuple[str, ...]  # keys of tables.materials.MATERIALS
    shapes: tuple[str, ...]  # before the noun: "oversized", "wide-leg", "chunky"
    details: tuple[str, ...]  # after "with": "a concealed side zip", "a lobster clasp"
    slots: tuple[str, ...]
    audiences: tuple[str, ...] = ("women",)  # keys of tables.audiences.AUDIENCES
    palette: str = "apparel"  # key of tables.colours.PALETTES
    seasons: tuple[str, ...] = SEASONS
    occasions: tuple[str, ...] = ("everyday", "weekend", "holiday")  # keys of tables.occasions.OCCASIONS
    sizing: str = "clothing"  # key of tables.phrases.SIZE_NOTES and REVIEWS
    notes: tuple[str, ...] = ()  # sentences only this family gets ("Polarised lenses cut the glare.")
    pairs_with: tuple[str, ...] = ()  # categories it is styled with
    adjectives: str = "garment"  # key of tables.phrases.ADJECTIVES: the marketing words that suit it
