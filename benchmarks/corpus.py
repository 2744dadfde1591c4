"""The built-in corpus: how fast it is made and checked, how broad it is, and what the shipped model knows.

- generation: the default corpus (`generate_descriptions()`), median of repeats, and the checker over it;
- breadth: distinct words, words per description, products, categories;
- coverage: the share of the tokens of the 1,000 real reviews (../shared/data, "Review Text") that the
  shipped model's tokenizer reads as <unk>, punctuation included (how issue 14 measured 41%), and the
  most frequent words left unknown.

Reproduce: `python -m benchmarks corpus [--quick]`
"""

from __future__ import annotations

import time
from collections import Counter

from benchmarks.common import REVIEWS_CSV, print_table


def main(quick: bool = False) -> None:
    from lstm_edge.runtime.tokenizer import split_words
    from lstm_edge.train.catalogue import DEFAULT_ROWS, check, distinct_words, generate_descriptions, lexicon

    rows = 2_000 if quick else DEFAULT_ROWS
    timings = []
    for _ in range(1 if quick else 3):
        started = time.process_time()
        corpus = generate_descriptions(rows)
        timings.append(time.process_time() - started)
    generation = sorted(timings)[len(timings) // 2]
    started = time.process_time()
    coherent = sum(check(text).coherent for text in corpus)
    checking = time.process_time() - started
    words = [len(split_words(text)) for text in corpus]
    print_table(
        f"Built-in corpus ({rows:,} rows, seed 42; CPU seconds of one process)",
        ["measure", "value"],
        [
            ["generate", f"{generation:.1f} s ({rows / generation:,.0f} rows/s)"],
            ["check every row", f"{checking:.1f} s ({rows / checking:,.0f} rows/s): {coherent:,} of {rows:,} coherent"],
            ["distinct words", f"{distinct_words(corpus):,}"],
            ["tokens per description", f"{sum(words) / len(words):.1f} (max {max(words)})"],
            [
                "products / families / categories",
                f"{len(lexicon.PRODUCTS)} / {len(lexicon.FAMILIES)} / {len(lexicon.CATEGORIES)}",
            ],
        ],
        f"python -m benchmarks corpus{' --quick' if quick else ''}",
    )
    _coverage(split_words)


def _coverage(split_words) -> None:  # type: ignore[no-untyped-def]
    if not REVIEWS_CSV.is_file():
        print(f"\n(note: {REVIEWS_CSV} is absent, so the coverage of real reviews is left out)")
        return
    import pandas as pd

    from lstm_edge.runtime.model_file import default_model_path, load_model

    tokenizer = load_model(default_model_path()).tokenizer
    texts = pd.read_csv(REVIEWS_CSV, dtype=str, keep_default_na=False)["Review Text"]
    tokens = [word for text in texts for word in split_words(text)]
    unknown = Counter(word for word in tokens if word not in tokenizer.ids)
    total = sum(unknown.values())
    with_digits = sum(n for word, n in unknown.items() if any(c.isdigit() for c in word))
    print_table(
        f"Real reviews read by the shipped tokenizer (vocabulary {len(tokenizer):,}; {len(tokens):,} tokens)",
        ["measure", "value"],
        [
            ["tokens read as <unk>", f"{total / len(tokens):.1%} ({total:,}; {len(unknown):,} distinct words)"],
            ["of them with a digit (5'3, 34b, 125)", f"{with_digits / len(tokens):.1%}"],
            ["most frequent unknown words", ", ".join(f"{w} {n}" for w, n in unknown.most_common(40))],
        ],
        "python -m benchmarks corpus",
    )
