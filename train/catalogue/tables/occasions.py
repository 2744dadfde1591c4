"""Who a product is for, when it is worn, and in what style."""

# fmt: off
# Audience key -> (words before the noun, phrases after it). Kids' words always come with kids' products.
AUDIENCES = {
    "women": (("women's",), ("for women", "for her")),
    "men": (("men's",), ("for men", "for him")),
    "unisex": (("unisex",), ("for everyone",)),
    "kids": (("kids'", "children's"), ("for kids", "for children")),
    "girls": (("girls'",), ("for girls",)),
    "boys": (("boys'",), ("for boys",)),
    "baby": (("baby",), ("for babies", "for little ones")),
}
KIDS_AUDIENCES = ("kids", "girls", "boys", "baby")

# Occasion group -> phrases. A family names the groups it suits; "warm" and "beach" need a material that
# is not warm, "cold" one that is not light.
OCCASIONS = {
    "everyday": ("everyday wear", "the daily commute", "busy days", "running errands", "coffee with friends",
                 "days in the city", "the school run", "work and play", "the commute", "day-to-day wear", "casual days"),
    "weekend": ("weekends", "lazy weekends", "weekend brunch", "days off", "Saturday mornings", "lazy Sundays",
                "long walks", "the farmers' market", "weekend errands", "brunch with friends"),
    "holiday": ("holidays", "city breaks", "long weekends away", "your next getaway", "sightseeing", "weekends away",
                "road trips"),
    "travel": ("travel", "long flights", "business trips", "life on the move", "the weekend away", "train journeys"),
    "work": ("the office", "workdays", "client meetings", "presentations", "the working week", "office days",
             "meetings", "casual Fridays", "hybrid working"),
    "interview": ("job interviews", "important meetings", "your first day"),
    "evening": ("evenings out", "date night", "dinner parties", "dinner with friends", "after-work drinks", "nights out",
                "the theatre", "cocktail hour", "special occasions"),
    "party": ("parties", "celebrations", "birthday parties", "the party season", "family gatherings"),
    "formal": ("formal events", "black-tie events", "the races", "galas", "formal dinners", "graduations"),
    "wedding": ("weddings", "wedding season", "wedding guest outfits"),
    "gift": ("gifting", "birthdays", "anniversaries", "someone special"),
    "beach": ("the beach", "poolside days", "beach holidays", "days by the pool", "island getaways", "days by the sea",
              "summer holidays"),
    "warm": ("sunny days", "warm evenings", "long lunches in the sun", "garden parties", "summer weekends",
             "hot days in the city", "festival season", "summer weddings", "picnics in the park"),
    "cold": ("cold mornings", "winter walks", "chilly commutes", "frosty mornings", "snowy days", "the festive season",
             "crisp autumn days", "bonfire night", "cold nights", "winter city breaks"),
    "outdoor": ("countryside walks", "hiking", "camping trips", "rainy days", "dog walks", "days outdoors",
                "muddy walks", "trail walks", "the great outdoors"),
    "sport": ("the gym", "yoga", "pilates", "workouts", "training sessions", "spin class", "tennis",
              "HIIT classes", "long runs", "studio classes", "your morning run"),
    "home": ("lounging", "movie nights", "slow mornings", "days at home", "working from home", "cosy nights in"),
    "sleep": ("bedtime", "restful nights", "a good night's sleep", "early nights", "sleepovers"),
    "school": ("school", "nursery", "the classroom", "school days", "the new school year"),
    "play": ("the playground", "playtime", "days out", "play dates", "adventures in the park", "running around"),
}
WARM_WEATHER, COLD_WEATHER = ("warm", "beach"), ("cold",)

SEASON_NAMES = {"spring": "spring", "summer": "summer", "autumn": "autumn", "winter": "winter"}
STYLES = (
    "streetwear", "minimalist", "bohemian", "preppy", "classic", "utility", "retro", "romantic", "sporty", "Scandi",
    "Parisian", "off-duty", "laid-back", "coastal", "workwear", "vintage-inspired", "modern", "polished",
    "smart-casual", "western", "tomboy", "elevated", "urban", "nautical", "country", "seventies", "nineties",
    "contemporary", "effortless", "grown-up", "understated", "heritage", "French-girl", "quiet luxury",
)
COUNTRIES = ("Portugal", "Italy", "Spain", "India", "Turkey", "Romania", "Peru", "Japan", "Scotland", "England",
             "France", "Morocco", "Vietnam", "Mauritius", "Sri Lanka", "Bangladesh", "Mexico", "Switzerland")
# fmt: on
