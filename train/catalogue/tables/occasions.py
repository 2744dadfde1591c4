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
                 "days in the city", "the school run", "work and play", "the commute", "day-to-day wear", "casual days",
                 "errands around town", "the daily grind", "a day of meetings and errands", "everyday adventures",
                 "nipping to the shops"),
    "weekend": ("weekends", "lazy weekends", "weekend brunch", "days off", "Saturday mornings", "lazy Sundays",
                "long walks", "the farmers' market", "weekend errands", "brunch with friends", "Sunday lunch",
                "a stroll around the market", "catching up with friends", "slow weekends", "lazy brunches",
                "a day at the museum", "gallery visits"),
    "holiday": ("holidays", "city breaks", "long weekends away", "your next getaway", "sightseeing", "weekends away",
                "road trips", "exploring a new city", "holidays abroad", "a week away", "a long weekend in Paris",
                "trips away"),
    "travel": ("travel", "long flights", "business trips", "life on the move", "the weekend away", "train journeys",
    "the airport", "a long drive", "overnight trips", "the journey home", "layovers"),
    "work": ("the office", "workdays", "client meetings", "presentations", "the working week", "office days",
             "meetings", "casual Fridays", "hybrid working", "the nine-to-five", "the boardroom", "Monday meetings",
             "a busy day at work", "the workweek", "conferences"),
    "interview": ("job interviews", "important meetings", "your first day"),
    "evening": ("evenings out", "date night", "dinner parties", "dinner with friends", "after-work drinks",
    "nights out",
                "the theatre", "cocktail hour", "special occasions", "a night at the opera", "drinks at the bar",
                "restaurant dinners", "a night on the town", "the cinema", "late dinners", "concerts"),
    "party": ("parties", "celebrations", "birthday parties", "the party season", "family gatherings", "housewarmings",
    "engagement parties", "Christmas parties", "New Year's Eve", "milestone birthdays", "family celebrations"),
    "formal": ("formal events", "black-tie events", "the races", "galas", "formal dinners", "graduations",
    "award ceremonies", "charity balls", "the opera", "a black-tie dinner", "prom night", "christenings"),
    "wedding": ("weddings", "wedding season", "wedding guest outfits", "weddings abroad", "rehearsal dinners",
    "the wedding reception", "engagement dinners"),
    "gift": ("gifting", "birthdays", "anniversaries", "someone special", "Mother's Day", "Father's Day",
    "Valentine's Day", "Christmas", "a special birthday", "graduation gifts"),
    "beach": ("the beach", "poolside days", "beach holidays", "days by the pool", "island getaways", "days by the sea",
              "summer holidays", "lazy beach days", "sunset walks on the sand", "a day at the lake", "boat trips",
              "seaside weekends"),
    "warm": ("sunny days", "warm evenings", "long lunches in the sun", "garden parties", "summer weekends",
             "hot days in the city", "festival season", "summer weddings", "picnics in the park", "heatwaves",
             "alfresco dinners", "barbecues", "rooftop bars", "balmy nights", "sunny afternoons", "outdoor concerts"),
    "cold": ("cold mornings", "winter walks", "chilly commutes", "frosty mornings", "snowy days", "the festive season",
             "crisp autumn days", "bonfire night", "cold nights", "winter city breaks", "ski trips", "frosty walks",
             "Christmas markets", "dark winter evenings", "chilly nights", "the school run in winter"),
    "outdoor": ("countryside walks", "hiking", "camping trips", "rainy days", "dog walks", "days outdoors",
                "muddy walks", "trail walks", "the great outdoors", "the allotment", "gardening", "fishing trips",
                "wet weekends", "nature walks", "the dog walk", "bike rides"),
    "sport": ("the gym", "yoga", "pilates", "workouts", "training sessions", "spin class", "tennis",
              "HIIT classes", "long runs", "studio classes", "your morning run", "the running track", "cycling",
              "boxing classes", "weight training", "barre", "the tennis court", "golf", "marathon training",
              "hot yoga"),
    "home": ("lounging", "movie nights", "slow mornings", "days at home", "working from home", "cosy nights in",
    "lazy mornings", "reading on the sofa", "Sunday mornings at home", "film nights", "breakfast in bed"),
    "sleep": ("bedtime", "restful nights", "a good night's sleep", "early nights", "sleepovers", "sleepy Sundays",
    "lie-ins", "cosy evenings in"),
    "school": ("school", "nursery", "the classroom", "school days", "the new school year", "the school day",
    "school trips", "after-school clubs", "the first day of school"),
    "play": ("the playground", "playtime", "days out", "play dates", "adventures in the park", "running around",
    "climbing trees", "splashing in puddles", "holiday clubs", "birthday treats"),
}
WARM_WEATHER, COLD_WEATHER = ("warm", "beach"), ("cold",)

SEASON_NAMES = {"spring": "spring", "summer": "summer", "autumn": "autumn", "winter": "winter"}
STYLES = (
    "streetwear", "minimalist", "bohemian", "preppy", "classic", "utility", "retro", "romantic", "sporty", "Scandi",
    "Parisian", "off-duty", "laid-back", "coastal", "workwear", "vintage-inspired", "modern", "polished",
    "smart-casual", "western", "tomboy", "elevated", "urban", "nautical", "country", "seventies", "nineties",
    "contemporary", "effortless", "grown-up", "understated", "heritage", "French-girl", "quiet luxury", "Riviera",
    "Mediterranean", "Californian", "New York", "Copenhagen", "Italian", "Japanese-inspired", "safari", "equestrian",
    "collegiate", "athleisure", "gorpcore", "cottagecore", "boho", "mod", "punk", "grunge", "rock-and-roll", "disco",
    "glam", "art-deco", "clean", "monochrome", "tonal", "maximalist", "Americana", "beachy", "resort", "apres-ski",
)
COUNTRIES = ("Portugal", "Italy", "Spain", "India", "Turkey", "Romania", "Peru", "Japan", "Scotland", "England",
             "France", "Morocco", "Vietnam", "Mauritius", "Sri Lanka", "Bangladesh", "Mexico", "Switzerland",
             "Florence",
             "Northampton", "Leicester", "Porto", "Como", "Biella", "Tuscany", "Wales", "Ireland", "Ethiopia", "Kenya",
             "Cambodia", "Indonesia", "Egypt", "Lithuania", "Bulgaria", "Greece", "Tunisia", "Colombia", "Brazil",
             "Thailand", "Hong Kong", "China", "Pakistan", "Nepal", "Mongolia", "Belgium", "the Netherlands", "Germany",
             "Austria", "Denmark", "Sweden", "Norway", "Australia", "Canada", "the USA", "Los Angeles", "New England")
# fmt: on
