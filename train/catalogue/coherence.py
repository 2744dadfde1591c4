"""Does a model describe coherently? Prompts for every category, greedy continuations, the checker's verdicts.

Three kinds of prompt, built from the tables so that each is itself coherent:

    "A <colour> <material> <product>"   A navy wool overcoat       (metals: "A gold vermeil ring")
    "<Audience> <product>"              Men's chinos, Kids' raincoat, Baby sleepsuit
    "This <adjective> <product>"        This elegant midi dress, These sleek ankle boots

    from lstm_edge.runtime.generator import Generator
    report = coherence_report(Generator("model.onnx"))
    print(report.table())
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lstm_edge.train.catalogue import lexicon
from lstm_edge.train.catalogue.checker import CATEGORY, PRODUCT, Verdict, check
from lstm_edge.train.catalogue.grammar import adjective_pool, article, draw_product, fitting, pick
from lstm_edge.train.catalogue.tables import sentences as text
from lstm_edge.train.catalogue.tables.occasions import AUDIENCES

if TYPE_CHECKING:
    from lstm_edge.runtime.generator import Generator

PROMPT_SEED = 2024
PROMPTS_PER_KIND = 4  # per category and kind of prompt: 3 kinds x 4 x 30 categories = 360 prompts
PROMPT_ADJECTIVES = 30  # the catalogue's everyday marketing words ("stylish", "elegant", ...) come first
CONTINUATION_WORDS = 30  # long enough for the whole first sentence and usually a second one


@dataclass(frozen=True)
class Prompt:
    category: str
    kind: str  # "colour material", "audience", "adjective"
    text: str


@dataclass(frozen=True)
class Result:
    prompt: Prompt
    text: str  # prompt and continuation, as the generator prints them
    verdict: Verdict  # at the category level: issue 14's bar
    strict: Verdict  # at the product level: what the corpus itself passes

    @property
    def coherent(self) -> bool:
        return self.verdict.coherent


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]
    words: int

    @property
    def share(self) -> float:
        """Coherent at the category level (issue 14's bar)."""
        return sum(r.coherent for r in self.results) / len(self.results)

    @property
    def strict_share(self) -> float:
        """Coherent at the product level."""
        return sum(r.strict.coherent for r in self.results) / len(self.results)

    def by_category(self) -> dict[str, tuple[int, int, int]]:
        """Category -> (coherent, coherent at the product level, prompts), in the tables' order."""
        counts = {category: [0, 0, 0] for category in dict.fromkeys(r.prompt.category for r in self.results)}
        for result in self.results:
            row = counts[result.prompt.category]
            row[0] += result.coherent
            row[1] += result.strict.coherent
            row[2] += 1
        return {category: (good, strict, total) for category, (good, strict, total) in counts.items()}

    def table(self, failures: int = 10) -> str:
        """The per-category table (markdown), the total, and a few incoherent continuations with the reason."""
        lines = [
            "| category | prompts | coherent (category level) | coherent (product level) |",
            "|---|---|---|---|",
        ]
        for category, (good, strict, total) in self.by_category().items():
            lines.append(f"| {category} | {total} | {good} ({good / total:.0%}) | {strict} ({strict / total:.0%}) |")
        good, strict, total = (
            sum(r.coherent for r in self.results),
            sum(r.strict.coherent for r in self.results),
            len(self.results),
        )
        lines.append(
            f"| **all** | **{total}** | **{good} ({self.share:.1%})** | **{strict} ({self.strict_share:.1%})** |"
        )
        bad = [r for r in self.results if not r.coherent][:failures]
        if bad:
            lines += ["", f"Incoherent continuations (first {len(bad)}):"]
            lines += [f"- {r.text}  ({'; '.join(r.verdict.problems)})" for r in bad]
        return "\n".join(lines)


def prompts(per_kind: int = PROMPTS_PER_KIND, seed: int = PROMPT_SEED) -> list[Prompt]:
    """`per_kind` prompts of each kind for every category, the same for a seed."""
    rng = random.Random(seed)
    chosen: list[Prompt] = []
    for category in lexicon.CATEGORIES:
        for kind, make in (("colour material", _colour_material), ("audience", _audience), ("adjective", _adjective)):
            texts: list[str] = []
            for _ in range(50 * per_kind):
                text = make(rng, category)
                if text not in texts:
                    texts.append(text)
                if len(texts) == per_kind:
                    break
            chosen += [Prompt(category, kind, text) for text in texts]
    return chosen


def coherence_report(
    generator: Generator, prompt_list: Sequence[Prompt] | None = None, words: int = CONTINUATION_WORDS
) -> Report:
    """Greedy continuations of the prompts (all by default), each checked."""
    prompt_list = list(prompts() if prompt_list is None else prompt_list)
    generations = generator.generate_many([p.text for p in prompt_list], max_words=words)
    results = tuple(
        Result(p, g.text, check(g.text, CATEGORY), check(g.text, PRODUCT))
        for p, g in zip(prompt_list, generations, strict=True)
    )
    return Report(results, words)


# ---- the three kinds of prompt ------------------------------------------------------------------------


def _colour_material(rng: random.Random, category: str) -> str:
    product = draw_product(rng, category)
    plural = lexicon.is_plural(product.item.name)
    if product.family.palette == "metal" and product.material:
        words = [product.material, product.item.name]  # the metal is the colour
    else:
        words = [product.colour, product.material, product.item.name]
    if lexicon.is_kids(product.family):
        words.insert(0, AUDIENCES[product.audience][0][0])
    return _sentence_start(" ".join(w for w in words if w), plural)


def _audience(rng: random.Random, category: str) -> str:
    product = draw_product(rng, category)
    audience_word = pick(rng, AUDIENCES[product.audience][0])
    return _capitalized(f"{audience_word} {product.item.name}")


def _adjective(rng: random.Random, category: str) -> str:
    product = draw_product(rng, category)
    names = (product.item.name, lexicon.us_spelling(product.item.name))
    kids = lexicon.is_kids(product.family)
    pool = adjective_pool(product.family.adjectives, kids, "all")
    pool = pool if kids else (*text.GENERAL_ADJECTIVES[:PROMPT_ADJECTIVES], *text.ADJECTIVES[product.family.adjectives])
    adjective = pick(rng, fitting(tuple(lexicon.without_repeats(pool, product.item.name)), *names))
    audience = AUDIENCES[product.audience][0][0] if lexicon.is_kids(product.family) else ""
    determiner = "these" if lexicon.is_plural(product.item.name) else "this"
    return _capitalized(" ".join(w for w in (determiner, adjective, audience, product.item.name) if w))


def _sentence_start(noun_phrase: str, plural: bool) -> str:
    return _capitalized(noun_phrase if plural else f"{article(noun_phrase)} {noun_phrase}")


def _capitalized(text: str) -> str:
    return text[0].upper() + text[1:]
