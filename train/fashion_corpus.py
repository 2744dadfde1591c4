"""The built-in corpus: a seeded generator of fashion product descriptions.

The tutorial trains on a CSV of short product-page descriptions ("A cream coat crafted from cotton for a
streetwear look."). This module writes such a corpus from word tables, so the package ships a default
training set that anyone can rebuild byte for byte:

    python -m lstm_edge.train.fashion_corpus            # rewrites train/data/fashion_descriptions.csv
    python -m lstm_edge.train.fashion_corpus --out x.csv --count 500 --seed 7

Each description is one to three sentences: the first introduces the product (colour, material, fit,
garment), the others add details, occasions, pairings, care or fit notes. Garments belong to kinds
(coats, jeans, sandals, ...) whose materials, fits and details suit them, and the grammar follows the
garment: "this coat is", "these jeans are", "an ivory", "a linen". Rows are distinct.

Only the standard library is used, and only `random.Random(seed)` with `random()` and `randrange()`,
whose output is the same on every Python >= 3.10, so the same seed gives the same file everywhere.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from lstm_edge.runtime.files import atomic_path
from lstm_edge.runtime.tokenizer import PUNCTUATION, split_words

DEFAULT_CSV_PATH = Path(__file__).parent / "data" / "fashion_descriptions.csv"
DEFAULT_COUNT = 6000
DEFAULT_SEED = 42

# fmt: off
# ---- colours, styles, occasions ---------------------------------------------------------------------

COLOURS = (
    "cream", "ivory", "white", "off-white", "black", "charcoal", "grey", "navy", "camel", "beige", "sand",
    "stone", "taupe", "oatmeal", "ecru", "chocolate", "tan", "olive", "khaki", "sage green", "forest green",
    "emerald", "mint", "rust", "terracotta", "burgundy", "red", "cherry red", "pink", "blush", "dusty rose",
    "lilac", "lavender", "cobalt", "sky blue", "powder blue", "teal", "mustard", "butter yellow", "ochre",
    "coral", "mocha", "plum", "indigo", "espresso", "pistachio",
)
DENIM_COLOURS = (
    "indigo", "light-wash", "dark-wash", "mid-blue", "washed black", "ecru", "white", "stone",
    "vintage blue", "black", "grey",
)
NEUTRALS = ("white", "black", "cream", "navy", "grey", "camel", "tan", "ecru", "stone", "charcoal", "brown")
STYLES = (
    "streetwear", "minimalist", "bohemian", "preppy", "classic", "utility", "retro", "romantic", "sporty",
    "Scandi", "Parisian", "off-duty", "laid-back", "coastal", "workwear", "vintage-inspired", "modern",
    "polished", "smart-casual", "western", "tomboy", "elevated", "urban", "nautical", "country",
)
OCCASIONS = (
    "everyday wear", "the office", "weekends", "evenings out", "travel", "city breaks", "date night",
    "dinner with friends", "the school run", "lazy Sundays", "long weekends away", "the commute", "brunch",
    "work and play", "special occasions", "casual Fridays", "days at home", "busy days in the city",
    "weekend errands", "client meetings", "after-work drinks",
)
SEASON_OCCASIONS = {
    "spring": ("spring weekends", "garden parties", "breezy spring days", "the first warm days",
               "Easter lunches"),
    "summer": ("the beach", "summer holidays", "weekends by the sea", "festival season", "warm evenings",
               "long lunches in the sun", "poolside days"),
    "autumn": ("crisp autumn days", "countryside walks", "autumn city breaks", "bonfire night", "rainy days"),
    "winter": ("cold mornings", "the festive season", "winter walks", "chilly commutes", "holiday parties",
               "snowy weekends"),
}
ALL_SEASONS = ("spring", "summer", "autumn", "winter")
COLD_SEASONS = ("autumn", "winter", "spring")
WARM_SEASONS = ("spring", "summer")
COUNTRIES = ("Portugal", "Italy", "Spain", "India", "Turkey", "Romania", "Peru", "Japan")

# ---- materials: name -> (warmth, care) ---------------------------------------------------------------
# warmth picks seasons (light: spring/summer, warm: autumn/winter, all: any); care picks care notes.

MATERIALS = {
    "cotton": ("all", "wash"), "organic cotton": ("all", "wash"), "linen": ("light", "wash"),
    "linen blend": ("light", "wash"), "cotton poplin": ("light", "wash"), "seersucker": ("light", "wash"),
    "chambray": ("light", "wash"), "cotton voile": ("light", "wash"), "broderie anglaise": ("light", "wash"),
    "jersey": ("all", "wash"), "cotton jersey": ("all", "wash"), "cotton twill": ("all", "wash"),
    "canvas": ("all", "wash"), "ripstop": ("all", "wash"), "nylon": ("all", "wash"),
    "recycled nylon": ("all", "wash"), "recycled polyester": ("all", "wash"), "lyocell": ("light", "wash"),
    "modal": ("light", "wash"), "hemp": ("light", "wash"), "recycled mesh": ("light", "wash"),
    "denim": ("all", "wash"), "organic denim": ("all", "wash"), "stretch denim": ("all", "wash"),
    "rigid denim": ("all", "wash"), "selvedge denim": ("all", "wash"), "recycled denim": ("all", "wash"),
    "corduroy": ("warm", "wash"), "flannel": ("warm", "wash"), "fleece": ("warm", "wash"),
    "brushed cotton": ("warm", "wash"), "French terry": ("all", "wash"), "loopback cotton": ("all", "wash"),
    "recycled cotton": ("all", "wash"),
    "silk": ("light", "delicate"), "satin": ("light", "delicate"), "chiffon": ("light", "delicate"),
    "viscose": ("light", "delicate"), "crepe": ("all", "delicate"), "cotton gabardine": ("all", "delicate"),
    "velvet": ("warm", "delicate"), "wool": ("warm", "delicate"), "wool blend": ("warm", "delicate"),
    "recycled wool": ("warm", "delicate"), "cashmere": ("warm", "delicate"), "mohair": ("warm", "delicate"),
    "merino wool": ("warm", "delicate"), "lambswool": ("warm", "delicate"), "alpaca": ("warm", "delicate"),
    "boucle": ("warm", "delicate"), "tweed": ("warm", "delicate"), "wool felt": ("warm", "delicate"),
    "leather": ("all", "wipe"), "suede": ("all", "wipe"), "nubuck": ("all", "wipe"),
    "patent leather": ("all", "wipe"), "vegan leather": ("all", "wipe"), "recycled leather": ("all", "wipe"),
    "waxed cotton": ("all", "wipe"), "rubber": ("all", "wipe"), "straw": ("light", "natural"),
    "raffia": ("light", "natural"),
}
QUALITIES = {
    "light": ("lightweight", "breathable", "airy", "soft", "cool"),
    "all": ("soft", "durable", "premium", "midweight", "quality"),
    "warm": ("cosy", "warm", "soft", "heavyweight", "brushed", "premium"),
    "wipe": ("supple", "smooth", "premium", "buttery-soft", "durable"),
    "natural": ("hand-woven", "natural", "lightweight"),
}

# ---- garments and kinds ----------------------------------------------------------------------------


class Garment(NamedTuple):
    """A garment name ("trench coat") and what only it has; plural names ("jeans") are in PLURAL_HEADS."""

    name: str
    details: tuple[str, ...] = ()  # added to the kind's details
    materials: tuple[str, ...] = ()  # replace the kind's materials when given


class Kind(NamedTuple):
    """Garments that share materials, fits and details, so any combination of them reads right."""

    category: str
    garments: tuple[Garment, ...]
    materials: tuple[str, ...]
    fits: tuple[str, ...]
    details: tuple[str, ...]
    colours: tuple[str, ...] = COLOURS
    seasons: tuple[str, ...] = ALL_SEASONS
    fit_notes: str = "clothing"
    pairs_with: tuple[str, ...] | None = None  # categories to style it with; None: PAIRS_WITH[category]


def _plain(*names: str) -> tuple[Garment, ...]:
    return tuple(Garment(name) for name in names)


G = Garment  # short name for the tables below
# Head nouns that are grammatically plural: "these jeans are", "pair them".
PLURAL_HEADS = frozenset((
    "jeans", "trousers", "shorts", "chinos", "joggers", "sweatpants", "pants", "culottes", "sneakers",
    "trainers", "loafers", "flats", "shoes", "brogues", "boots", "sandals", "mules", "slides", "espadrilles",
    "slingbacks", "gloves", "mittens", "Janes",
))
SHOE_LEATHERS = ("leather", "suede", "patent leather", "nubuck", "vegan leather")
SWEAT_FABRICS = ("organic cotton", "loopback cotton", "French terry", "brushed cotton", "fleece",
                 "recycled cotton", "cotton jersey")

KINDS = (
    # ---- outerwear
    Kind("outerwear",
         (*_plain("coat", "overcoat", "car coat"),
          G("trench coat", ("a storm flap", "a belted waist")),
          G("wrap coat", ("a tie belt",)),
          G("peacoat", ("anchor buttons", "a double-breasted front")),
          G("duffle coat", ("toggle fastenings", "a generous hood"))),
         ("wool", "wool blend", "cashmere", "recycled wool", "boucle", "tweed", "cotton gabardine",
          "cotton twill", "alpaca"),
         ("oversized", "tailored", "relaxed", "longline", "boxy", "cocoon", "single-breasted", "cropped"),
         ("notch lapels", "welt pockets", "horn buttons", "a back vent", "a concealed button placket",
          "a satin lining", "flap pockets", "raglan sleeves", "a wide collar", "dropped shoulders"),
         seasons=COLD_SEASONS),
    Kind("outerwear",
         (*_plain("jacket", "field jacket", "utility jacket", "harrington jacket"),
          G("bomber jacket", ("a ribbed collar", "a sleeve pocket")),
          G("puffer jacket", ("a high neck", "recycled padding", "a drawstring hood")),
          G("parka", ("a drawstring waist", "a drawstring hood")),
          G("anorak", ("a half-zip front", "a drawstring hood")),
          G("biker jacket", ("an asymmetric zip", "a notched collar", "zipped cuffs"),
            ("leather", "suede", "vegan leather")),
          G("trucker jacket", ("chest flap pockets", "metal shank buttons"),
            ("denim", "corduroy", "suede"))),
         ("nylon", "recycled nylon", "recycled polyester", "cotton twill", "waxed cotton", "ripstop",
          "corduroy", "canvas", "suede"),
         ("relaxed", "cropped", "boxy", "oversized", "longline", "padded", "water-repellent", "fitted"),
         ("a zip-through front", "ribbed cuffs", "snap-button pockets", "a stand collar", "an adjustable hem",
          "a two-way zip", "zip pockets", "a quilted lining", "a storm flap", "a cotton lining"),
         seasons=COLD_SEASONS),
    Kind("outerwear",
         _plain("blazer", "suit jacket", "tuxedo jacket"),
         ("wool", "linen", "cotton", "linen blend", "crepe", "tweed", "velvet", "seersucker", "boucle"),
         ("tailored", "oversized", "relaxed", "double-breasted", "single-breasted", "boxy", "cropped",
          "fitted", "unstructured"),
         ("notch lapels", "peak lapels", "welt pockets", "flap pockets", "a single-button fastening",
          "a two-button front", "a half lining", "a chest pocket", "padded shoulders", "a back vent")),
    # ---- tops
    Kind("tops",
         (G("shirt", ("a spread collar", "a classic collar")),
          G("oxford shirt", ("a button-down collar",)),
          G("camp-collar shirt", ("a boxy cut",)),
          G("overshirt", ("snap buttons",)),
          G("western shirt", ("pearl snap buttons", "a pointed yoke"))),
         ("cotton", "organic cotton", "linen", "cotton poplin", "chambray", "seersucker", "silk",
          "viscose", "flannel", "lyocell", "corduroy"),
         ("relaxed", "oversized", "slim-fit", "boxy", "cropped", "classic-fit", "short-sleeved",
          "long-sleeved", "regular-fit"),
         ("a button-down front", "patch pockets", "a chest pocket", "button cuffs", "a curved hem",
          "mother-of-pearl buttons", "a box pleat at the back", "a back yoke")),
    Kind("tops",
         _plain("blouse", "tunic", "peasant blouse", "wrap top"),
         ("silk", "satin", "crepe", "viscose", "chiffon", "cotton voile", "linen", "broderie anglaise",
          "modal"),
         ("relaxed", "fitted", "flowy", "cropped", "draped", "wrap", "sheer", "loose-fitting"),
         ("a tie neck", "puff sleeves", "a ruffled collar", "pin tucks", "a keyhole back", "a V-neckline",
          "a square neckline", "covered buttons", "lace trims", "smocked cuffs", "balloon sleeves",
          "a frill hem"),
         seasons=(*WARM_SEASONS, "autumn")),
    Kind("tops",
         _plain("camisole", "cami top", "slip top", "tank top"),
         ("silk", "satin", "jersey", "modal", "linen", "viscose", "organic cotton"),
         ("fitted", "relaxed", "cropped", "draped", "bias-cut", "ribbed", "longline"),
         ("adjustable straps", "a lace trim", "a V-neckline", "a cowl neck", "a square neckline",
          "a scoop back", "a curved hem", "a straight neckline"),
         seasons=WARM_SEASONS),
    Kind("tops",
         (*(G(name, ("a crew neck", "a scoop neck"))
            for name in ("t-shirt", "tee", "long-sleeve tee", "baby tee", "pocket tee")),
          G("henley", ("a three-button placket",)),
          G("polo shirt", ("a ribbed collar", "a two-button placket"))),
         ("cotton", "organic cotton", "jersey", "cotton jersey", "modal", "lyocell", "recycled cotton",
          "hemp", "linen"),
         ("relaxed", "oversized", "boxy", "fitted", "cropped", "slim-fit", "classic", "longline", "slouchy"),
         ("dropped shoulders", "a ribbed neckline", "a raw hem", "side splits", "a chest pocket",
          "a curved hem", "tonal stitching", "a garment-dyed finish")),
    Kind("tops",
         (*_plain("sweatshirt", "half-zip sweatshirt"),
          G("hoodie", ("a drawstring hood",)),
          G("zip-up hoodie", ("a drawstring hood", "a two-way zip"))),
         SWEAT_FABRICS,
         ("relaxed", "oversized", "boxy", "cropped", "slouchy", "classic", "heavyweight"),
         ("ribbed cuffs", "a ribbed hem", "a kangaroo pocket", "dropped shoulders", "a brushed inside",
          "tonal embroidery", "flatlock seams", "a small chest logo"),
         seasons=COLD_SEASONS),
    # ---- knitwear
    Kind("knitwear",
         (*_plain("jumper", "sweater", "crew-neck jumper"),
          G("cardigan", ("horn buttons", "patch pockets", "a V-neck")),
          G("turtleneck", ("a fold-over neck",)),
          G("roll-neck jumper", ("a relaxed roll neck",)),
          G("knitted polo", ("a ribbed collar", "a three-button placket"))),
         ("merino wool", "cashmere", "lambswool", "wool blend", "mohair", "alpaca", "cotton",
          "organic cotton", "recycled wool", "wool"),
         ("chunky", "fine-knit", "relaxed", "oversized", "cropped", "fitted", "slouchy", "cable-knit",
          "ribbed", "boxy"),
         ("ribbed cuffs", "a ribbed hem", "dropped shoulders", "side splits", "balloon sleeves",
          "raglan sleeves", "a brushed finish", "contrast tipping", "saddle shoulders", "a textured stitch"),
         seasons=COLD_SEASONS),
    # ---- dresses
    Kind("dresses",
         (*_plain("dress", "midi dress", "maxi dress", "mini dress", "tea dress", "tiered dress"),
          G("slip dress", ("adjustable straps", "a cowl neck"),
            ("silk", "satin", "viscose", "crepe", "velvet")),
          G("shirt dress", ("a button-through front", "a classic collar")),
          G("wrap dress", ("a self-tie belt",)),
          G("sundress", ("adjustable straps", "a shirred back"),
            ("cotton", "linen", "cotton poplin", "seersucker", "broderie anglaise", "viscose"))),
         ("cotton", "linen", "silk", "satin", "viscose", "crepe", "chiffon", "cotton poplin", "jersey",
          "broderie anglaise", "seersucker", "lyocell", "velvet"),
         ("A-line", "fitted", "flowy", "relaxed", "bias-cut", "tiered", "smocked", "sleeveless",
          "puff-sleeve", "off-the-shoulder", "strappy", "draped"),
         ("a tie waist", "a side split", "a concealed back zip", "side pockets", "a V-neckline",
          "a square neckline", "a flared hem", "a fitted bodice", "a low back", "a smocked bodice",
          "a belted waist", "a keyhole back", "a pleated skirt")),
    # ---- bottoms
    Kind("bottoms",
         (*_plain("trousers", "chinos", "culottes", "palazzo trousers", "cigarette trousers",
                  "utility trousers", "paperbag trousers"),
          G("cargo trousers", ("utility pockets", "adjustable ankle toggles"))),
         ("cotton twill", "linen", "wool", "wool blend", "cotton", "crepe", "corduroy", "canvas", "ripstop",
          "linen blend", "seersucker", "velvet", "lyocell", "organic cotton"),
         ("wide-leg", "straight-leg", "slim-fit", "tapered", "high-waisted", "relaxed", "cropped", "pleated",
          "tailored", "barrel-leg", "flared", "mid-rise"),
         ("a drawstring waist", "an elasticated waist", "side pockets", "pressed creases", "belt loops",
          "a zip fly", "turn-up hems", "front pleats", "slanted pockets", "welt back pockets",
          "a button fastening", "a wide waistband")),
    Kind("bottoms",
         _plain("shorts", "Bermuda shorts", "cargo shorts", "pleated shorts", "linen shorts"),
         ("linen", "cotton twill", "cotton", "seersucker", "denim", "ripstop", "cotton poplin",
          "organic cotton"),
         ("relaxed", "high-waisted", "tailored", "pleated", "loose-fitting", "classic", "mid-rise"),
         ("a drawstring waist", "an elasticated waist", "side pockets", "turn-up hems", "belt loops",
          "a zip fly", "front pleats", "back patch pockets"),
         seasons=WARM_SEASONS),
    Kind("bottoms",
         (*_plain("jeans", "mom jeans", "boyfriend jeans"),
          G("carpenter jeans", ("a hammer loop", "utility pockets"))),
         ("denim", "organic denim", "stretch denim", "rigid denim", "selvedge denim", "recycled denim"),
         ("slim-fit", "straight-leg", "wide-leg", "bootcut", "high-rise", "mid-rise", "relaxed", "tapered",
          "skinny", "flared", "barrel-leg", "baggy", "cropped"),
         ("a button fly", "a zip fly", "five pockets", "raw hems", "a faded wash", "contrast stitching",
          "copper rivets", "a frayed hem", "belt loops", "whiskering at the hips", "a leather back patch"),
         colours=DENIM_COLOURS),
    Kind("bottoms",
         (*_plain("skirt", "midi skirt", "mini skirt", "maxi skirt", "wrap skirt"),
          G("slip skirt", ("a bias-cut drape",), ("silk", "satin", "viscose", "crepe"))),
         ("cotton", "linen", "silk", "satin", "denim", "wool", "corduroy", "leather", "suede", "crepe",
          "viscose", "tweed", "jersey"),
         ("A-line", "pleated", "bias-cut", "high-waisted", "fitted", "tiered", "flowy", "relaxed"),
         ("a side split", "a concealed side zip", "an elasticated waist", "a front slit",
          "button detailing down the front", "a tie waist", "patch pockets", "a wide waistband",
          "a contrast lining")),
    Kind("bottoms",
         _plain("joggers", "sweatpants", "track pants", "lounge trousers"),
         SWEAT_FABRICS,
         ("relaxed", "tapered", "wide-leg", "slim-fit", "slouchy", "cuffed"),
         ("a drawstring waist", "an elasticated waist", "ribbed cuffs", "side pockets", "a back pocket",
          "contrast side stripes", "tonal embroidery", "a brushed inside")),
    # ---- footwear
    Kind("footwear",
         (G("sneakers", ("a padded collar", "contrast laces", "a chunky sole"),
            ("leather", "suede", "canvas", "recycled mesh", "vegan leather")),
          G("trainers", ("a padded collar", "a grippy outsole", "lace-up fronts"),
            ("leather", "suede", "canvas", "recycled mesh", "nubuck")),
          G("loafers", ("a penny strap", "a metal bar detail", "a stacked heel"),
            ("leather", "suede", "patent leather")),
          G("ballet flats", ("a bow detail", "an elasticated topline"),
            ("leather", "suede", "satin", "patent leather")),
          G("derby shoes", ("open lacing", "a leather sole")),
          G("brogues", ("punched detailing", "lace-up fronts")),
          G("court shoes", ("a pointed toe", "a kitten heel"),
            ("leather", "suede", "patent leather", "satin")),
          G("Mary Janes", ("a buckle strap", "a round toe"), ("leather", "patent leather", "suede"))),
         SHOE_LEATHERS,
         ("sleek", "chunky", "lightweight", "classic", "minimal", "retro-inspired", "low-profile",
          "flexible"),
         ("a cushioned footbed", "a rubber sole", "a padded insole", "a leather lining", "a removable insole",
          "tonal stitching"),
         fit_notes="footwear"),
    Kind("footwear",
         (G("ankle boots", ("a block heel", "a side zip", "an almond toe")),
          G("Chelsea boots", ("elastic side panels", "a pull tab")),
          G("knee-high boots", ("a side zip", "a stacked heel", "a slim shaft")),
          G("combat boots", ("lace-up fronts", "a lug sole", "a padded collar")),
          G("western boots", ("a pointed toe", "a stacked heel", "decorative stitching"))),
         SHOE_LEATHERS,
         ("chunky", "sleek", "flat", "heeled", "waterproof", "classic", "rugged", "slim"),
         ("a cushioned insole", "a leather lining", "a rubber sole", "a grippy sole", "a padded footbed"),
         seasons=COLD_SEASONS, fit_notes="footwear"),
    Kind("footwear",
         (G("sandals", ("adjustable straps", "a buckle fastening", "an ankle strap")),
          G("mules", ("a square toe", "a block heel")),
          G("slides", ("a moulded footbed", "a wide strap"), ("leather", "suede", "rubber", "vegan leather")),
          G("espadrilles", ("a jute sole", "ankle ties"), ("canvas", "linen", "suede", "cotton")),
          G("slingbacks", ("a pointed toe", "a kitten heel", "an adjustable strap"))),
         ("leather", "suede", "raffia", "vegan leather", "patent leather"),
         ("flat", "strappy", "heeled", "platform", "woven", "slip-on", "lightweight", "minimal"),
         ("a cushioned footbed", "a padded footbed", "a rubber sole", "a contoured footbed",
          "a leather sole", "an open toe", "a non-slip grip", "tonal stitching"),
         seasons=WARM_SEASONS, fit_notes="footwear"),
    # ---- bags
    Kind("bags",
         (G("tote bag", ("sturdy shoulder straps", "a magnetic snap", "a padded laptop sleeve")),
          G("backpack", ("padded shoulder straps", "a padded laptop sleeve", "a top grab handle")),
          G("weekender bag", ("a detachable shoulder strap", "a trolley sleeve", "a shoe compartment")),
          G("shopper", ("long handles", "a magnetic snap")),
          G("laptop bag", ("a padded laptop sleeve", "a detachable shoulder strap")),
          G("messenger bag", ("an adjustable strap", "a flap closure"))),
         ("leather", "vegan leather", "canvas", "nylon", "recycled nylon", "suede", "recycled polyester",
          "waxed cotton"),
         ("structured", "slouchy", "roomy", "oversized", "lightweight", "classic", "minimal"),
         ("an inner zip pocket", "a cotton lining", "gold-tone hardware", "a water-resistant base",
          "reinforced stitching", "an exterior pocket", "a key clip"),
         fit_notes="large bag"),
    Kind("bags",
         (G("crossbody bag", ("an adjustable strap",)),
          G("shoulder bag", ("a chain strap",)),
          G("clutch", ("a wrist strap",)),
          G("belt bag", ("an adjustable strap", "a quick-release buckle")),
          G("bucket bag", ("a drawstring closure",)),
          G("mini bag", ("a top handle",)),
          G("saddle bag", ("an adjustable strap",)),
          G("baguette bag", ("a short shoulder strap",))),
         ("leather", "suede", "vegan leather", "straw", "raffia", "satin", "nylon", "patent leather",
          "velvet"),
         ("structured", "slouchy", "compact", "quilted", "woven", "classic", "sculptural", "minimal"),
         ("a zip closure", "a magnetic snap", "gold-tone hardware", "an inner card slot", "a suede lining",
          "silver-tone hardware", "a cotton lining", "a detachable strap"),
         fit_notes="small bag"),
    # ---- accessories
    Kind("accessories",
         (G("scarf", ("fringed ends", "a generous length")),
          G("beanie", ("a fold-over cuff", "a pom-pom")),
          G("gloves", ("touchscreen-friendly fingertips", "ribbed cuffs")),
          G("mittens", ("ribbed cuffs", "a cosy fleece lining")),
          G("snood", ("a seamless loop", "a double-layer knit"))),
         ("wool", "cashmere", "merino wool", "alpaca", "lambswool", "mohair", "recycled wool", "wool blend"),
         ("chunky", "ribbed", "fine-knit", "cable-knit", "soft", "brushed"),
         ("a soft brushed finish", "a woven logo label", "tonal stitching"),
         seasons=("autumn", "winter"), fit_notes="one size"),
    Kind("accessories",
         (G("baseball cap", ("an adjustable back strap", "a curved brim", "an embroidered logo"),
            ("cotton twill", "corduroy", "canvas", "nylon", "wool")),
          G("bucket hat", ("eyelet vents", "a short brim", "a packable design"),
            ("cotton", "canvas", "corduroy", "nylon", "linen", "denim")),
          G("sun hat", ("a wide brim", "a ribbon band", "a packable design"),
            ("straw", "raffia", "cotton", "linen")),
          G("beret", ("a classic stalk", "a soft lining", "a slouchy crown"),
            ("wool", "wool felt", "cashmere")),
          G("fedora", ("a grosgrain band", "a pinched crown", "a wide brim"), ("wool felt", "straw"))),
         ("cotton",),  # every hat names its own materials
         ("classic", "lightweight", "structured", "soft", "unstructured", "packable"),
         ("tonal stitching", "an inner sweatband"),
         fit_notes="one size"),
    Kind("accessories",
         (G("wallet", ("eight card slots", "a zip coin pocket", "a note compartment")),
          G("card holder", ("four card slots", "a central pocket")),
          G("coin purse", ("a zip closure", "a key ring")),
          G("passport holder", ("two card slots", "a boarding pass pocket"))),
         ("leather", "suede", "vegan leather", "patent leather", "recycled leather"),
         ("slim", "classic", "compact", "sleek", "minimal"),
         ("gold-tone hardware", "silver-tone hardware", "tonal stitching", "a debossed logo",
          "hand-painted edges"),
         fit_notes="small goods", pairs_with=()),
    Kind("accessories",
         _plain("belt", "waist belt", "trouser belt"),
         ("leather", "suede", "vegan leather", "patent leather", "recycled leather", "canvas"),
         ("slim", "wide", "classic", "skinny", "reversible", "braided"),
         ("a brass buckle", "tonal stitching", "five adjustment holes", "a keeper loop", "hand-painted edges",
          "a smooth finish"),
         fit_notes="belt", pairs_with=("bottoms", "dresses")),
)

ALL_GARMENTS = tuple((kind, garment) for kind in KINDS for garment in kind.garments)

# Which categories a product is styled with ("Pair them with a white tee.").
PAIRS_WITH = {
    "outerwear": ("tops", "knitwear", "bottoms", "dresses", "footwear"),
    "tops": ("bottoms", "outerwear", "footwear"),
    "knitwear": ("bottoms", "outerwear", "footwear"),
    "dresses": ("footwear", "outerwear", "bags"),
    "bottoms": ("tops", "knitwear", "footwear", "outerwear"),
    "footwear": ("bottoms", "dresses", "outerwear"),
    "bags": ("dresses", "outerwear", "footwear"),
    "accessories": ("outerwear", "knitwear"),
}

# ---- sentence templates --------------------------------------------------------------------------------
# {a} is the product's article ("~a" for a singular garment, nothing for a plural one); "~a" becomes "a" or
# "an" by the word after it. {this}, {is}, {them} ... agree with the garment (see _context).

FIRST_SENTENCES = (
    "{a} {colour} {garment} crafted from {material} for ~a {style} look.",
    "{this} {fit} {material} {garment} in {colour} {features} {detail} and {detail2}.",
    "Our {fit} {garment} in {colour} {material} {is} {cut} for {occasion}.",
    "{a} {fit} {material} {garment} with {detail}.",
    "{a} {colour} {material} {garment} with {detail}, made for {occasion}.",
    "Made from {quality} {material}, {this} {colour} {garment} {has} {detail}.",
    "{this} {colour} {garment} {is} made from {quality} {material} and finished with {detail}.",
    "Designed for {occasion}, {this} {fit} {garment} {comes} in {colour} {material}.",
    "~a {style} take on {the_classic} {garment}, cut from {colour} {material}.",
    "The {garment} you'll reach for all {season}: {fit}, {colour} and made from {material}.",
    "Introducing our {colour} {material} {garment}, ~a {style} essential with {detail}.",
    "Our best-selling {garment} {is} back in {colour} {material}.",
    "{a} {fit} {garment} in {colour} {material}, with {detail} and {detail2}.",
    "{a} {colour} {garment} in {quality} {material}, perfect for {occasion}.",
    "New season, new {garment}: ~a {fit} {colour} design in {material}.",
    "Meet our {fit} {garment} in {colour}, made from {material} with {detail}.",
)
FOLLOW_UPS = {
    "occasion": ("Perfect for {occasion2}.", "Ideal for {occasion2}.", "Made for {occasion2}.",
                 "A great choice for {occasion2}.", "Just right for {occasion2}.",
                 "Take {them} from {occasion} to {occasion2}."),
    "pairing": ("Pair {them} with {pairing}.", "Style {them} with {pairing}.", "Wear {them} with {pairing}.",
                "Team {them} with {pairing} for ~a {style2} look.", "{looks} great with {pairing}."),
    "detail": ("{they} also {has} {detail3}.", "Finished with {detail3}.",
               "Complete with {detail3} and {detail4}.", "Details include {detail3} and {detail4}.",
               "Look out for {detail3}."),
    "material": (),  # from MATERIAL_NOTES
    "care": (),  # from CARE_NOTES
    "fit": (),  # from FIT_NOTES
    "style": ("~a {style2} staple for your {season} wardrobe.",
              "An easy way to add {colour} to your wardrobe.",
              "A wardrobe essential that never goes out of style.", "Dress {them} up or down.",
              "A timeless piece you'll wear for years.", "Effortless, versatile and easy to wear.",
              "Designed to be worn season after season.", "Our take on ~a {style2} favourite."),
    "origin": ("Made in {country}.", "Made in {country} from responsibly sourced {material}.",
               "Responsibly made in small batches.", "Part of our conscious collection.",
               "Designed in London and made in {country}."),
    "season": ("Your new {season} favourite.", "A must-have for {season}.", "Ready for {season} and beyond.",
               "Made for {season} days.", "An easy choice for {season}."),
}
FOLLOW_UP_WEIGHTS = {"occasion": 3, "pairing": 3, "detail": 2, "material": 2, "care": 2, "fit": 2, "style": 2,
                     "origin": 1, "season": 1}
EXCLAMATIONS = ("A new favourite!", "Back by popular demand!", "Selling fast!", "Your new go-to!",
                "Limited stock, so don't wait!")
MATERIAL_NOTES = {
    "light": ("The {material} keeps you cool on warm days.", "Light and breathable for warmer days.",
              "The {quality} {material} drapes beautifully."),
    "all": ("The {material} is soft, durable and easy to care for.", "Comfortable from morning to night.",
            "Built to last for seasons to come."),
    "warm": ("The {material} keeps you warm without the bulk.", "Warm enough for the coldest days.",
             "Soft, warm and made to last."),
    "wipe": ("The {material} softens and gets better with age.", "Made to last for years.",
             "The {quality} {material} only looks better with wear."),
    "natural": ("Hand-woven by skilled artisans.", "Natural fibres with a relaxed, summery feel."),
}
CARE_NOTES = {
    "wash": ("Machine washable.", "Machine wash at 30 degrees.", "Machine wash cold and line dry.",
             "Easy care: machine wash and tumble dry low.", "Wash inside out with similar colours."),
    "delicate": ("Dry clean only.", "Hand wash cold and dry flat.", "Hand wash or dry clean.",
                 "Gentle hand wash to keep {their} shape.", "Dry clean to keep {them} looking {their} best."),
    "wipe": ("Wipe clean with a damp cloth.", "Spot clean only.", "Specialist clean only.",
             "Protect with a suitable spray before first wear."),
    "natural": ("Spot clean only.", "Keep away from water.", "Store flat to keep {their} shape."),
}
FIT_NOTES = {
    "clothing": ("True to size.", "Fits true to size.", "Model wears a size {size}.",
                 "The model is {height} cm tall and wears a size {size}.", "Take your usual size.",
                 "Runs small, so we suggest sizing up.", "Runs large; consider sizing down for a closer fit.",
                 "If you are between sizes, size up."),
    "footwear": ("True to size.", "Fits true to size.", "Runs half a size small, so we suggest sizing up.",
                 "If you are between sizes, go for the larger size.", "Available in sizes 36 to 42."),
    "large bag": ("Fits a 13-inch laptop.", "Roomy enough for all your everyday essentials.",
                  "Holds a laptop, a water bottle and more."),
    "small bag": ("Fits your phone, keys and cards.", "Just big enough for the essentials.",
                  "Compact but surprisingly roomy."),
    "one size": ("One size.", "One size fits most."),
    "small goods": ("Slim enough for any pocket.", "Fits neatly into any bag."),
    "belt": ("Available in sizes XS to XL.", "True to size.", "Order your usual trouser size."),
}
SIZES = ("XS", "S", "M", "L", "8", "10", "12")
HEIGHTS = ("170", "173", "175", "178", "180")
SINGULAR_TO_PLURAL = {"is": "are", "has": "have", "features": "feature", "comes": "come", "looks": "look"}

# fmt: on

_ARTICLE_RE = re.compile(r"~a (\S+)")

# ---- generation -----------------------------------------------------------------------------------------


def _article(word: str) -> str:
    """'a' or 'an' before `word`, by sound: an ivory, an A-line, a utility, a one-off."""
    lower = word.lower()
    if lower.startswith(("a-", "x-")) or lower in ("honest", "hour"):
        return "an"
    if lower.startswith(("uni", "use", "usu", "uti", "eu", "one")):
        return "a"
    return "an" if lower[0] in "aeiou" else "a"


def _pick(rng: random.Random, pool: Sequence[str]) -> str:
    return pool[rng.randrange(len(pool))]


def _shuffled(rng: random.Random, pool: Sequence[str]) -> list[str]:
    """A shuffled copy of pool (Fisher-Yates written out, so it only relies on randrange)."""
    items = list(pool)
    for i in range(len(items) - 1):
        j = rng.randrange(i, len(items))
        items[i], items[j] = items[j], items[i]
    return items


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    target = rng.randrange(sum(weights.values()))
    for key, weight in weights.items():
        target -= weight
        if target < 0:
            return key
    raise AssertionError("unreachable")


def _is_plural(garment: str) -> bool:
    return garment.split()[-1] in PLURAL_HEADS


def _words_of(phrase: str) -> set[str]:
    return set(phrase.lower().replace("-", " ").split()) - {"a", "an", "the", "and", "with", "at", "of"}


def _without_repeats(pool: Sequence[str], avoid: str) -> list[str]:
    """Options sharing no word with `avoid`: no 'wrap wrap skirt', no 'brushed brushed cotton'."""
    taken = _words_of(avoid)
    return [option for option in pool if not _words_of(option) & taken] or list(pool)


def _detail_key(detail: str) -> str:
    """What a detail is a kind of ('a ribbed hem' -> 'hem'); a product never gets two of a kind."""
    head = detail.replace("-", " ").split()[-1].lower()
    head = head.removesuffix("s") if len(head) > 3 and not head.endswith("ss") else head
    return "neck" if head == "neckline" else head


def _pick_details(rng: random.Random, pool: Sequence[str], avoid: str, k: int = 4) -> list[str]:
    """k details of different kinds, best sharing no word with `avoid` (no 'padded ... padded shoulders')."""
    for candidates in (_without_repeats(pool, avoid), pool):
        chosen: dict[str, str] = {}  # kind of detail -> detail
        for detail in _shuffled(rng, candidates):
            chosen.setdefault(_detail_key(detail), detail)
        if len(chosen) >= k:
            return list(chosen.values())[:k]
    raise ValueError(f"fewer than {k} kinds of detail for {avoid!r}: {list(pool)}")


def _pairs_with(kind: Kind) -> tuple[str, ...]:
    return PAIRS_WITH[kind.category] if kind.pairs_with is None else kind.pairs_with


def _pairing(rng: random.Random, categories: Sequence[str], exclude: str) -> str:
    """One or two other garments to wear with the product: 'straight-leg jeans and white sneakers'."""
    phrases = []
    for category in _shuffled(rng, categories)[: 1 + (rng.random() < 0.3)]:
        candidates = [(k, g) for k, g in ALL_GARMENTS if k.category == category and g.name != exclude]
        kind, garment = candidates[rng.randrange(len(candidates))]
        words = [garment.name]
        if rng.random() < 0.55:
            words.insert(0, _pick(rng, NEUTRALS if kind.colours is COLOURS else kind.colours))
        if rng.random() < 0.3:
            words.insert(0, _pick(rng, _without_repeats(kind.fits, garment.name)))
        phrase = " ".join(words)
        phrases.append(phrase if _is_plural(garment.name) else f"~a {phrase}")
    return " and ".join(phrases)


def _note_key(care: str, warmth: str) -> str:
    """Leather and straw are described by what they are; fabrics by how warm they are."""
    return care if care in ("wipe", "natural") else warmth


def _context(rng: random.Random) -> tuple[Kind, dict[str, str]]:
    """Draw one product and return its kind and the template fields describing it."""
    kind, garment = ALL_GARMENTS[rng.randrange(len(ALL_GARMENTS))]
    name = garment.name
    plural = _is_plural(name)
    material = _pick(rng, _without_repeats(garment.materials or kind.materials, name))
    fit = _pick(rng, _without_repeats(kind.fits, name))
    warmth, care = MATERIALS[material]
    material_seasons = {"light": WARM_SEASONS, "warm": ("autumn", "winter"), "all": ALL_SEASONS}[warmth]
    seasons = [s for s in kind.seasons if s in material_seasons] or list(kind.seasons)
    season = _pick(rng, seasons)
    occasion, occasion2 = _shuffled(rng, OCCASIONS + SEASON_OCCASIONS[season])[:2]
    details = _pick_details(rng, kind.details + garment.details, avoid=f"{name} {fit}")
    style, style2 = _shuffled(rng, STYLES)[:2]
    fields = {
        "garment": name,
        "a": "" if plural else "~a",
        "this": "these" if plural else "this",
        "the_classic": "classic" if plural else "the classic",
        "they": "they" if plural else "it",
        "them": "them" if plural else "it",
        "their": "their" if plural else "its",
        "cut": "cut" if kind.category in ("outerwear", "tops", "knitwear", "dresses", "bottoms") else "made",
        "colour": _pick(rng, kind.colours),
        "material": material,
        "quality": _pick(rng, _without_repeats(QUALITIES[_note_key(care, warmth)], material)),
        "fit": fit,
        "detail": details[0],
        "detail2": details[1],
        "detail3": details[2],
        "detail4": details[3],
        "style": style,
        "style2": style2,
        "season": season,
        "occasion": occasion,
        "occasion2": occasion2,
        "pairing": _pairing(rng, _pairs_with(kind), name) if _pairs_with(kind) else "",
        "country": _pick(rng, COUNTRIES),
        "size": _pick(rng, SIZES),
        "height": _pick(rng, HEIGHTS),
        "care": care,
        "warmth": warmth,
    }
    for singular, plural_form in SINGULAR_TO_PLURAL.items():
        fields[singular] = plural_form if plural else singular
    return kind, fields


def _finish(template: str, fields: dict[str, str]) -> str:
    """Fill a template, resolve '~a' articles, tidy spaces and capitalize the first letter."""
    text = template.format(**fields)
    text = _ARTICLE_RE.sub(lambda m: f"{_article(m.group(1))} {m.group(1)}", text)
    text = " ".join(text.split())
    return text[0].upper() + text[1:]


def _follow_up_sentence(rng: random.Random, kind: Kind, fields: dict[str, str], topic: str) -> str:
    if topic == "material":
        pool = MATERIAL_NOTES[_note_key(fields["care"], fields["warmth"])]
    elif topic == "care":
        pool = CARE_NOTES[fields["care"]]
    elif topic == "fit":
        pool = FIT_NOTES[kind.fit_notes]
    else:
        pool = FOLLOW_UPS[topic]
    return _finish(_pick(rng, pool), fields)


def _description(rng: random.Random) -> str:
    """One to three sentences; the first introduces the product."""
    kind, fields = _context(rng)
    sentences = [_finish(_pick(rng, FIRST_SENTENCES), fields)]
    roll = rng.random()
    extra = 0 if roll < 0.2 else 1 if roll < 0.65 else 2
    weights = dict(FOLLOW_UP_WEIGHTS)
    if not fields["pairing"]:
        del weights["pairing"]
    for _ in range(extra):
        topic = _weighted(rng, weights)
        del weights[topic]
        sentences.append(_follow_up_sentence(rng, kind, fields, topic))
    if len(sentences) < 3 and rng.random() < 0.03:
        sentences.append(_pick(rng, EXCLAMATIONS))
    return " ".join(sentences)


def generate_descriptions(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> list[str]:
    """`count` distinct product descriptions, the same for the same seed on every Python >= 3.10."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    rng = random.Random(seed)
    descriptions: list[str] = []
    seen: set[str] = set()
    attempts_left = 100 * count + 1000
    while len(descriptions) < count:
        attempts_left -= 1
        if attempts_left < 0:
            raise ValueError(f"could not draw {count} distinct descriptions; ask for fewer")
        description = _description(rng)
        if description not in seen:
            seen.add(description)
            descriptions.append(description)
    return descriptions


def distinct_words(descriptions: Sequence[str]) -> int:
    """Number of distinct lowercase words (punctuation not counted), split as the tokenizer does."""
    return len({word for text in descriptions for word in split_words(text) if word not in PUNCTUATION})


def write_csv(path: str | os.PathLike[str], count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> None:
    """Write the descriptions as a one-column CSV (header `description`), atomically."""
    _write_rows(Path(path), generate_descriptions(count, seed))


def _write_rows(path: Path, rows: Sequence[str]) -> None:
    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["description"])
        writer.writerows([row] for row in rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m lstm_edge.train.fashion_corpus",
        description="Write the built-in corpus of fashion product descriptions as a CSV.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_CSV_PATH,
        help="CSV to write (default: the file shipped with the package)",
    )
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="number of descriptions")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be >= 0")
    rows = generate_descriptions(args.count, args.seed)
    _write_rows(args.out, rows)
    print(f"Wrote {len(rows)} descriptions ({distinct_words(rows)} distinct words) to {args.out}")


if __name__ == "__main__":
    main()
