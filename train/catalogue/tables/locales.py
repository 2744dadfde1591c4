"""UK and US catalogues: the same tables, two spellings, two sets of sizes.

The tables are written in UK English; a US description is the same text with the phrases below
replaced (longest first, whole words). Sizes and measurements come from the description's locale.
"""

# fmt: off
US_PHRASES = {
    "colour": "color", "colours": "colors", "colourful": "colorful", "favourite": "favorite",
    "favourites": "favorites", "grey": "gray",
    "jewellery": "jewelry", "cosy": "cozy", "trousers": "pants", "trouser": "pant", "trouser belt": "dress belt",
    "trouser suit": "pantsuit", "jumper": "sweater", "jumpers": "sweaters", "trainers": "sneakers",
    "trainer socks": "sneaker socks", "light-up trainers": "light-up sneakers", "pyjamas": "pajamas",
    "pyjama": "pajama", "autumn": "fall", "holiday": "vacation", "holidays": "vacations", "mum": "mom",
    "organised": "organized", "moulded": "molded", "polarised": "polarized", "metres": "meters", "centre": "center",
    "dressing gown": "robe", "waistcoat": "vest", "knitted waistcoat": "sweater vest",
    "rash vest": "rash guard", "nappy": "diaper", "nappy changes": "diaper changes", "swim nappy": "swim diaper",
    "knickers": "panties", "court shoes": "pumps", "turn-up hems": "cuffed hems",
    "popper fastenings": "snap fastenings",
    "poppers": "snaps", "a popper fastening": "a snap fastening", "poppers at the shoulder": "snaps at the shoulder",
    "sun cream": "sunscreen", "holdall": "carryall", "wellington boots": "rain boots",
    "vest top": "tank top", "babygrow": "footie", "dinner suit": "tuxedo", "fibreglass": "fiberglass",
    "microfibre": "microfiber", "fibres": "fibers", "odour": "odor", "anti-odour": "anti-odor",
    "odour-resistant": "odor-resistant",
    "vulcanised": "vulcanized", "flat cap": "newsboy cap",
    "nightie": "nightgown", "mitts": "mittens", "fold-over mitts": "fold-over mittens",
    "tea dress": "day dress", "pinafore dress": "jumper dress", "flares": "flared pants", "cami top": "cami",
    "the school run": "the school drop-off", "bonfire night": "Halloween", "the festive season": "the holiday season",
    "the party season": "the holiday party season",
}
# Per locale: sizes, heights, ranges and measurements, for women's/unisex and for men's products.
MEASURES = {
    "uk": {
        "size": ("8", "10", "12", "14", "XS", "S", "M", "small", "medium"),
        "men_size": ("M", "L", "38", "40", "medium", "large"),
        "size_word": ("small", "medium", "large", "XS", "petite"),
        "size_range": ("6 to 18", "XS to XL", "8 to 22", "4 to 20"),
        "height": ("5'8", "5'9", "5'10", "5'11", "175 cm", "178 cm", "5 ft 9", "5 foot 10"),
        "men_height": ("6'1", "6'0", "6'2", "185 cm", "188 cm", "6 ft 1"),
        "reviewer_height": ("5'2", "5'3", "5'4", "5'5", "5'6", "5'7", "160 cm", "165 cm", "5 ft 4"),
        "shoe_range": ("3 to 8", "36 to 42", "4 to 9", "6 to 12", "7 to 11"),
        "kid_shoe_range": ("infant 4 to junior 13", "junior 10 to adult 6", "infant 2 to infant 9"),
        "age_range": ("2 to 12 years", "3 to 14 years", "1 to 6 years", "5 to 16 years"),
        "bag_size": ("40 x 30 x 12 cm", "35 x 28 x 10 cm", "45 x 32 x 15 cm", "38 x 26 x 14 cm"),
        "small_bag_size": ("22 x 15 x 6 cm", "18 x 12 x 5 cm", "24 x 16 x 8 cm"),
        "chain_length": ("45 cm", "40 cm plus a 5 cm extender", "50 cm", "42 cm"),
    },
    "us": {
        "size": ("2", "4", "6", "8", "10", "XS", "S", "M", "small", "medium"),
        "men_size": ("M", "L", "38", "40", "medium", "large"),
        "size_word": ("small", "medium", "large", "XS", "petite"),
        "size_range": ("0 to 16", "XS to XL", "XXS to XXL", "2 to 18"),
        "height": ("5'8", "5'9", "5'10", "5'11", "5 ft 9", "5 foot 10"),
        "men_height": ("6'1", "6'0", "6'2", "6 ft 1"),
        "reviewer_height": ("5'1", "5'2", "5'3", "5'4", "5'5", "5'6", "5'7", "5 ft 4"),
        "shoe_range": ("5 to 11", "6 to 10", "7 to 13", "8 to 12"),
        "kid_shoe_range": ("toddler 5 to youth 3", "youth 1 to 7", "toddler 4 to 10"),
        "age_range": ("2 to 12 years", "4 to 14 years", "1 to 6 years", "5 to 16 years"),
        "bag_size": ("16 x 12 x 5 inches", "14 x 11 x 4 inches", "18 x 13 x 6 inches"),
        "small_bag_size": ("9 x 6 x 2 inches", "7 x 5 x 2 inches", "10 x 7 x 3 inches"),
        "chain_length": ("18 inches", "16 inches plus a 2-inch extender", "20 inches", "17 inches"),
    },
}
# fmt: on
