"""Kinds of part a product can have, by the words that name them.

A family lists the kinds it has (`Family.slots`). The checker reads any of these words that is not part
of a longer phrase the family owns ("a padded laptop sleeve" is a bag's) as naming a part of that kind:
a bag described "with a V-neckline" or a skirt "with a cushioned sole" is incoherent.
"""

# fmt: off
SLOTS = {
    "neckline": ("neckline", "necklines", "v-neck", "v-neckline", "scoop", "halterneck", "sweetheart"),
    "collar": ("collar", "collars", "lapel", "lapels", "revers"),
    "hood": ("hood", "hoods"),
    "sleeve": ("sleeve", "sleeves", "sleeveless", "armholes"),
    "cuff": ("cuff", "cuffs"),
    "waist": ("waist", "waistband", "waistline", "waisted", "rise"),
    "hem": ("hem", "hems", "hemline", "split", "splits", "slit", "vent", "vents"),
    "fastening": ("zip", "zips", "zipper", "buttons", "button", "placket", "poppers", "popper", "toggles",
                  "press-studs", "snaps", "fastening", "fastenings", "fly"),
    "pocket": ("pocket", "pockets"),
    "lining": ("lining", "lined", "unlined"),
    "cup": ("cups", "cup", "underwire", "underwired", "padding", "padded"),
    "leg": ("inseam", "leg"),
    "sole": ("sole", "soles", "outsole", "midsole", "insole", "insoles", "footbed", "tread"),
    "heel": ("heel", "heels"),
    "toe": ("toe", "toes", "toecap"),
    "upper": ("upper", "uppers", "vamp", "topline", "tongue"),
    "laces": ("laces", "lacing", "eyelets", "lace-up"),
    "strap": ("strap", "straps", "strappy"),
    "handle": ("handle", "handles"),
    "compartment": ("compartment", "compartments", "divider", "dividers", "slots", "slot"),
    "closure": ("closure", "clasp", "clasps", "magnetic"),
    "hardware": ("hardware", "buckle", "buckles", "rivets", "studs", "d-rings"),
    "metal": ("plated", "plating", "vermeil", "hallmarked"),
    "stone": ("stone", "stones", "gemstone", "gemstones", "pearl", "pearls", "zirconia", "crystals"),
    "chain": ("chain", "chains", "links"),
    "dial": ("dial", "dials", "bezel", "indices"),
    "case": ("case",),
    "movement": ("movement",),
    "crystal": ("crystal", "glass"),
    "lens": ("lens", "lenses", "polarised"),
    "frame": ("frame", "frames", "temples", "hinges", "hinge", "bridge"),
    "brim": ("brim", "crown", "peak"),
    "canopy": ("canopy", "ribs", "shaft"),
    "tip": ("tip", "blade", "knot"),
}
# Phrases that contain a colour or material word but name neither: the checker reads them as one word.
NOT_ATTRIBUTES = (
    "microfibre cloth", "soft cloth", "sun cream", "blue light", "wool cycle", "dust bag", "gift box", "suede brush",
    "tennis balls", "recycled bottles", "ocean plastic", "precious metals", "plant-based materials", "natural fibres",
    "conventional denim", "four-way stretch",
)
# fmt: on
