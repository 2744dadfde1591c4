"""Sentence templates and the words they are filled with (UK spelling; tables.locales makes US copies).

Fields in braces are filled per product (grammar.py): {item}, {colour}, {material}, {shape}, {detail} …
{detail4}, {occasion}, {occasion2}, {season}, {adj}, {adj2}, {adv}, {quality}, {style}, {made}, {aud}
(the audience word before the noun: "women's", "kids'"), {for_aud} ("for men"), {pairing}, {size},
{height}, {shoe_sizes}, {country}. "{a}" is the product's article ("~a" for one thing, nothing for a
pair); "~a" becomes "a" or "an" by the next word. {this}, {they}, {them}, {its}, {is}, {has} … agree with the noun.
"""

# fmt: off
# ---- marketing words, by Family.adjectives ---------------------------------------------------------------
GENERAL_ADJECTIVES = ("stylish", "elegant", "versatile", "timeless", "chic", "modern", "classic", "beautiful",
                      "effortless", "polished", "refined", "sophisticated", "easy", "essential", "understated",
                      "contemporary", "iconic", "signature", "luxurious", "premium", "striking", "eye-catching",
                      "standout", "statement", "must-have", "go-to", "gorgeous", "lovely", "stunning", "sleek")
ADJECTIVES = {
    "garment": ("flattering", "feminine", "comfortable", "easy-to-wear", "relaxed", "pretty", "vibrant",
                "playful", "fresh", "figure-flattering", "laid-back"),
    "knit": ("cosy", "soft", "warm", "snug", "comfortable", "luxurious", "textured", "heritage", "comforting"),
    "coat": ("warm", "practical", "weatherproof", "hard-wearing", "investment-worthy", "smart", "rugged", "cosy"),
    "tailoring": ("sharp", "smart", "tailored", "distinguished", "dapper", "refined", "formal", "crisp", "confident"),
    "sport": ("high-performance", "technical", "supportive", "lightweight", "breathable", "sporty", "functional",
              "motivating", "hard-working", "comfortable"),
    "swim": ("flattering", "vibrant", "bold", "fun", "summery", "retro", "supportive", "sculpting", "sunny"),
    "lingerie": ("delicate", "comfortable", "pretty", "soft", "sensual", "supportive", "seamless", "feminine",
                 "barely-there", "everyday"),
    "lounge": ("cosy", "comfortable", "soft", "relaxed", "snug", "dreamy", "cuddly", "lightweight", "indulgent"),
    "basics": ("comfortable", "soft", "practical", "everyday", "hard-wearing", "reliable", "fun", "cosy"),
    "footwear": ("comfortable", "practical", "supportive", "smart", "cool", "hard-wearing", "walkable", "sporty",
                 "fun", "feminine"),
    "bag": ("practical", "roomy", "spacious", "functional", "compact", "hard-wearing", "smart", "useful",
            "structured", "fun"),
    "jewellery": ("dainty", "delicate", "radiant", "sparkling", "precious", "meaningful", "personal",
                  "heirloom-worthy", "feminine", "fine"),
    "watch": ("precise", "reliable", "refined", "smart", "sporty", "understated", "distinguished", "robust",
              "heirloom-worthy"),
    "eyewear": ("bold", "retro", "cool", "flattering", "lightweight", "sporty", "protective", "fun"),
    "accessory": ("practical", "useful", "fun", "pretty", "finishing", "playful", "handy", "cool"),
    "kids": ("fun", "playful", "colourful", "bright", "hard-wearing", "practical", "comfy", "cheerful", "cute",
             "adorable", "easy-care"),
    "baby": ("soft", "gentle", "cosy", "adorable", "cute", "snuggly", "sweet", "practical", "comfy"),
}
# Added for materials of that warmth: no "breezy" wool coat.
WARMTH_ADJECTIVES = {"light": ("breezy", "airy", "summery", "floaty", "cool"), "warm": ("cosy", "snug", "warm"), "all": ()}
# Families whose products are worn as clothes: their care and feel notes follow the fabric.
GARMENT_ADJECTIVES = ("garment", "knit", "coat", "tailoring", "sport", "swim", "lingerie", "lounge", "basics", "kids", "baby")
ADVERBS = ("effortlessly", "beautifully", "simply", "utterly", "wonderfully", "seriously", "perfectly",
           "incredibly", "timelessly", "quietly", "endlessly")
# How a product is made, by Family.adjectives: "cut from linen", "knitted from merino wool".
MAKE_VERBS = {
    "garment": ("cut", "made", "crafted"), "knit": ("knitted", "made", "spun"), "coat": ("cut", "made", "crafted"),
    "tailoring": ("cut", "tailored", "made"), "sport": ("made", "engineered", "designed"),
    "swim": ("made", "cut"), "lingerie": ("made", "crafted"), "lounge": ("made", "cut"), "basics": ("made", "knitted"),
    "footwear": ("made", "crafted", "handcrafted"), "bag": ("made", "crafted", "handcrafted"),
    "jewellery": ("crafted", "handcrafted", "made"), "watch": ("made", "crafted", "built"),
    "eyewear": ("made", "crafted", "handcrafted"), "accessory": ("made", "crafted"), "kids": ("made",),
    "baby": ("made",),
}
# Quality words by material: Material.care first, then Material.warmth.
QUALITIES = {
    "light": ("lightweight", "breathable", "airy", "soft", "cool", "fluid", "featherlight"),
    "all": ("soft", "durable", "premium", "midweight", "quality", "hard-wearing", "responsibly sourced"),
    "warm": ("cosy", "warm", "soft", "heavyweight", "brushed", "premium", "thick", "insulating"),
    "leather": ("supple", "smooth", "premium", "buttery-soft", "durable", "rich", "hand-finished"),
    "suede": ("soft", "velvety", "premium", "supple", "brushed"),
    "natural": ("hand-woven", "natural", "lightweight", "artisan-made"),
    "jewellery": ("polished", "hallmarked", "recycled", "high-shine", "precious", "responsibly sourced"),
    "metal": ("polished", "brushed", "durable", "hypoallergenic", "scratch-resistant"),
    "eyewear": ("lightweight", "durable", "hand-polished", "glossy", "matte"),
    "wool": ("soft", "warm", "fine", "premium", "responsibly sourced", "traceable", "naturally warm"),
    "denim": ("heavyweight", "midweight", "soft", "premium", "authentic", "responsibly made"),
    "sport": ("lightweight", "stretchy", "breathable", "technical", "recycled"),
    "swim": ("recycled", "quick-drying", "sculpting", "soft-touch", "stretchy"),
}

# ---- the first sentence: introduces the product ------------------------------------------------------
# Each template lists the fields it needs; grammar.py uses only templates whose fields it can fill.
OPENINGS = (
    "{a} {colour} {material} {item} with {detail}.",
    "{a} {colour} {material} {item} with {detail}, made for {occasion}.",
    "{a} {shape} {material} {item} with {detail} and {detail2}.",
    "{a} {shape} {item} in {colour} {material}, with {detail} and {detail2}.",
    "{a} {colour} {item} in {quality} {material}, perfect for {occasion}.",
    "{a} {adj} {shape} {item} in {colour}, {made} from {material}.",
    "{a} {adj} {colour} {item} that {takes} you from {occasion} to {occasion2}.",
    "{a} {colour} {material} {item} to wear for {occasion} and beyond.",
    "{a} {adj} {item} in {colour} {material}.",
    "{a} {colour} {item} with {detail}.",
    "{a} {colour} {shape} {item} {for_aud}, {made} from {material}.",
    "{a} {aud} {colour} {item} in {material} with {detail}.",
    "{a} {aud} {shape} {item} in {colour}, perfect for {occasion}.",
    "{aud} {colour} {material} {item} with {detail}.",
    "{aud} {shape} {item} in {colour} {material}.",
    "{aud} {item} in {colour}, {made} from {quality} {material} with {detail}.",
    "{aud} {colour} {item}: {shape}, {adj} and finished with {detail}.",
    "{aud} {adj} {item} in {colour} with {detail} and {detail2}.",
    "{this} {adj} {item} in {colour} {material} {has} {detail} and {detail2}.",
    "{this} {adj} {colour} {item} {is} {made} from {material} for {occasion}.",
    "{this} {adj} {shape} {item} {comes} in {colour} with {detail}.",
    "{this} {shape} {material} {item} in {colour} {features} {detail} and {detail2}.",
    "{this} {colour} {item} {is} made from {quality} {material} and finished with {detail}.",
    "Our {shape} {item} in {colour} {material} {is} {made} for {occasion}.",
    "Our best-selling {item} {is} back in {colour} {material}.",
    "Our {adj} {colour} {item} {is} back for {season}, now with {detail}.",
    "Meet our {shape} {item} in {colour}, made from {material} with {detail}.",
    "Introducing our {colour} {material} {item}, ~a {adj} essential with {detail}.",
    "Made from {quality} {material}, {this} {colour} {item} {has} {detail}.",
    "Designed for {occasion}, {this} {shape} {item} {comes} in {colour} {material}.",
    "{adv} {adj}, {this} {colour} {item} {is} {made} from {quality} {material}.",
    "{adv} {adj} and easy to wear, {this} {colour} {item} {has} {detail}.",
    "~a {style} take on {the_classic} {item}, {made} from {colour} {material}.",
    "The {item} you'll reach for all {season}: {shape}, {colour} and made from {material}.",
    "New season, new {item}: ~a {shape} {colour} design in {material}.",
    "Say hello to your new favourite {item}, now in {colour} {material}.",
    "Elevate your {season} wardrobe with {a} {colour} {material} {item}.",
    "{adj}, {adj2} and made to last, {this} {colour} {item} {is} ~a wardrobe essential.",
    "{a} {adj} {colour} {item} with {detail}, designed for {occasion}.",
    "Crafted from {quality} {material}, {this} {adj} {item} in {colour} {is} made for {occasion}.",
    "{a} {shape} {colour} {item} with {detail}, ~a {adj} choice for {occasion}.",
    "Meet the {adj} {item}: {colour} {material}, {shape} and easy to style.",
)
# Openings for a product whose colour is its metal ("A dainty gold vermeil ring"): no separate colour.
METAL_OPENINGS = (
    "{a} {shape} {material} {item} with {detail}.",
    "{a} {adj} {material} {item} with {detail} and {detail2}.",
    "{a} {shape} {item} in {material}, with {detail}.",
    "{a} {colour} {shape} {item} with {detail}, perfect for {occasion}.",
    "{aud} {material} {item} with {detail}.",
    "{aud} {shape} {item} in {material}.",
    "{this} {adj} {item} in {material} {has} {detail} and {detail2}.",
    "{this} {adj} {colour} {item} {is} {made} from {material}.",
    "{this} {shape} {item} in {quality} {material} {features} {detail}.",
    "Our best-selling {item} {is} back in {material}.",
    "Introducing our {material} {item}, ~a {adj} essential with {detail}.",
    "{adv} {adj}, {this} {material} {item} {is} made for {occasion}.",
    "Made from {quality} {material}, {this} {shape} {item} {has} {detail}.",
    "{a} {adj} {colour} {item} with {detail}, designed for {occasion}.",
    "Meet the {adj} {item}: {material}, {shape} and easy to wear.",
)

# ---- follow-up sentences, by topic -------------------------------------------------------------------
DETAIL_LINES = ("{they} also {has} {detail3}.", "Finished with {detail3}.", "Complete with {detail3} and {detail4}.",
                "Details include {detail3} and {detail4}.", "Look out for {detail3}.", "{they} {comes} with {detail3}.",
                "Thoughtful details include {detail3}.", "We added {detail3} and {detail4}.")
OCCASION_LINES = ("Perfect for {occasion2}.", "Ideal for {occasion2}.", "Made for {occasion2}.",
                  "A great choice for {occasion2}.", "Just right for {occasion2}.",
                  "Wear {them} for {occasion2} and beyond.",
                  "Your go-to for {occasion2}.", "Ready for {occasion2}.")
PAIRING_LINES = ("Pair {them} with {pairing}.", "Style {them} with {pairing}.", "Wear {them} with {pairing}.",
                 "Team {them} with {pairing} for ~a {style} look.", "{they} {looks} great with {pairing}.",
                 "Complete the look with {pairing}.", "We love {them} with {pairing}.")
STYLE_LINES = ("~a {style} staple for your {season} wardrobe.", "An easy way to add {colour} to your wardrobe.",
               "A wardrobe essential that never goes out of style.", "Dress {them} up or down.",
               "A timeless piece you'll wear for years.", "Effortless, versatile and easy to wear.",
               "Designed to be worn season after season.", "Our take on ~a {style} favourite.",
               "Stylish, versatile and so easy to love.", "Effortlessly chic with ~a {style} edge.",
               "Understated, elegant and endlessly versatile.", "A modern classic with ~a {style} feel.",
               "Simple, stylish and made to be worn again and again.", "Quietly luxurious and totally timeless.")
SEASON_LINES = ("Your new {season} favourite.", "A must-have for {season}.", "Ready for {season} and beyond.",
                "Made for {season} days.", "An easy choice for {season}.", "The piece we're most excited about this {season}.")
ORIGIN_LINES = ("Made in {country}.", "Made in {country} by a family-run workshop.", "Responsibly made in small batches.",
                "Part of our conscious collection.", "Designed in London and made in {country}.",
                "Ethically made in {country}.", "Made to order in {country}.", "Certified by the Global Recycled Standard.",
                "Made with care in {country} from responsibly sourced materials.")
CLOSERS = ("A new favourite!", "Back by popular demand!", "Selling fast!", "Your new go-to!",
           "Limited stock, so don't wait!", "Don't miss out!", "Shop it before it's gone!", "Now in new colours!",
           "Only available online.", "Free delivery and returns.", "Free returns within 30 days.")

# By Material.care first, then Material.warmth: "The linen keeps you cool on warm days."
MATERIAL_NOTES = {
    "light": ("The {material} keeps you cool on warm days.", "Light and breathable for warmer days.",
              "The {quality} {material} drapes beautifully.", "The {material} feels light and cool against the skin."),
    "all": ("The {material} is soft, durable and easy to care for.", "Comfortable from morning to night.",
            "Built to last for seasons to come.", "The {material} only gets softer with every wash."),
    "warm": ("The {material} keeps you warm without the bulk.", "Warm enough for the coldest days.",
             "Soft, warm and made to last.", "The {quality} {material} feels wonderfully warm."),
    "leather": ("The {material} softens and gets better with age.", "Made to last for years.",
                "The {quality} {material} only looks better with wear.", "The {material} develops a rich patina over time."),
    "suede": ("The {material} is velvety soft to the touch.", "Treated to resist light rain and stains."),
    "natural": ("Hand-woven by skilled artisans.", "Natural fibres with a relaxed, summery feel.",
                "Each piece is unique, so yours may vary slightly."),
    "jewellery": ("Hypoallergenic and nickel-free.", "Made from recycled precious metals.",
                  "Hallmarked for quality.", "Polished by hand for a high shine."),
    "metal": ("Durable, hypoallergenic and water-resistant.", "Built to last a lifetime.",
              "Scratch-resistant and made to be worn every day."),
    "eyewear": ("Lightweight enough to wear all day.", "Polished by hand for a glossy finish.",
                "Made from plant-based materials."),
    "wool": ("Naturally warm, breathable and odour-resistant.", "The {material} is soft enough to wear next to the skin.",
             "The {quality} {material} keeps you warm and cosy.", "Made from traceable {material}."),
    "knit": ("A soft knit that keeps its shape.", "The {material} is soft, warm and easy to layer."),
    "denim": ("The denim softens and fades beautifully over time.", "Made with less water than conventional denim.",
              "Just the right amount of stretch for all-day comfort."),
    "sport": ("The fabric wicks sweat and dries fast.", "Four-way stretch moves with you.",
              "Made from recycled bottles."),
    "swim": ("Made from recycled ocean plastic.", "The fabric is resistant to chlorine and sun cream.",
             "Dries quickly between swims."),
    "down": ("Filled with responsibly sourced down.", "Warm, light and packable."),
    "delicate": ("The {material} has a beautiful drape and a subtle sheen.", "The {quality} {material} feels luxurious against the skin."),
    "wipe": ("Water-resistant and easy to wipe clean.", "Made to stand up to the weather."),
}
CARE_NOTES = {
    "wash": ("Machine washable.", "Machine wash at 30 degrees.", "Machine wash cold and line dry.",
             "Easy care: machine wash and tumble dry low.", "Wash inside out with similar colours.",
             "Machine wash at 30 degrees and iron on a low setting."),
    "delicate": ("Dry clean only.", "Hand wash cold and dry flat.", "Hand wash or dry clean.",
                 "Gentle hand wash to keep {its} shape.", "Dry clean to keep {them} looking {its} best."),
    "wool": ("Dry clean only.", "Hand wash cold and dry flat.", "Hand wash or dry clean.",
             "Gentle hand wash to keep {its} shape.", "Wash on a wool cycle and dry flat."),
    "knit": ("Hand wash cold and dry flat.", "Wash on a wool cycle and dry flat.", "Reshape while damp and dry flat."),
    "denim": ("Wash inside out at 30 degrees.", "Wash as little as possible and line dry.", "Machine wash cold, inside out."),
    "leather": ("Wipe clean with a damp cloth.", "Specialist clean only.", "Condition the leather from time to time.",
                "Store in the dust bag when not in use."),
    "suede": ("Spot clean only.", "Specialist clean only.", "Protect with a suitable spray before first wear.",
              "Brush gently with a suede brush."),
    "wipe": ("Wipe clean with a damp cloth.", "Spot clean only."),
    "spot": ("Spot clean only.", "Wipe clean with a damp cloth.", "Spot clean with a damp cloth."),
    "natural": ("Spot clean only.", "Keep away from water.", "Store flat to keep {its} shape."),
    "jewellery": ("Keep away from water and perfume.", "Polish with a soft cloth.", "Store in the pouch provided.",
                  "Take {them} off before swimming or showering."),
    "metal": ("Polish with a soft cloth.", "Wipe clean with a soft cloth."),
    "eyewear": ("Clean with the microfibre cloth provided.", "Store in the case provided."),
    "sport": ("Machine wash cold.", "Wash at 30 degrees and skip the fabric softener.", "Line dry."),
    "swim": ("Rinse in cool water after wearing.", "Hand wash cold and dry in the shade.", "Rinse after every swim."),
    "down": ("Machine wash on a gentle cycle and tumble dry with tennis balls.", "Specialist clean only."),
}
# By Family.sizing: fit and size notes.
SIZE_NOTES = {
    "clothing": ("True to size.", "Fits true to size.", "The model is {height} and wears a size {size}.",
                 "Our model is {height} tall and wears a size {size}.", "Take your usual size.",
                 "Runs small, so we suggest sizing up.", "Runs large; consider sizing down for a closer fit.",
                 "If you're between sizes, we recommend sizing up.", "Also available in petite, tall and plus sizes.",
                 "Designed for a relaxed fit, so take your usual size.", "If you prefer a closer fit, size down.",
                 "Check our size guide to find your perfect fit.", "Available in sizes {size_range}."),
    "suits": ("True to size.", "Available in short, regular and long lengths.", "Free alterations in store.",
              "The model is {height} and wears a size {size}.", "Check our size guide to find your perfect fit."),
    "sport": ("True to size.", "A compressive fit, so take your usual size.", "Size up for a looser fit.",
              "The model is {height} and wears a size {size}.", "Available in sizes {size_range}."),
    "swim": ("True to size.", "Fits true to size.", "If you're between sizes, size up.", "The model wears a size {size}.",
             "Check our size guide to find your perfect fit."),
    "lingerie": ("True to size.", "Fits true to size.", "Check our size guide to find your perfect fit.",
                 "If you're between sizes, size up.", "Take your usual size."),
    "socks": ("Fits shoe sizes {shoe_range}.", "One size fits shoe sizes {shoe_range}.", "Sold as a pack of two pairs."),
    "footwear": ("True to size.", "Fits true to size.", "Runs half a size small, so we suggest sizing up.",
                 "If you're between sizes, go for the larger size.", "Available in sizes {shoe_range}.",
                 "Also available in a wide fit.", "Runs slightly narrow, so size up if you have wider feet."),
    "large bag": ("Fits a 13-inch laptop.", "Roomy enough for all your everyday essentials.",
                  "Holds a laptop, a water bottle and more.", "Measures {bag_size}.",
                  "Fits everything you need for the day."),
    "small bag": ("Fits your phone, keys and cards.", "Just big enough for the essentials.",
                  "Compact but surprisingly roomy.", "Measures {small_bag_size}."),
    "small goods": ("Slim enough for any pocket.", "Fits neatly into any bag.", "Holds up to twelve cards."),
    "jewellery": ("Chain length: {chain_length}.", "Adjustable to fit most.", "Sold individually.",
                  "Sold as a pair.", "Lightweight enough to wear all day."),
    "watch": ("Fits wrists from 15 to 20 cm.", "The strap is adjustable for a comfortable fit.",
              "Links can be removed in store for free."),
    "eyewear": ("Fits medium to wide faces.", "A medium fit that suits most face shapes.", "Lens width 52 mm."),
    "one size": ("One size.", "One size fits most."),
    "hat": ("One size fits most.", "Adjustable for a comfortable fit.", "Available in small, medium and large."),
    "gloves": ("Available in small, medium and large.", "One size fits most."),
    "belt": ("Available in sizes XS to XL.", "True to size.", "Order your usual trouser size."),
    "tie": ("Standard length.", "Available in regular and long lengths."),
    "umbrella": ("Measures 95 cm across when open.", "Folds down to just 25 cm."),
    "kids": ("True to size.", "Available in ages {age_range}.", "Designed with room to grow.",
             "If they're between sizes, size up.", "Check our size guide for the perfect fit."),
    "kids shoes": ("Available in sizes {kid_shoe_range}.", "Available in standard and wide fits.",
                   "Measure their feet before you order.", "Fits true to size."),
    "baby": ("Available from newborn to 24 months.", "Sizes from newborn to 3 years.", "Sold as a pack of three."),
}

# ---- what customers say, by size notes: quotes that start with "I" ---------------------------------------
_WEAR_REVIEWS = (
    "I ordered my usual size and {they} {fits} perfectly, says one reviewer.",
    "I'm {height} and the length is just right, writes one customer.",
    "I get compliments every time I wear {them}, says one happy customer.",
    "I love the colour and {they} {feels} so soft, says one reviewer.",
    "I bought {them} in two colours, says one fan.",
    "I was worried about the fit, but {they} {is} really flattering, writes one reviewer.",
    "I'm usually a size {size} and the {size_word} {fits} perfectly, says one customer.",
    "I wore {them} for {occasion} and loved {them}, says one reviewer.",
    "I would definitely recommend {them}, writes one customer.",
    "I'm petite and {they} still {fits} well, says one reviewer.",
    "I sized down and {they} {fits} like a dream, writes one customer.",
    "I've washed {them} many times and {they} still {looks} new, says one reviewer.",
    "Reviewers say {they} {runs} true to size.", "Customers love the quality for the price.",
    "Rated 4.8 out of 5 by our customers.", "Reviewers say {they} {is} even better in person.",
    "Customers say {they} {is} comfortable enough to wear all day.",
)
_CARRY_REVIEWS = (
    "I use {them} every day and {they} still {looks} brand new, says one reviewer.",
    "I love how much {they} {holds}, writes one customer.",
    "I get so many compliments on {them}, says one happy customer.",
    "I bought {them} as a gift and ended up keeping {them}, says one reviewer.",
    "Reviewers love the quality for the price.", "Rated 4.7 out of 5 by our customers.",
    "Customers say {they} {is} even nicer in person.",
)
_WALK_REVIEWS = (
    "I wore {them} all day and my feet didn't hurt once, says one reviewer.",
    "I ordered my usual size and {they} {fits} perfectly, writes one customer.",
    "I needed no breaking in at all, says one reviewer.",
    "I have wide feet and {they} {is} so comfortable, writes one customer.",
    "Reviewers say {they} {runs} true to size.", "Customers say {they} {is} comfortable from the first wear.",
    "Rated 4.6 out of 5 by our customers.",
)
_GIFT_REVIEWS = (
    "I haven't taken {them} off since {they} arrived, says one reviewer.",
    "I bought {them} as a gift and {they} {was} a big hit, writes one customer.",
    "I wear {them} every day and {they} still {looks} new, says one reviewer.",
    "Even prettier in person, says one customer.", "Reviewers love the quality for the price.",
    "Rated 4.9 out of 5 by our customers.",
)
_KIDS_REVIEWS = (
    "My son wears {them} every day, says one parent.", "My daughter loves {them}, writes one mum.",
    "I bought {them} for my grandson and he loves {them}, says one customer.",
    "I've washed {them} many times and {they} still {looks} new, says one parent.",
    "Parents say {they} {washes} well and {lasts}.", "Rated 4.8 out of 5 by parents.",
    "Reviewers say {they} {runs} true to size.",
)
REVIEWS = {
    "clothing": _WEAR_REVIEWS, "suits": _WEAR_REVIEWS, "sport": _WEAR_REVIEWS, "swim": _WEAR_REVIEWS,
    "lingerie": _WEAR_REVIEWS, "socks": _WALK_REVIEWS, "footwear": _WALK_REVIEWS, "large bag": _CARRY_REVIEWS,
    "small bag": _CARRY_REVIEWS, "small goods": _CARRY_REVIEWS, "jewellery": _GIFT_REVIEWS, "watch": _GIFT_REVIEWS,
    "eyewear": _GIFT_REVIEWS, "one size": _GIFT_REVIEWS, "hat": _GIFT_REVIEWS, "gloves": _GIFT_REVIEWS,
    "belt": _GIFT_REVIEWS, "tie": _GIFT_REVIEWS, "umbrella": _CARRY_REVIEWS, "kids": _KIDS_REVIEWS,
    "kids shoes": _KIDS_REVIEWS, "baby": _KIDS_REVIEWS,
}
# "100% linen." for these materials only (a blend or a metal would read wrong).
PURE_MATERIALS = ("cotton", "organic cotton", "linen", "silk", "cashmere", "merino wool", "lambswool", "alpaca",
                  "wool", "recycled polyester", "recycled nylon", "recycled cotton", "Tencel lyocell", "hemp",
                  "leather", "suede", "recycled wool", "bamboo", "viscose", "modal")
COMPOSITION_LINES = ("100% {material}.", "Made from 100% {material}.", "Composition: 100% {material}.")
# fmt: on
