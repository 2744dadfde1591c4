"""Notes by category: what a shop says about any product of that category, beside its family's own notes.

Each note must suit every family of its category (the corpus tests check every generated row).
"""

# fmt: off
CATEGORY_NOTES = {
    "tops": (
        "Tuck {them} in or wear {them} loose.", "An easy layer that goes with almost everything.",
        "Looks just as good under a jacket as on {its} own.", "Hits at the hip for an easy, flattering length.",
        "A versatile piece that works with jeans, skirts and tailored trousers.",
        "Wear {them} on {its} own or under a knit.",
        "Slightly longer at the back for extra coverage.", "Relaxed through the body with room to move.",
        "The length is just right for tucking in.", "A wardrobe staple you'll wear on repeat.",
        "Relaxed through the bust and torso.", "Long enough to wear with leggings.",
        "Photographed on a model who is 5'10.",
        "One of our best-selling tops.", "Goes with jeans, skirts and tailoring alike.",
    ),
    "knitwear": (
        "Layer {them} over a shirt or wear {them} with a tee underneath.",
        "Knitted to keep {its} shape, wash after wash.",
        "Soft enough to wear all day without a layer underneath.",
        "A knit that looks as good with jeans as with a skirt.",
        "Falls just below the hip.", "The kind of knit you'll want in every colour.", "Warm without being bulky.",
        "Pills less than most knits, so it stays looking new.", "Throw {them} on over anything.",
        "Relaxed through the body and arms.", "One of our best-selling knits.", "Cosy, soft and made for layering.",
    ),
    "dresses": (
        "Falls just below the knee.", "Nipped in at the waist for a flattering shape.",
        "Fully lined, so it's not see-through.",
        "Easy to dress up with heels or down with sandals.", "A dress that works for almost any occasion.",
        "Skims the body without clinging.", "The length hits right at the ankle on most.",
        "Add a belt to define the waist.",
        "Comfortable enough to wear all day, pretty enough for the evening.", "A flattering shape on every figure.",
        "Length from the shoulder: 38 inches.", "Throw on a denim jacket and trainers for the daytime.",
        "Fitted through the bust, then flares out from the waist.", "One of our best-selling dresses.",
        "Flattering on every body shape, from petite to tall.", "Falls to a flattering length on most heights.",
    ),
    "skirts": (
        "Sits at the natural waist.", "Falls just below the knee.", "Hits mid-calf for an elegant length.",
        "Swishes beautifully as you walk.", "Tuck in a tee or a fine-knit jumper.",
        "Wear it with boots now and sandals later.",
        "The waist sits comfortably without digging in.", "A skirt you can wear to the office and beyond.",
        "One of our best-selling skirts.", "Flattering over the hips without clinging.",
    ),
    "trousers": (
        "Sits at the natural waist.", "The leg is long enough to wear with heels.", "Inside leg: 30 inches.",
        "Smart enough for the office, easy enough for the weekend.", "Designed to be worn with flats or trainers.",
        "A trouser that flatters without feeling tight.", "Available in short, regular and long leg lengths.",
        "Has a little stretch, so they're comfortable all day.",
        "Pair them with a tucked-in shirt for a polished look.",
        "Flattering through the hips and thighs.", "A trouser that lengthens the legs.",
    ),
    "jeans": (
        "Sits at the natural waist.", "Inside leg: 30 inches.", "Available in short, regular and long leg lengths.",
        "Soft from the first wear, with just enough stretch.", "Holds you in without feeling tight.",
        "A pair you'll live in, all year round.", "Wash them less and they'll last longer.",
        "The denim has a little give, so they move with you.", "Cut to flatter through the hips and thighs.",
        "Our best-selling jeans, now in more washes.", "Lift and shape where you want it.",
    ),
    "shorts": (
        "Sits at the natural waist.", "Inside leg: 5 inches.", "Hits mid-thigh for an easy length.",
        "Made for long summer days.", "A pair for the beach, the park and everywhere in between.",
        "Roll the hems up or wear them down.",
    ),
    "jumpsuits": (
        "One piece, and you're dressed.", "Throw on a jacket and you're ready to go.", "Easy to dress up with heels.",
        "The waist sits at the natural waistline.", "Roomy through the leg, so you can move freely.",
        "A one-and-done outfit that looks effortlessly put together.",
    ),
    "outerwear": (
        "Cut with room to layer underneath.", "Roomy enough to layer a thick knit underneath.",
        "The perfect topper for every outfit.",
        "Keeps out the wind and the cold.", "Made to be worn over everything from jeans to dresses.",
        "An investment piece that will last for years.", "Check the size guide: we recommend your usual size.",
        "One of our best-selling jackets and coats.", "Roomy through the arms for easy layering.",
        "Light enough to carry when the sun comes out.", "A layer that works as hard as you do.",
    ),
    "suits": (
        "Tailored to look sharp all day.", "Made to be worn to the office and beyond.",
        "Free alterations in selected stores.", "Fully canvassed for a natural drape.",
        "Wrinkle-resistant, so it travels well.", "Our tailors recommend your usual size.",
    ),
    "activewear": (
        "Moves with you, not against you.", "Sweat-wicking fabric keeps you dry and comfortable.",
        "Breathable and quick to dry.", "From the gym to coffee and back again.",
        "Designed with athletes and tested in real workouts.", "Won't ride up or roll down, however hard you train.",
        "Soft, stretchy and supportive in all the right places.",
        "Made for high-intensity training and low-key days alike.",
    ),
    "swimwear": (
        "Ready for the beach, the pool and everywhere in between.", "Pack it for your next trip to the sea.",
        "Made for sunshine and salty air.",
    ),
    "lingerie": (
        "So comfortable you'll forget you're wearing it.", "Smooth under even the closest-fitting clothes.",
        "Soft, breathable and gentle against the skin.", "Made to be worn every day.",
        "Supportive without feeling restrictive.",
        "Wash on a delicate cycle in a laundry bag.",
    ),
    "nightwear": (
        "Made for slow mornings and early nights.", "Soft, light and so comfortable.",
        "The kind of comfort you'll look forward to all day.", "Makes a lovely gift.",
        "Gets softer every time you wash it.",
    ),
    "socks": (
        "Made to stay up all day.", "Breathable and soft underfoot.",
        "No more slipping or bunching.", "A thoughtful little gift.", "Reinforced where they wear out first.",
    ),
    "kidswear": (
        "Easy to put on without help.", "Soft on sensitive skin.",
        "Washes well and keeps its colour.", "Designed with room to grow.", "Tested for safety and comfort.",
        "Made with love for little adventurers.",
    ),
    "footwear": (
        "Comfortable from the very first wear.", "Goes with everything from jeans to dresses.",
        "Made in a family-run factory with decades of experience.", "We recommend your usual size.",
        "Designed to keep you comfortable from morning to night.",
    ),
    "bags": (
        "Keeps your essentials organised.", "The perfect size for everyday life.",
        "Carry it by hand or over the shoulder.",
        "Goes with everything in your wardrobe.", "Comes with a dust bag to keep it looking new.",
        "Designed to be carried every day for years.", "Holds more than you'd expect.",
        "A bag that works as hard as you do.",
    ),
    "wallets": (
        "Comes gift-boxed.", "Keeps cards, cash and receipts neatly organised.",
        "A thoughtful gift for someone special.",
        "Slim enough to slip into a jacket.", "Made to soften and age beautifully.",
    ),
    "jewellery": (
        "Comes in a gift box, ready to give.", "Nickel-free and kind to sensitive skin.",
        "Layer it with your favourite pieces.",
        "Made to be worn every day.", "A gift they'll treasure for years.", "Made to last.",
        "Designed in our studio and made by skilled jewellers.",
        "Pair it with the matching pieces from the collection.",
        "Part of our fine jewellery collection.", "Store it in a jewellery box, away from other pieces.",
    ),
    "watches": (
        "Comes in a gift box with a two-year guarantee.", "A watch to wear every day for years.",
        "Swap the strap to change the look.",
        "Precise, reliable and built to last.", "Designed in our studio, made by skilled watchmakers.",
    ),
    "eyewear": (
        "Comes with a case and a cleaning cloth.", "Lightweight enough to forget you're wearing them.",
        "Flatters most face shapes.", "Designed in our studio with a nod to vintage styles.",
    ),
    "scarves": (
        "Wrap it around twice or let it hang loose.", "Tie it, drape it or wrap it: there are so many ways to wear it.",
        "A finishing touch for any outfit.", "Makes a thoughtful gift.", "Big enough to wear as a wrap.",
    ),
    "hats": (
        "One size fits most heads.", "A finishing touch for any outfit.", "Makes a thoughtful gift.",
        "Easy to pack and easy to wear.",
    ),
    "gloves": (
        "Keeps your hands warm on the coldest days.", "A thoughtful gift for someone special.",
        "Check the size guide to find your glove size.",
    ),
    "belts": (
        "Cinch it at the waist or wear it on your hips.", "Made to last for years.", "Finishes any outfit.",
        "Check the size guide to find your belt size.",
    ),
    "ties": (
        "Ties a neat, even knot.", "A classic gift for him.", "Finish your suit with a touch of colour.",
        "Works with a crisp white shirt and almost any suit.",
    ),
    "hair accessories": (
        "Holds all hair types without pulling.", "Pretty, practical and easy to use.", "Makes a sweet little gift.",
        "Keep one in your bag for bad hair days.",
    ),
    "umbrellas": (
        "Stays right side out in strong winds.", "Opens and closes with one hand.", "Comes with a lifetime guarantee.",
        "Built to survive the stormiest days.",
    ),
}
# fmt: on
