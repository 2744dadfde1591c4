"""The built-in corpus: fashion product descriptions generated from word tables by a grammar.

    python -m lstm_edge.train.catalogue                      # rewrites train/data/fashion_descriptions.csv.xz
    python -m lstm_edge.train.catalogue --rows 500 --seed 7 --out small.csv

- `tables/`     the words, as data: products by family (what each can be made of and have), colours,
                materials, occasions, sentence templates, UK and US spellings
- `grammar`     draws a product from the tables and describes it
- `checker`     tells whether a description is coherent, from the same tables
- `coherence`   prompts for every category and the report on a model's greedy continuations
- `generate`    the corpus as a list and as a CSV file
"""

from lstm_edge.train.catalogue.checker import Verdict, check
from lstm_edge.train.catalogue.generate import (
    DEFAULT_CSV_PATH,
    DEFAULT_ROWS,
    DEFAULT_SEED,
    distinct_words,
    generate_descriptions,
    write_csv,
)

__all__ = [
    "DEFAULT_CSV_PATH",
    "DEFAULT_ROWS",
    "DEFAULT_SEED",
    "Verdict",
    "check",
    "distinct_words",
    "generate_descriptions",
    "write_csv",
]
