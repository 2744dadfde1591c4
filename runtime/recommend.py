"""Choosing a model's default decoding by measurement; `lstm-export` writes the choice into the file.

Every candidate continues the same prompts — the first words of 200 held-out texts — by up to 100
words, greedy. A candidate qualifies when

- at most 1 output in 10 repeats a word 4-gram (or as many as in the texts' own continuations, if more);
- it ends by <eos> within the budget at least 90% as often as the texts themselves do.

Among those that qualify, the continuations the model itself finds likeliest are wanted (mean
log-likelihood per token, <eos> included, scored without any rule): the least distortion of what the
model learnt that still neither loops nor runs on. Differences below 0.01 nats per token (1% of
perplexity) are noise at this sample size, so every candidate within that margin of the likeliest is
as good, and of those the ones whose outputs repeat a word 3-gram least often ("a drawstring waist
and a drawstring waist" is no loop, but reads as one; rates within two points of the fewest count as
equal), and of those the simplest: the candidates are listed simplest first, plain greedy first of
all, so a model that does not repeat itself keeps it.
When none qualifies, the lowest loop rate wins. Beam search is
measured beside them (`lstm-eval`, the quality benchmark) but never chosen here: it multiplies the
work per word and cannot stream, which matters more on a device than its likelier text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .decoding import PLAIN, Decoding
from .eval import LOOP_WINDOW, GenerationStats, teacher_forced
from .tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID

CANDIDATES = (
    PLAIN,
    *(Decoding(no_repeat_ngram_size=n) for n in (6, 5, 4, 3)),
    *(Decoding(repetition_penalty=p) for p in (1.1, 1.2, 1.3, 1.5)),
    *(Decoding(repetition_penalty=p, no_repeat_ngram_size=n) for n in (4, 3) for p in (1.1, 1.2)),
)
MAX_LOOP_RATE = 0.10
MARGIN = 0.01  # nats per token
REPEAT_MARGIN = 0.02  # share of outputs: 4 of 200 prompts, noise at this size
ENDING_SHARE = 0.9
PROMPT_WORDS = 3
PROMPTS = 200


@dataclass
class Trial:
    decoding: Decoding
    stats: GenerationStats
    log_likelihood: float  # mean per continuation token (<eos> included), under the model without rules
    qualifies: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "decoding": self.decoding.describe(),
            "loop_rate": round(self.stats.loop_rate, 4),
            "repeat_3_rate": round(self.stats.repeat_3_rate, 4),
            "ended_rate": round(self.stats.ended_rate, 4),
            "distinct_2": round(self.stats.distinct_2, 4),
            "mean_length": round(self.stats.mean_length, 2),
            "log_likelihood": round(self.log_likelihood, 4),
            "qualifies": self.qualifies,
        }


@dataclass
class Recommendation:
    decoding: Decoding
    trials: list[Trial]
    reference: GenerationStats  # the texts' own continuations
    prompts: int
    source: str  # what the prompts were taken from

    def to_metadata(self) -> dict[str, Any]:
        """The `chosen_by` document of the model's generation metadata."""
        return {
            "method": f"measured on {self.prompts} prompts from {self.source}",
            "rule": f"of those with loop rate <= {max(MAX_LOOP_RATE, self.reference.loop_rate):.2f} and ended "
            f"rate >= {ENDING_SHARE * self.reference.ended_rate:.2f}, within {MARGIN} nats/token of the "
            "likeliest: the fewest 3-gram repeats, then the simplest",
            "prompt_words": PROMPT_WORDS,
            "max_words": LOOP_WINDOW,
            "reference": {
                "loop_rate": round(self.reference.loop_rate, 4),
                "repeat_3_rate": round(self.reference.repeat_3_rate, 4),
                "ended_rate": round(self.reference.ended_rate, 4),
                "distinct_2": round(self.reference.distinct_2, 4),
                "mean_length": round(self.reference.mean_length, 2),
            },
            "trials": [trial.to_dict() for trial in self.trials],
        }

    def lines(self) -> list[str]:
        """A table of the trials, for lstm-export's report."""
        rows = [
            f"{'decoding':<42} {'loops':>6} {'3-gram':>6} {'ended':>6} {'distinct-2':>10} {'length':>7} {'log-lik':>8}"
        ]
        reference = self.reference
        rows.append(
            f"{'(the texts themselves)':<42} {reference.loop_rate:>6.0%} {reference.repeat_3_rate:>6.0%} "
            f"{reference.ended_rate:>6.0%} {reference.distinct_2:>10.3f} {reference.mean_length:>7.1f} {'':>8}"
        )
        for trial in self.trials:
            mark = "  ← chosen" if trial.decoding == self.decoding else ("" if trial.qualifies else "  ✗")
            stats = trial.stats
            rows.append(
                f"{trial.decoding.describe():<42} {stats.loop_rate:>6.0%} {stats.repeat_3_rate:>6.0%} "
                f"{stats.ended_rate:>6.0%} {stats.distinct_2:>10.3f} {stats.mean_length:>7.1f} "
                f"{trial.log_likelihood:>8.3f}{mark}"
            )
        return rows


def recommend(
    generator: Any,
    sequences: Sequence[Sequence[int]],
    source: str,
    candidates: Sequence[Decoding] = CANDIDATES,
    prompts: int = PROMPTS,
    max_words: int = LOOP_WINDOW,
) -> Recommendation:
    """Measure `candidates` on prompts from `sequences` (`<bos> … <eos>` ids) and choose one."""
    chosen = [list(s) for s in sequences if len(s) > PROMPT_WORDS + 2 and UNK_ID not in s[1 : PROMPT_WORDS + 1]]
    chosen = chosen[:prompts]
    vocabulary = generator.tokenizer.vocabulary
    reference = GenerationStats()
    for ids in chosen:
        continuation = ids[PROMPT_WORDS + 1 : -1]
        reference.add(
            [vocabulary[i] for i in ids[1 : PROMPT_WORDS + 1]],
            [vocabulary[i] for i in continuation[:max_words]],
            len(continuation) < max_words,
        )
    prompt_ids = [ids[1 : PROMPT_WORDS + 1] for ids in chosen]
    trials = [_trial(generator, prompt_ids, decoding, max_words) for decoding in candidates]
    return Recommendation(choose(trials, reference).decoding, trials, reference, len(chosen), source)


def choose(trials: Sequence[Trial], reference: GenerationStats) -> Trial:
    """The rule of the module's docstring; marks each trial's `qualifies` on the way."""
    loop_limit = max(MAX_LOOP_RATE, reference.loop_rate)
    for trial in trials:
        trial.qualifies = (
            trial.stats.loop_rate <= loop_limit and trial.stats.ended_rate >= ENDING_SHARE * reference.ended_rate
        )
    qualified = [trial for trial in trials if trial.qualifies]
    if not qualified:
        return min(trials, key=lambda trial: (trial.stats.loop_rate, -_likelihood(trial)))
    likeliest = max(_likelihood(trial) for trial in qualified)
    as_likely = [trial for trial in qualified if _likelihood(trial) >= likeliest - MARGIN]
    fewest = min(trial.stats.repeat_3_rate for trial in as_likely)
    return next(trial for trial in as_likely if trial.stats.repeat_3_rate <= fewest + REPEAT_MARGIN)


def _likelihood(trial: Trial) -> float:
    """The trial's mean log-likelihood, a model that computes NaN counting as the unlikeliest."""
    return trial.log_likelihood if trial.log_likelihood == trial.log_likelihood else -math.inf


def _trial(generator: Any, prompt_ids: list[list[int]], decoding: Decoding, max_words: int) -> Trial:
    vocabulary = generator.tokenizer.vocabulary
    texts = [" ".join(vocabulary[i] for i in ids) for ids in prompt_ids]
    stats = GenerationStats()
    sequences = []
    for start in range(0, len(texts), 64):
        batch = generator.generate_many(texts[start : start + 64], max_words, decoding=decoding)
        for ids, generation in zip(prompt_ids[start : start + 64], batch, strict=True):
            ended = generation.stop_reason == "eos"
            stats.add([vocabulary[i] for i in ids], generation.words, ended)
            continuation = [generator.tokenizer.ids[word] for word in generation.words] + ([EOS_ID] if ended else [])
            sequences.append(([BOS_ID, *ids], continuation))
    return Trial(decoding, stats, _mean_log_likelihood(generator, sequences))


def _mean_log_likelihood(generator: Any, sequences: list[tuple[list[int], list[int]]], batch: int = 64) -> float:
    """Mean log-probability per continuation token, the prompt read first, scored without rules."""
    total, count = 0.0, 0
    for start in range(0, len(sequences), batch):
        part = [(prompt, continuation) for prompt, continuation in sequences[start : start + batch] if continuation]
        if not part:
            continue
        whole = [prompt + continuation for prompt, continuation in part]
        length = max(len(ids) for ids in whole) - 1
        inputs = np.full((len(whole), length), PAD_ID, dtype=np.int64)
        targets = np.full((len(whole), length), PAD_ID, dtype=np.int64)
        scored = np.zeros((len(whole), length), dtype=bool)
        for row, ((prompt, _), ids) in enumerate(zip(part, whole, strict=True)):
            inputs[row, : len(ids) - 1], targets[row, : len(ids) - 1] = ids[:-1], ids[1:]
            scored[row, len(prompt) - 1 : len(ids) - 1] = True
        loss, _, _ = teacher_forced(generator.backend.decoder(len(whole)), inputs, targets)
        total -= float(loss[scored].sum())
        count += int(scored.sum())
    return total / max(count, 1)
