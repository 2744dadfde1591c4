"""Colours, by palette: each family draws its product's one colour from its palette.

A colour phrase names the colour of the product itself. Hardware finishes ("gold-tone") and lens or
dial descriptions are parts (tables.parts), never colours, so "a black bag with gold-tone hardware"
tells one colour story.
"""

# fmt: off
APPAREL = (
    "black", "white", "off-white", "ivory", "cream", "ecru", "oatmeal", "beige", "sand", "camel", "tan",
    "taupe", "mushroom", "chocolate", "brown", "espresso", "mocha", "grey", "light grey", "charcoal",
    "navy", "blue", "midnight blue", "cobalt", "royal blue", "sky blue", "powder blue", "pale blue", "teal",
    "petrol blue", "turquoise", "aqua", "mint", "sage", "sage green", "khaki", "olive", "forest green",
    "green", "bottle green", "emerald", "lime", "pistachio", "yellow", "butter yellow", "lemon", "mustard", "ochre",
    "gold",
    "orange", "tangerine", "rust", "terracotta", "coral", "peach", "apricot", "red", "cherry red",
    "tomato red", "burgundy", "wine", "raspberry", "fuchsia", "hot pink", "pink", "pale pink", "blush",
    "dusty rose", "rose", "lilac", "lavender", "mauve", "plum", "purple", "violet", "berry", "silver",
    "multicolour", "chartreuse", "cornflower blue", "duck egg blue", "ice blue", "sea green", "jade",
    "moss green", "pine green", "avocado", "sunflower yellow", "saffron", "marigold", "amber", "caramel", "cinnamon",
    "toffee", "biscuit", "pebble", "putty", "greige", "ash grey", "slate", "graphite", "pewter", "smoke", "ink",
    "periwinkle", "grey marl", "vanilla", "champagne", "candy pink", "bubblegum pink", "brick red", "scarlet",
    "crimson", "aubergine", "damson", "magenta", "orchid", "heather", "ruby", "cerise", "copper", "bronze", "navy blue",
    "sky", "denim blue", "powder pink", "lime green", "olive green", "dark green", "light blue", "dark brown",
)
DENIM = (
    "indigo", "light-wash", "mid-wash", "dark-wash", "vintage blue", "bleached", "washed black",
    "black", "white", "ecru", "grey",
)
LEATHER = (
    "black", "tan", "cognac", "brown", "dark brown", "chocolate", "burgundy", "oxblood", "navy", "taupe",
    "stone grey", "white", "cream", "camel", "olive", "red", "blush", "nude", "silver", "gold", "caramel", "toffee",
    "cream white", "chestnut", "mahogany", "khaki", "bone", "metallic silver", "bronze", "forest green", "cobalt",
    "powder blue", "lilac", "ecru", "sand", "grey",
)
KIDS = (
    "red", "navy", "blue", "sky blue", "yellow", "orange", "green", "mint", "pink", "hot pink", "lilac",
    "purple", "grey", "white", "black", "cream", "teal", "coral", "rainbow", "multicolour", "khaki", "bright blue",
    "lime", "turquoise", "pale pink", "sunshine yellow", "fuchsia",
)
SPORT = (
    "black", "white", "navy", "charcoal", "grey", "khaki", "olive", "sage", "forest green", "teal",
    "cobalt", "sky blue", "coral", "hot pink", "lilac", "red", "burgundy", "neon yellow", "neon green", "electric blue",
    "ice blue", "berry", "plum", "mint", "heather grey", "graphite", "orange",
)
SWIM = (
    "black", "white", "navy", "red", "coral", "turquoise", "aqua", "cobalt", "emerald", "hot pink",
    "pink", "lilac", "orange", "yellow", "sunshine yellow", "tangerine", "lime",
)
METAL = ("gold", "silver", "rose gold")
FRAMES = ("black", "tortoiseshell", "havana", "clear", "honey", "gold", "silver", "gunmetal", "navy")
UMBRELLA = ("black", "navy", "red", "yellow", "clear", "green", "grey")

PALETTES = {
    "apparel": APPAREL, "denim": DENIM, "leather": LEATHER, "kids": KIDS, "sport": SPORT, "swim": SWIM,
    "metal": METAL, "frames": FRAMES, "umbrella": UMBRELLA,
}
# Colours that go with anything, for the pieces a product is styled with.
NEUTRALS = ("white", "black", "cream", "navy", "grey", "camel", "tan", "ecru", "charcoal", "brown", "beige")
# fmt: on
