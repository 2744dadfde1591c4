"""Text quality on real data, before and after issue 10, and the built-in corpus kept as it was.

Models, trained and exported once into benchmarks/.cache with the commands a user runs:

- reviews, before: ../shared/data/womens_clothing_reviews_1000.csv ["Review Text"] with the training
  defaults from before issue 10 (`BEFORE_TRAIN`), exported with plain greedy decoding (what lstm-export
  wrote then);
- reviews, after: the same data with today's defaults — `lstm-train` and `lstm-export` without options,
  so the decoding default is measured by the export;
- fashion, before: the shipped model (the defaults before issue 10, `make model`);
- fashion, after: the built-in corpus with today's defaults (`lstm-train --seed 0 --threads 1`, `lstm-export`).

Tables:

1. held-out figures (the run's own validation rows, as `lstm-eval --split validation` computes them),
   float32 and int8;
2. generation from the first 3 words of 200 held-out reviews (lstm-export's trial), up to 100 words: the texts' own
   continuations, the before model as it shipped, and the after model with each decoding lstm-export
   tried plus beam search — loop rate (a word 4-gram twice within 100 words), distinct-2, mean length,
   share ended by <eos>, mean log-likelihood per token under the model, µs per word one prompt at a time;
3. the built-in corpus before and after: held-out figures, int8 agreement, the measured decoding, and
   how often greedy text repeats a word 4-gram or 3-gram and ends by itself (it must not get worse);
4. the decoding trial on the built-in corpus's after model (does it keep plain greedy?);
5. sample continuations, before and after.

Reproduce: `python -m benchmarks quality [--quick]` (or `make quality`)
"""

from __future__ import annotations

import math
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import REVIEWS_CSV, print_table
from benchmarks.models import QUICK_ROWS, TINY_ARGS, _first_rows, cached_model, fashion_model

# lstm-train's defaults before issue 10, spelled out (today's defaults differ; see train/config.py)
BEFORE_TRAIN = ["--dropout", "0", "--min-count", "1"]
PLAIN_EXPORT = ["--repetition-penalty", "1", "--no-repeat-ngram", "0", "--beams", "1"]
SAMPLE_PROMPTS = ["I love this", "The fabric is", "I ordered this", "This dress is", "I am 5'4"]
FASHION_PROMPTS = ["A cream coat", "A black leather jacket", "These wide-leg trousers", "A purple zebra coat"]
TIMED_PROMPTS = 20


def main(quick: bool = False) -> None:
    if not REVIEWS_CSV.is_file():
        print(f"\n(note: {REVIEWS_CSV} is absent, so the quality tables are left out)")
        return
    from lstm_edge.runtime.recommend import PROMPTS

    prompts, words = (10, 30) if quick else (PROMPTS, 100)
    before, after = _reviews_models(quick)
    reproduce = f"python -m benchmarks quality{' --quick' if quick else ''}"
    _held_out_table(before, after, reproduce)
    _generation_table(before, after, prompts, words, reproduce)
    fashion_before, fashion_after = _fashion_models(quick)
    _fashion_table(fashion_before, fashion_after, prompts, words, reproduce)
    _trials_table(fashion_after, prompts, words, reproduce)
    _samples(before, after, words, quick)
    _samples(fashion_before, fashion_after, words, quick, FASHION_PROMPTS)


def _reviews_models(quick: bool) -> tuple[Path, Path]:
    if quick:
        data = ["--data", str(_first_rows(REVIEWS_CSV, "Review Text")), "--column", "Review Text", *TINY_ARGS]
        return (
            cached_model("quick-quality-before", [*data, *BEFORE_TRAIN], PLAIN_EXPORT),
            cached_model("quick-quality-after", data),
        )
    data = ["--data", str(REVIEWS_CSV), "--column", "Review Text", "--threads", "1"]
    return (
        cached_model("quality-reviews-before", [*data, *BEFORE_TRAIN], PLAIN_EXPORT),
        cached_model("quality-reviews-after", data),
    )


def _validation_texts(model: Any, split: bool = True) -> list[str]:
    """The run's held-out texts (or, `split=False`, its training texts), found as lstm-eval finds them."""
    from lstm_edge.runtime.csv_file import read_column
    from lstm_edge.runtime.texts import resolve_source, split_positions

    training = model.info()["training"]
    corpus, config = training["corpus"], training["train_config"]
    texts = list(read_column(resolve_source(corpus["source"]), corpus["column"]))
    held_out = split_positions(len(texts), config["val_fraction"], config["split_seed"])
    return [text for text, chosen in zip(texts, held_out, strict=True) if chosen == split]


def _open_vocabulary_figures(model: Any) -> tuple[float, float]:
    """Perplexity over the held-out words seen in training, and <eos>; a word below the model's vocabulary
    floor is charged P(<unk>) times its share of the training words below the floor. And the share of the
    tutorial's targets where the generator's choice (never <unk>) is the next word. Unlike the figures
    over tokens, these compare models of different vocabularies: predicting <unk> earns nothing."""
    import numpy as np

    from lstm_edge.runtime.eval import teacher_forced
    from lstm_edge.runtime.tokenizer import PAD_ID, UNK_ID, split_words

    counts = Counter(word for text in _validation_texts(model, split=False) for word in split_words(text))
    below = sum(count for word, count in counts.items() if word not in model.tokenizer.ids)
    total, targets, hits, scored = 0.0, 0, 0, 0
    texts = [text for text in _validation_texts(model) if split_words(text)]
    for start in range(0, len(texts), 64):
        part = [split_words(text) for text in texts[start : start + 64]]
        ids = [model.tokenizer.encode(text, add_bos=True, add_eos=True).ids for text in texts[start : start + 64]]
        length = max(len(sequence) for sequence in ids) - 1
        inputs = np.full((len(ids), length), PAD_ID, dtype=np.int64)
        expected = np.full((len(ids), length), PAD_ID, dtype=np.int64)
        for row, sequence in enumerate(ids):
            inputs[row, : len(sequence) - 1], expected[row, : len(sequence) - 1] = sequence[:-1], sequence[1:]
        loss, _, choices = teacher_forced(model.backend.decoder(len(ids)), inputs, expected)
        for row, words in enumerate(part):
            for position, word in enumerate(words):
                if counts[word]:  # a word never seen in training is <unk> to every model: left out
                    charge = 0.0 if word in model.tokenizer.ids else -math.log(counts[word] / below)
                    total, targets = total + loss[row, position] + charge, targets + 1
                if position >= 1:
                    hits += int(choices[row, position] == expected[row, position] != UNK_ID)
                    scored += 1
            total, targets = total + loss[row, len(words)], targets + 1  # <eos>
    return math.exp(total / targets), hits / max(scored, 1)


def _held_out_table(before: Path, after: Path, reproduce: str) -> None:
    from lstm_edge.runtime.contract import int8_twin
    from lstm_edge.runtime.eval import Scorer
    from lstm_edge.runtime.model_file import load_model

    rows = []
    for label, path in (("before", before), ("after", after)):
        models = [load_model(path), load_model(int8_twin(path))]
        scorer = Scorer(models)
        scorer.add(_validation_texts(models[0]))
        scorer.flush()
        fp32, int8 = scorer.metrics
        open_perplexity, open_accuracy = _open_vocabulary_figures(models[0])
        rows.append(
            [
                f"{label} ({_training_label(models[0])}, V={len(models[0].tokenizer):,})",
                f"{fp32.tokens:,}",
                f"{fp32.unknown_rate:.1%}",
                f"{fp32.perplexity:.1f}",
                f"{fp32.accuracy:.4f}",
                f"{open_perplexity:.1f}",
                f"{open_accuracy:.4f}",
                f"{int8.perplexity:.1f}",
                f"{int8.accuracy:.4f}",
                f"{int8.agreement:.2%}" if int8.agreement is not None else "—",
            ]
        )
    print_table(
        "Held-out reviews (each run's validation rows), float32 and int8 (ppl, accuracy: lstm-eval's and the "
        "trainer's, over tokens; open-vocabulary figures: comparable across vocabulary floors)",
        [
            "model",
            "tokens",
            "unknown",
            "ppl",
            "accuracy",
            "open-vocabulary ppl",
            "accuracy, <unk> never right",
            "int8 ppl",
            "int8 accuracy",
            "int8 agrees",
        ],
        rows,
        reproduce,
    )


def _training_label(model: Any) -> str:
    training = model.info()["training"]
    dropout = model.info()["architecture"].get("dropout", 0.0)
    return f"dropout {dropout:g}, min count {training['train_config'].get('min_count', 1)}"


def _generation_table(before: Path, after: Path, prompts: int, words: int, reproduce: str) -> None:
    from lstm_edge.runtime.decoding import Decoding
    from lstm_edge.runtime.generator import Generator
    from lstm_edge.runtime.recommend import CANDIDATES, recommend

    old, new = Generator(before), Generator(after)
    sequences = [new.tokenizer.encode(text, add_bos=True, add_eos=True).ids for text in _validation_texts(new.model)]
    trials = [Decoding(beams=4), Decoding(no_repeat_ngram_size=4, beams=4)]
    measured = recommend(new, sequences, "held-out reviews", [*CANDIDATES, *trials], prompts, words)
    before_sequences = [
        old.tokenizer.encode(text, add_bos=True, add_eos=True).ids for text in _validation_texts(old.model)
    ]
    before_trial = recommend(old, before_sequences, "held-out reviews", [old.decoding], prompts, words).trials[0]
    reference = measured.reference
    rows = [["the reviews themselves", "—", *_stats(reference), "—", "—"]]
    rows.append(["before", f"{old.decoding.describe()} (its default)", *_trial_cells(old, before_trial, words)])
    for trial in measured.trials:
        default = "  ← its default" if trial.decoding == new.decoding else ""
        rows.append(["after", f"{trial.decoding.describe()}{default}", *_trial_cells(new, trial, words)])
    print_table(
        f"Generation from the first 3 words of {measured.prompts} held-out reviews, up to {words} words "
        f"(after: lstm-export chose '{new.decoding.describe()}' among the single-beam rows)",
        [
            "model",
            "decoding",
            "loop rate",
            "3-gram repeats",
            "distinct-2",
            "mean length",
            "ended",
            "log-lik/token",
            "µs/word",
        ],
        rows,
        reproduce,
    )


def _fashion_models(quick: bool) -> tuple[Path, Path]:
    """The shipped model (trained with the defaults before issue 10), and today's defaults on the same data."""
    if quick:
        data = ["--data", str(_first_rows(None, "description")), *TINY_ARGS]
        return cached_model("quick-quality-fashion-before", [*data, *BEFORE_TRAIN]), cached_model(
            "quick-quality-fashion-after", data
        )
    return fashion_model().fp32, cached_model("quality-fashion-after", ["--seed", "0", "--threads", "1"])


def _fashion_table(before: Path, after: Path, prompts: int, words: int, reproduce: str) -> None:
    """Held-out figures and greedy text of the built-in corpus, before and after: it must not get worse."""
    from lstm_edge.runtime.contract import int8_twin
    from lstm_edge.runtime.eval import Scorer, prompt_of, repeats_ngram
    from lstm_edge.runtime.generator import Generator
    from lstm_edge.runtime.model_file import load_model
    from lstm_edge.runtime.tokenizer import PUNCTUATION

    rows = []
    for label, path in (("before", before), ("after", after)):
        models = [load_model(path), *([load_model(int8_twin(path))] if int8_twin(path).is_file() else [])]
        texts = _validation_texts(models[0])
        scorer = Scorer(models)
        scorer.add(texts)
        scorer.flush()
        fp32 = scorer.metrics[0]
        agreement = scorer.metrics[1].agreement if len(models) > 1 else None
        generator = Generator(models[0])
        chosen = [prompt for prompt in (prompt_of(text, 3) for text in texts) if prompt][: prompts * 3]
        outputs = generator.generate_many([" ".join(prompt) for prompt in chosen], words)
        said = [[w for w in [*p, *g.words] if w not in PUNCTUATION] for p, g in zip(chosen, outputs, strict=True)]
        rows.append(
            [
                f"{label} ({_training_label(models[0])})",
                f"{fp32.perplexity:.2f}",
                f"{fp32.accuracy:.4f}",
                "—" if agreement is None else f"{agreement:.2%}",
                generator.decoding.describe(),
                f"{sum(repeats_ngram(words, 4) for words in said) / len(said):.1%}",
                f"{sum(repeats_ngram(words, 3) for words in said) / len(said):.1%}",
                f"{sum(g.stop_reason == 'eos' for g in outputs) / len(outputs):.0%}",
            ]
        )
    print_table(
        f"The built-in corpus, before and after (held-out descriptions; greedy text from the first 3 words of "
        f"{len(chosen)} of them, up to {words} words)",
        ["model", "ppl", "accuracy", "int8 agrees", "decoding", "4-gram repeats", "3-gram repeats", "ended"],
        rows,
        reproduce,
    )


def _trials_table(path: Path, prompts: int, words: int, reproduce: str) -> None:
    from lstm_edge.runtime.generator import Generator
    from lstm_edge.runtime.recommend import recommend

    generator = Generator(path)
    sequences = [
        generator.tokenizer.encode(text, add_bos=True, add_eos=True).ids for text in _validation_texts(generator.model)
    ]
    measured = recommend(generator, sequences, "held-out descriptions", prompts=prompts, max_words=words)
    rows = [["the descriptions themselves", *_stats(measured.reference), "—"]]
    for trial in measured.trials:
        chosen = "  ← chosen" if trial.decoding == measured.decoding else ""
        rows.append([f"{trial.decoding.describe()}{chosen}", *_stats(trial.stats), f"{trial.log_likelihood:.3f}"])
    print_table(
        f"The built-in corpus, after: what lstm-export's measurement chooses, "
        f"{measured.prompts} held-out prompts, up to {words} words",
        ["decoding", "loop rate", "3-gram repeats", "distinct-2", "mean length", "ended", "log-lik/token"],
        rows,
        reproduce,
    )


def _stats(stats: Any) -> list[str]:
    return [
        f"{stats.loop_rate:.0%}",
        f"{stats.repeat_3_rate:.0%}",
        f"{stats.distinct_2:.3f}",
        f"{stats.mean_length:.1f}",
        f"{stats.ended_rate:.0%}",
    ]


def _trial_cells(generator: Any, trial: Any, words: int) -> list[str]:
    return [
        *_stats(trial.stats),
        f"{trial.log_likelihood:.3f}",
        f"{_per_word_us(generator, trial.decoding, words):.0f}",
    ]


def _per_word_us(generator: Any, decoding: Any, words: int) -> float:
    """µs per generated token (its <eos> included), one prompt at a time, prompts read beforehand."""
    states = generator.prefill(SAMPLE_PROMPTS * (TIMED_PROMPTS // len(SAMPLE_PROMPTS)))
    generator.generate(states[0], words, decoding=decoding)  # warm the decoder pool
    started, tokens = time.perf_counter(), 0
    for state in states:
        generation = generator.generate(state, words, decoding=decoding)
        tokens += len(generation.words) + (generation.stop_reason == "eos")
    return (time.perf_counter() - started) / max(tokens, 1) * 1e6


def _samples(before: Path, after: Path, words: int, quick: bool, prompts: list[str] = SAMPLE_PROMPTS) -> None:
    from lstm_edge.runtime.generator import Generator

    old, new = Generator(before), Generator(after)
    print(
        f"\n### Samples of {old.model.path.name} and {new.model.path.parent.name}, up to {words} words "
        f"(before: {old.decoding.describe()}; after: {new.decoding.describe()})\n"
    )
    for was, now in zip(old.generate_many(prompts, words), new.generate_many(prompts, words), strict=True):
        print(f"- before: {was.text}\n  after:  {now.text}")
    if quick:
        print(f"\n(quick models train on the first {QUICK_ROWS} rows for one epoch: their text means nothing)")
