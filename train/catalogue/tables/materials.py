"""Materials: what each one implies about seasons, care and (metals) tone."""

from lstm_edge.train.catalogue.schema import Material

LIGHT, ALL, WARM = "light", "all", "warm"

# fmt: off
MATERIALS = {
    # plant fibres and easy-care fabrics
    "cotton": Material(ALL, "wash"), "organic cotton": Material(ALL, "wash"),
    "recycled cotton": Material(ALL, "wash"), "Supima cotton": Material(ALL, "wash"),
    "Pima cotton": Material(ALL, "wash"), "cotton poplin": Material(LIGHT, "wash"),
    "cotton voile": Material(LIGHT, "wash"), "cotton lawn": Material(LIGHT, "wash"),
    "seersucker": Material(LIGHT, "wash"), "broderie anglaise": Material(LIGHT, "wash"),
    "chambray": Material(LIGHT, "wash"), "cotton twill": Material(ALL, "wash"),
    "cotton canvas": Material(ALL, "wash"), "canvas": Material(ALL, "wash"), "cotton drill": Material(ALL, "wash"),
    "oxford cotton": Material(ALL, "wash"), "cotton jersey": Material(ALL, "wash"), "jersey": Material(ALL, "wash"),
    "slub jersey": Material(ALL, "wash"), "rib jersey": Material(ALL, "wash"), "pique": Material(ALL, "wash"),
    "French terry": Material(ALL, "wash"), "loopback cotton": Material(ALL, "wash"),
    "brushed cotton": Material(WARM, "wash"), "flannel": Material(WARM, "wash"), "fleece": Material(WARM, "wash"),
    "sherpa fleece": Material(WARM, "wash"), "corduroy": Material(WARM, "wash"), "needlecord": Material(WARM, "wash"),
    "moleskin": Material(WARM, "wash"), "towelling": Material(ALL, "wash"), "waffle cotton": Material(ALL, "wash"),
    "muslin": Material(LIGHT, "wash"), "cotton modal": Material(ALL, "wash"), "modal": Material(ALL, "wash"),
    "lyocell": Material(LIGHT, "wash"), "Tencel lyocell": Material(LIGHT, "wash"), "bamboo": Material(ALL, "wash"),
    "linen": Material(LIGHT, "wash"), "linen blend": Material(LIGHT, "wash"), "linen-cotton blend": Material(LIGHT, "wash"),
    "hemp": Material(LIGHT, "wash"), "ramie": Material(LIGHT, "wash"),
    # denim
    "denim": Material(ALL, "denim"), "stretch denim": Material(ALL, "denim"), "rigid denim": Material(ALL, "denim"),
    "organic denim": Material(ALL, "denim"), "selvedge denim": Material(ALL, "denim"),
    "recycled denim": Material(ALL, "denim"), "comfort-stretch denim": Material(ALL, "denim"),
    # synthetics and performance fabrics
    "polyester": Material(ALL, "wash"), "recycled polyester": Material(ALL, "wash"), "nylon": Material(ALL, "wash"),
    "recycled nylon": Material(ALL, "wash"), "ripstop": Material(ALL, "wash"), "softshell": Material(ALL, "wash"),
    "stretch jersey": Material(ALL, "wash"), "ponte": Material(ALL, "wash"), "scuba": Material(ALL, "wash"),
    "mesh": Material(LIGHT, "wash"), "recycled mesh": Material(LIGHT, "wash"), "elastane": Material(ALL, "wash"),
    "sweat-wicking jersey": Material(ALL, "sport"), "quick-dry fabric": Material(ALL, "sport"),
    "technical stretch": Material(ALL, "sport"), "compression fabric": Material(ALL, "sport"),
    "recycled swim fabric": Material(LIGHT, "swim"), "chlorine-resistant fabric": Material(LIGHT, "swim"),
    "textured swim fabric": Material(LIGHT, "swim"), "ribbed swim fabric": Material(LIGHT, "swim"),
    "lace": Material(ALL, "delicate"), "stretch lace": Material(ALL, "delicate"), "microfibre": Material(ALL, "wash"),
    "waxed cotton": Material(ALL, "wipe"), "PU": Material(ALL, "wipe"), "rubber": Material(ALL, "wipe"),
    "recycled rubber": Material(ALL, "wipe"), "EVA": Material(ALL, "wipe"),
    # drapey and fine fabrics
    "silk": Material(LIGHT, "delicate"), "washed silk": Material(LIGHT, "delicate"),
    "silk satin": Material(LIGHT, "delicate"), "silk crepe de chine": Material(LIGHT, "delicate"),
    "satin": Material(LIGHT, "delicate"), "chiffon": Material(LIGHT, "delicate"), "georgette": Material(LIGHT, "delicate"),
    "organza": Material(LIGHT, "delicate"), "tulle": Material(LIGHT, "delicate"), "crepe": Material(ALL, "delicate"),
    "viscose": Material(LIGHT, "delicate"), "EcoVero viscose": Material(LIGHT, "delicate"),
    "cupro": Material(LIGHT, "delicate"), "velvet": Material(WARM, "delicate"), "crushed velvet": Material(WARM, "delicate"),
    "sequins": Material(ALL, "delicate"), "jacquard": Material(ALL, "delicate"), "brocade": Material(WARM, "delicate"),
    "taffeta": Material(ALL, "delicate"), "cotton gabardine": Material(ALL, "delicate"),
    # wool and other animal fibres
    "wool": Material(WARM, "wool"), "wool blend": Material(WARM, "wool"), "recycled wool": Material(WARM, "wool"),
    "virgin wool": Material(WARM, "wool"), "merino wool": Material(WARM, "wool"), "extra-fine merino": Material(WARM, "wool"),
    "lambswool": Material(WARM, "wool"), "cashmere": Material(WARM, "wool"), "cashmere blend": Material(WARM, "wool"),
    "mohair": Material(WARM, "wool"), "alpaca": Material(WARM, "wool"), "baby alpaca": Material(WARM, "wool"),
    "boucle": Material(WARM, "wool"), "tweed": Material(WARM, "wool"), "Harris tweed": Material(WARM, "wool"),
    "herringbone tweed": Material(WARM, "wool"), "wool felt": Material(WARM, "wool"), "melton wool": Material(WARM, "wool"),
    "wool flannel": Material(WARM, "wool"), "tropical wool": Material(ALL, "wool"), "wool twill": Material(ALL, "wool"),
    "Shetland wool": Material(WARM, "wool"), "angora blend": Material(WARM, "wool"),
    "cotton knit": Material(ALL, "knit"), "chunky knit": Material(WARM, "knit"), "fine knit": Material(ALL, "knit"),
    "rib knit": Material(ALL, "knit"), "cable knit": Material(WARM, "knit"), "waffle knit": Material(ALL, "knit"),
    "goose down": Material(WARM, "down"), "recycled goose down": Material(WARM, "down"),
    # leather and leather-like
    "leather": Material(ALL, "leather"), "full-grain leather": Material(ALL, "leather"),
    "Italian leather": Material(ALL, "leather"), "soft leather": Material(ALL, "leather"),
    "pebbled leather": Material(ALL, "leather"), "smooth leather": Material(ALL, "leather"),
    "croc-effect leather": Material(ALL, "leather"), "patent leather": Material(ALL, "leather"),
    "suede": Material(ALL, "suede"), "nubuck": Material(ALL, "suede"), "shearling": Material(WARM, "suede"),
    "faux shearling": Material(WARM, "wash"), "faux fur": Material(WARM, "delicate"),
    "vegan leather": Material(ALL, "leather"), "faux leather": Material(ALL, "leather"),
    "recycled leather": Material(ALL, "leather"), "faux suede": Material(ALL, "suede"),
    # natural fibres for summer goods
    "straw": Material(LIGHT, "natural"), "raffia": Material(LIGHT, "natural"), "jute": Material(LIGHT, "natural"),
    "paper straw": Material(LIGHT, "natural"), "seagrass": Material(LIGHT, "natural"), "rattan": Material(LIGHT, "natural"),
    # metals and jewellery materials: tone is the colour they give
    "sterling silver": Material(ALL, "jewellery", "silver"), "recycled sterling silver": Material(ALL, "jewellery", "silver"),
    "gold vermeil": Material(ALL, "jewellery", "gold"), "18k gold vermeil": Material(ALL, "jewellery", "gold"),
    "14k gold-plated brass": Material(ALL, "jewellery", "gold"), "18k gold-plated sterling silver": Material(ALL, "jewellery", "gold"),
    "solid 9ct gold": Material(ALL, "jewellery", "gold"), "14k solid gold": Material(ALL, "jewellery", "gold"),
    "rose gold vermeil": Material(ALL, "jewellery", "rose gold"), "rose gold-plated sterling silver": Material(ALL, "jewellery", "rose gold"),
    "stainless steel": Material(ALL, "metal", "silver"), "gold-plated stainless steel": Material(ALL, "metal", "gold"),
    "brushed steel": Material(ALL, "metal", "silver"), "titanium": Material(ALL, "metal", "silver"),
    "rhodium-plated brass": Material(ALL, "jewellery", "silver"), "platinum-plated sterling silver": Material(ALL, "jewellery", "silver"),
    # eyewear, umbrellas, hair accessories
    "acetate": Material(ALL, "eyewear"), "bio-acetate": Material(ALL, "eyewear"), "recycled acetate": Material(ALL, "eyewear"),
    "metal": Material(ALL, "eyewear"), "lightweight metal": Material(ALL, "eyewear"),
    "recycled plastic": Material(ALL, "eyewear"), "resin": Material(ALL, "wipe"), "recycled resin": Material(ALL, "wipe"),
    "cellulose acetate": Material(ALL, "wipe"), "wood": Material(ALL, "natural"),
    "pongee": Material(ALL, "wipe"), "recycled pongee": Material(ALL, "wipe"), "waterproof nylon": Material(ALL, "wipe"),
    "fibreglass": Material(ALL, "wipe"),
    # more fabrics
    "cotton sateen": Material(ALL, "wash"), "double gauze": Material(LIGHT, "wash"), "Irish linen": Material(LIGHT, "wash"),
    "Belgian linen": Material(LIGHT, "wash"), "silk-cotton blend": Material(LIGHT, "delicate"),
    "boiled wool": Material(WARM, "wool"), "polar fleece": Material(WARM, "wash"), "chenille": Material(WARM, "delicate"),
    "lurex": Material(ALL, "delicate"), "crinkle cotton": Material(LIGHT, "wash"), "cheesecloth": Material(LIGHT, "wash"),
    "madras cotton": Material(LIGHT, "wash"), "eyelet cotton": Material(LIGHT, "wash"), "heavyweight jersey": Material(ALL, "wash"),
    "cotton piqué": Material(ALL, "wash"), "terry towelling": Material(ALL, "wash"), "ribbed cotton": Material(ALL, "wash"),
    "plissé": Material(LIGHT, "delicate"), "mesh knit": Material(LIGHT, "knit"), "pointelle knit": Material(ALL, "knit"),
    "wool-cashmere blend": Material(WARM, "wool"), "camel hair": Material(WARM, "wool"), "yak wool": Material(WARM, "wool"),
    "vegan suede": Material(ALL, "suede"), "teddy fleece": Material(WARM, "wash"), "cellular cotton": Material(ALL, "wash"), "cork": Material(ALL, "natural"), "recycled canvas": Material(ALL, "wash"),
    # used by a few products only
    "crochet cotton": Material(LIGHT, "knit"), "cotton gauze": Material(LIGHT, "wash"), "elasticated cotton": Material(ALL, "wash"),
    "gingham cotton": Material(LIGHT, "wash"), "grenadine silk": Material(ALL, "delicate"),
    "knitted silk": Material(ALL, "delicate"), "grosgrain ribbon": Material(ALL, "delicate"),
    "metallic leather": Material(ALL, "leather"), "nappa leather": Material(ALL, "leather"),
    "sheepskin": Material(WARM, "suede"), "velour": Material(ALL, "wash"),
}
# fmt: on
