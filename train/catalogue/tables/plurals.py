"""Head nouns that are grammatically plural: "these jeans are", "pair them", no "a" before them."""

# fmt: off
PLURAL_HEADS = frozenset((
    "jeans", "trousers", "shorts", "chinos", "joggers", "sweatpants", "pants", "culottes", "leggings", "tights",
    "flares", "dungarees", "overalls", "pyjamas", "pajamas", "bottoms", "briefs", "knickers", "panties", "trunks",
    "sneakers", "trainers", "loafers", "flats", "shoes", "brogues", "boots", "sandals", "mules", "slides",
    "espadrilles", "slingbacks", "flip-flops", "wedges", "sliders", "heels", "janes", "plimsolls", "slippers",
    "moccasins", "wellies", "walkers", "booties", "socks", "gloves", "mittens", "earrings", "cufflinks", "rings",
    "sunglasses", "glasses", "frames", "bodysuits", "pumps", "khakis", "boyshorts", "jeggings", "clogs", "earmuffs",
    "gauntlets", "pins", "climbers", "stockings", "ties", "sweatpants", "pre-walkers", "squares", "flares", "hoops",
    "studs",
))
# fmt: on
