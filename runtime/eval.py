"""Measuring model files on texts, with the runtime alone (what `lstm-eval` prints).

Scoring reads each text as training does, `<bos> w1 … wn <eos>`, one step of the decode graph per
token, many texts per batch, and sums over every target:

- loss and perplexity over all targets (words, punctuation, <eos>): the trainer's `val_loss`;
- perplexity over word targets only (no punctuation, no <eos>; <unk> counts as a word);
- the tutorial's next-word accuracy: plain argmax over the targets word 2 … n, as the trainer counts it;
- the unknown-word rate: word targets that are <unk>;
- agreement: with several models of one vocabulary, the share of targets where a model picks the
  first model's next word (both choosing as the generator does, never <pad>, <unk> or <bos>).

Texts are consumed in chunks, so memory stays bounded whatever the file's length. With `max_tokens`,
a text longer than that keeps its first `max_tokens` tokens and no <eos>, as training cuts it.

Generation statistics continue prompts (the first words of texts) and measure the continuations:
loop rate (share with a word 4-gram said twice within the first 100 words, prompt included,
punctuation ignored; the same for 3-grams, a milder repeat), distinct-2 (distinct word bigrams over
all bigrams, pooled), mean length in tokens and the share that ended by <eos>. `reference_stats`
measures the texts' own continuations the same way, for calibration: real reviews repeat a 4-gram
now and then, too.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .contract import mask_never_emitted
from .decoding import Decoding
from .model_file import ModelFile
from .tokenizer import EOS_ID, PAD_ID, PUNCTUATION, UNK_ID, Tokenizer, split_words

LOOP_NGRAM = 4
LOOP_WINDOW = 100  # words
CHUNK = 1024  # texts scored together (sorted by length within a chunk, to pad little)


@dataclass
class TextMetrics:
    """Sums over the scored targets of one model; the figures are properties."""

    texts: int = 0
    tokens: int = 0  # every target: words, punctuation, <eos>
    words: int = 0  # word targets
    unknown: int = 0  # word targets that are <unk>
    loss_sum: float = 0.0  # negative log-likelihood (nats), all targets
    word_loss_sum: float = 0.0
    correct: int = 0
    scored: int = 0  # the tutorial's targets
    agreeing: int = 0
    compared: int = 0  # targets compared with the first model (0: not comparable)

    @property
    def loss(self) -> float:
        return self.loss_sum / max(self.tokens, 1)

    @property
    def perplexity(self) -> float:
        return math.exp(min(self.loss, 50.0))

    @property
    def word_perplexity(self) -> float:
        return math.exp(min(self.word_loss_sum / max(self.words, 1), 50.0))

    @property
    def accuracy(self) -> float:
        return self.correct / max(self.scored, 1)

    @property
    def unknown_rate(self) -> float:
        return self.unknown / max(self.words, 1)

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.compared if self.compared else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "texts": self.texts,
            "tokens": self.tokens,
            "words": self.words,
            "unknown_rate": self.unknown_rate,
            "loss": self.loss,
            "perplexity": self.perplexity,
            "word_perplexity": self.word_perplexity,
            "accuracy": self.accuracy,
            "accuracy_targets": self.scored,
            "agreement_with_first": self.agreement,
            "agreement_targets": self.compared,
        }


class Scorer:
    """Scores texts with one or more models; `add(texts)` as often as needed, then read `metrics`."""

    def __init__(self, models: Sequence[ModelFile], batch_size: int = 64, max_tokens: int | None = None) -> None:
        self.models = list(models)
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.metrics = [TextMetrics() for _ in self.models]
        first = self.models[0].tokenizer
        self._comparable = [model.tokenizer == first for model in self.models]
        self._marks = [_marks(model.tokenizer) for model in self.models]
        self._decoders: dict[tuple[int, int], Any] = {}
        self._pending: list[str] = []

    def add(self, texts: Iterable[str]) -> None:
        for text in texts:
            self._pending.append(text)
            if len(self._pending) >= CHUNK:
                self.flush()

    def flush(self) -> None:
        """Score what `add` has collected."""
        texts, self._pending = self._pending, []
        if not texts:
            return
        encoded: dict[int, list[list[int]]] = {}  # per tokenizer, by the first model that has it
        for index, model in enumerate(self.models):
            owner = next(i for i, other in enumerate(self.models) if other.tokenizer == model.tokenizer)
            if owner not in encoded:
                encoded[owner] = sorted(_encode(model.tokenizer, texts, self.max_tokens), key=len)
            sequences = encoded[owner]
            self.metrics[index].texts += len(sequences)
        for owner, sequences in encoded.items():
            group = [i for i, model in enumerate(self.models) if model.tokenizer == self.models[owner].tokenizer]
            for start in range(0, len(sequences), self.batch_size):
                self._score_batch(group, sequences[start : start + self.batch_size])

    def _score_batch(self, group: list[int], sequences: list[list[int]]) -> None:
        inputs, targets = _pad(sequences)
        real = targets != PAD_ID
        word = real & ~self._marks[group[0]][targets] & (targets != EOS_ID)
        tutorial = real & (targets != EOS_ID)
        tutorial[:, 0] = False  # the tutorial's targets are word 2 … n
        reference: np.ndarray | None = None
        for index in group:
            choices = self._run(index, inputs, targets, real, word, tutorial)
            if index == 0:
                reference = choices
            elif reference is not None and self._comparable[index]:
                self.metrics[index].agreeing += int(((choices == reference) & real).sum())
                self.metrics[index].compared += int(real.sum())

    def _run(
        self,
        index: int,
        inputs: np.ndarray,
        targets: np.ndarray,
        real: np.ndarray,
        word: np.ndarray,
        tutorial: np.ndarray,
    ) -> np.ndarray:
        """Step model `index` through the batch; returns its generator-style choice at every position."""
        metrics = self.metrics[index]
        if (index, len(inputs)) not in self._decoders:
            if len(self._decoders) > 16:  # a few batch sizes per model; the rest is rebuilt when needed
                self._decoders.clear()
            self._decoders[index, len(inputs)] = self.models[index].backend.decoder(len(inputs))
        loss, argmax, choices = teacher_forced(self._decoders[index, len(inputs)], inputs, targets)
        metrics.loss_sum += float(loss[real].sum())
        metrics.word_loss_sum += float(loss[word].sum())
        metrics.correct += int(((argmax == targets) & tutorial).sum())
        metrics.tokens += int(real.sum())
        metrics.words += int(word.sum())
        metrics.unknown += int((word & (targets == UNK_ID)).sum())
        metrics.scored += int(tutorial.sum())
        return choices


def teacher_forced(decoder: Any, inputs: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, ...]:
    """Read (B, T) `inputs` from zero state one step at a time through `decoder` (built for B rows).

    Returns, per position, (B, T) each: the negative log-likelihood of `targets` (nats), the plain
    argmax (the trainer's accuracy) and the generator's choice (never <pad>, <unk> or <bos>).
    """
    rows, length = inputs.shape
    for tensor in decoder.state:
        tensor[:] = 0.0
    loss = np.zeros((rows, length))
    argmax = np.zeros((rows, length), dtype=np.int64)
    choices = np.zeros((rows, length), dtype=np.int64)
    row_index = np.arange(rows)
    for position in range(length):
        decoder.ids[:, 0] = inputs[:, position]
        decoder.step()
        logits = decoder.logits.astype(np.float64)
        top = logits.max(axis=1)
        log_total = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
        loss[:, position] = log_total - logits[row_index, targets[:, position]]
        argmax[:, position] = logits.argmax(axis=1)
        choices[:, position] = mask_never_emitted(logits).argmax(axis=1)
    return loss, argmax, choices


def _encode(tokenizer: Tokenizer, texts: list[str], max_tokens: int | None = None) -> list[list[int]]:
    """`<bos> w1 … wn <eos>` per text with at least one token, as the trainer encodes them (one longer
    than `max_tokens` keeps its first `max_tokens` tokens and no <eos>)."""
    encoded = (tokenizer.encode(text, add_bos=True, add_eos=True).ids for text in texts)
    return [
        ids if max_tokens is None or len(ids) - 2 <= max_tokens else ids[: 1 + max_tokens]
        for ids in encoded
        if len(ids) > 2
    ]


def _pad(sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    longest = max(len(s) for s in sequences) - 1
    inputs = np.full((len(sequences), longest), PAD_ID, dtype=np.int64)
    targets = np.full((len(sequences), longest), PAD_ID, dtype=np.int64)
    for row, ids in enumerate(sequences):
        inputs[row, : len(ids) - 1] = ids[:-1]
        targets[row, : len(ids) - 1] = ids[1:]
    return inputs, targets


def _marks(tokenizer: Tokenizer) -> np.ndarray:
    """(V,) bool: the punctuation tokens of this vocabulary."""
    marks = np.zeros(len(tokenizer), dtype=bool)
    marks[[tokenizer.ids[m] for m in PUNCTUATION if m in tokenizer.ids]] = True
    return marks


# --- generation statistics ---------------------------------------------------------------------------


@dataclass
class GenerationStats:
    outputs: int = 0
    looped: int = 0
    repeated_3: int = 0  # outputs that say a word 3-gram twice (a milder repeat than a loop)
    ended: int = 0
    tokens: int = 0
    bigrams: int = 0
    distinct: set[tuple[str, str]] = field(default_factory=set, repr=False)

    @property
    def loop_rate(self) -> float:
        return self.looped / max(self.outputs, 1)

    @property
    def repeat_3_rate(self) -> float:
        return self.repeated_3 / max(self.outputs, 1)

    @property
    def distinct_2(self) -> float:
        return len(self.distinct) / max(self.bigrams, 1)

    @property
    def mean_length(self) -> float:
        return self.tokens / max(self.outputs, 1)

    @property
    def ended_rate(self) -> float:
        return self.ended / max(self.outputs, 1)

    def add(self, prompt: Sequence[str], continuation: Sequence[str], ended: bool) -> None:
        """One output: the prompt's tokens and the continuation's (without <eos>), and whether it ended."""
        self.outputs += 1
        window = _words([*prompt, *continuation])[: len(_words(prompt)) + LOOP_WINDOW]
        self.looped += repeats_ngram(window)
        self.repeated_3 += repeats_ngram(window, 3)
        self.ended += ended
        self.tokens += len(continuation)
        words = _words(continuation)
        pairs = list(itertools.pairwise(words))
        self.bigrams += len(pairs)
        self.distinct.update(pairs)

    def to_dict(self) -> dict[str, Any]:
        summary = {k: v for k, v in asdict(self).items() if k != "distinct"}
        return {
            **summary,
            "loop_rate": self.loop_rate,
            "repeat_3_rate": self.repeat_3_rate,
            "distinct_2": self.distinct_2,
            "mean_length": self.mean_length,
            "ended_rate": self.ended_rate,
        }


def repeats_ngram(words: Sequence[str], n: int = LOOP_NGRAM) -> bool:
    """Whether some n words in a row occur twice."""
    seen: set[tuple[str, ...]] = set()
    for start in range(len(words) - n + 1):
        gram = tuple(words[start : start + n])
        if gram in seen:
            return True
        seen.add(gram)
    return False


def _words(tokens: Sequence[str]) -> list[str]:
    return [token for token in tokens if token not in PUNCTUATION]


def prompt_of(text: str, words: int) -> list[str] | None:
    """The first `words` tokens of `text`, or None when it has no more than that (nothing to continue)."""
    tokens = split_words(text)
    return tokens[:words] if len(tokens) > words else None


def generation_stats(
    generator: Any, prompts: Sequence[Sequence[str]], max_words: int, decoding: Decoding, batch_size: int = 64
) -> GenerationStats:
    """Continue each prompt (tokens) with `generator` and `decoding`, greedy; measure the continuations."""
    stats = GenerationStats()
    for start in range(0, len(prompts), batch_size):
        batch = [" ".join(prompt) for prompt in prompts[start : start + batch_size]]
        for prompt, generation in zip(
            prompts[start : start + batch_size],
            generator.generate_many(batch, max_words, decoding=decoding),
            strict=True,
        ):
            stats.add(prompt, generation.words, generation.stop_reason == "eos")
    return stats


def reference_stats(texts: Sequence[str], prompt_words: int, max_words: int) -> GenerationStats:
    """The texts' own continuations after their first `prompt_words` tokens, cut to `max_words` tokens."""
    stats = GenerationStats()
    for text in texts:
        tokens = split_words(text)
        if len(tokens) > prompt_words:
            continuation = tokens[prompt_words:]
            stats.add(tokens[:prompt_words], continuation[:max_words], len(continuation) < max_words)
    return stats
