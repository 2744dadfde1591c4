"""Text generation from an lstm-edge ONNX file with onnxruntime and numpy alone.

    generator = Generator()                        # the shipped model
    print(generator.generate("A cream coat").text)

The prompt is read once (prefill, with zero state); after that each word costs one step of the
graph with seq = 1 and the state fed back. Steps run through pre-built I/O bindings over two
ping-pong sets of state buffers, so the per-word Python work is a few numpy calls. A Generator
holds no per-call state and may be shared between threads.

Decoding rules (repetition penalty, no-repeat n-grams, beam search: runtime/decoding.py, beam.py)
default to what the model file recommends (`generator.decoding`); pass `decoding=` to choose.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import contract
from .backend import Decoder
from .contract import NEVER_EMITTED, STOP_ID
from .decoding import Decoding, RepetitionRules, check_beams, exempt_ids
from .errors import GenerationError
from .model_file import ModelFile, load_model
from .tokenizer import detokenize, split_words


class _SamplingFields(NamedTuple):
    temperature: float
    top_k: int  # 0 = no limit
    top_p: float
    seed: int | None


class Sampling(_SamplingFields):
    """How the next word is chosen. temperature 0 = greedy (deterministic, the tutorial's behaviour)."""

    __slots__ = ()

    def __new__(cls, temperature: float = 0.0, top_k: int = 0, top_p: float = 1.0, seed: int | None = None) -> Sampling:
        if not 0.0 <= temperature <= 100.0:  # NaN fails every comparison, so it lands here too
            raise GenerationError(f"temperature must be between 0 and 100, got {temperature}")
        if not isinstance(top_k, int) or top_k < 0:
            raise GenerationError(f"top-k must be 0 (off) or a positive whole number, got {top_k}")
        if not 0.0 < top_p <= 1.0:
            raise GenerationError(f"top-p must be in (0, 1], got {top_p}")
        if seed is not None and not (isinstance(seed, int) and 0 <= seed < 2**63):
            raise GenerationError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed}")
        return super().__new__(cls, temperature, top_k, top_p, seed)

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0


GREEDY = Sampling()


class PromptState(NamedTuple):
    """A prompt after prefill: reuse it to draw several continuations without reading it again."""

    prompt: str
    words: list[str]  # the prompt's tokens, unknown ones included
    unknown_words: list[str]
    logits: np.ndarray  # (V,) next-word logits
    state: tuple[np.ndarray, ...]  # per state input, (H,)
    ids: tuple[int, ...] = ()  # the prompt's token ids after <bos>: what the repetition rules count as said


class Generation(NamedTuple):
    prompt: str
    text: str  # prompt and continuation, detokenized
    words: list[str]  # generated tokens
    unknown_words: list[str]
    stop_reason: str  # "eos" or "max_words"

    @property
    def raw_text(self) -> str:
        """Prompt and continuation as the model's tokens, joined by spaces (lstm-gen --raw)."""
        return " ".join([*split_words(self.prompt), *self.words])

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "text": self.text,
            "words": self.words,
            "unknown_words": self.unknown_words,
            "stop_reason": self.stop_reason,
        }


class Generator:
    """Greedy or sampled generation from one model file; one onnxruntime session, created once.

    `decoding` is what every call uses unless it passes its own: by default the model's recommendation.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | ModelFile | None = None,
        threads: int = 1,
        backend: str = "auto",
        decoding: Decoding | None = None,
    ) -> None:
        self.model = model if isinstance(model, ModelFile) else load_model(model, threads=threads, backend=backend)
        self.tokenizer = self.model.tokenizer
        self.spec = self.model.spec
        self.backend = self.model.backend
        self.recommended = Decoding.from_metadata(self.model.generation)  # checked by the loader already
        self.decoding = self.recommended if decoding is None else decoding
        self._exempt = exempt_ids(self.tokenizer)
        self._local = threading.local()  # per-thread pools of decoders

    # --- prompts ---

    def prefill(self, prompts: Sequence[str]) -> list[PromptState]:
        """Read each prompt once (prompts of equal length share one batched run)."""
        encoded = [self.tokenizer.encode(prompt, add_bos=True) for prompt in prompts]
        results: list[PromptState | None] = [None] * len(prompts)
        by_length: dict[int, list[int]] = {}
        for index, encoding in enumerate(encoded):
            by_length.setdefault(len(encoding.ids), []).append(index)
        for indices in by_length.values():
            ids = np.array([encoded[i].ids for i in indices], dtype=np.int64)  # (B, T)
            logits, state = self.backend.run(ids, self.spec.zero_state(len(indices)))
            for row, index in enumerate(indices):
                results[index] = PromptState(
                    prompt=prompts[index],
                    words=split_words(prompts[index]),
                    unknown_words=encoded[index].unknown_words,
                    logits=logits[row],
                    state=tuple(tensor[row] for tensor in state),
                    ids=tuple(encoded[index].ids[1:]),
                )
        return results  # type: ignore[return-value]

    # --- generation ---

    def generate(
        self,
        prompt: str | PromptState,
        max_words: int = contract.DEFAULT_WORDS,
        sampling: Sampling = GREEDY,
        decoding: Decoding | None = None,
    ) -> Generation:
        """Continue one prompt by up to `max_words` words, stopping early at <eos>."""
        return self.generate_many([prompt], max_words, sampling, decoding)[0]

    def generate_many(
        self,
        prompts: Sequence[str | PromptState],
        max_words: int = contract.DEFAULT_WORDS,
        sampling: Sampling = GREEDY,
        decoding: Decoding | None = None,
    ) -> list[Generation]:
        """Continue many prompts at once: prefill each, then decode them together as one batch."""
        decoding = self._checked(max_words, sampling, decoding)
        states = self._prompt_states(prompts)
        if not states:
            return []
        steps = list(self._decode(states, max_words, sampling, decoding)) if max_words else []
        tokens = np.array(steps) if steps else None  # (T, B)
        return [
            self._generation(state, tokens[:, row] if tokens is not None else []) for row, state in enumerate(states)
        ]

    def stream(
        self,
        prompt: str | PromptState,
        max_words: int = contract.DEFAULT_WORDS,
        sampling: Sampling = GREEDY,
        decoding: Decoding | None = None,
    ) -> Iterator[str]:
        """Yield generated tokens one at a time as they are decided (<eos> ends the stream).

        Beam search decides the whole continuation before its first word, so it streams at the end.
        """
        decoding = self._checked(max_words, sampling, decoding)
        return self._stream(self._prompt_states([prompt]), max_words, sampling, decoding)

    def _checked(self, max_words: int, sampling: Sampling, decoding: Decoding | None) -> Decoding:
        _check_budget(max_words)
        decoding = self.decoding if decoding is None else decoding
        check_beams(decoding, sampling.greedy)
        return decoding

    def _stream(
        self, prompts: list[PromptState], max_words: int, sampling: Sampling, decoding: Decoding
    ) -> Iterator[str]:
        for step_tokens in self._decode(prompts, max_words, sampling, decoding):
            token = int(step_tokens[0])
            if token == STOP_ID:
                return
            yield self.tokenizer.vocabulary[token]

    def _prompt_states(self, prompts: Sequence[str | PromptState]) -> list[PromptState]:
        texts = [p for p in prompts if not isinstance(p, PromptState)]
        prefilled = iter(self.prefill(texts)) if texts else iter(())
        return [p if isinstance(p, PromptState) else next(prefilled) for p in prompts]

    def _decode(
        self, prompts: list[PromptState], max_words: int, sampling: Sampling, decoding: Decoding
    ) -> Iterator[Sequence[int] | np.ndarray]:
        """Yield the next token of every row, step by step; rows that reached <eos> keep yielding <eos>."""
        beams = decoding.beams
        decoder = self._acquire(len(prompts) * beams)
        try:
            for row in range(len(decoder.ids)):  # start from the prompts' logits and state (each beam alike)
                prompt = prompts[row // beams]
                decoder.logits[row] = prompt.logits
                for tensor, value in zip(decoder.state, prompt.state, strict=True):
                    tensor[row] = value
            rules = None
            if decoding.has_rules:
                histories = [prompt.ids for prompt in prompts for _ in range(beams)]
                rules = RepetitionRules(decoding, histories, self._exempt)
            if beams > 1:
                from .beam import decode_beams  # here, not at the top: a start without beams skips it

                yield from _steps(decode_beams(decoder, beams, max_words, rules))
            elif len(prompts) == 1 and sampling.greedy:
                yield from (
                    _decode_one_greedy(decoder, max_words)
                    if rules is None
                    else _decode_one_ruled(decoder, max_words, rules)
                )
            else:
                yield from _decode_batch(decoder, max_words, sampling, rules)
        finally:
            self._release(decoder)

    def _acquire(self, batch: int) -> Decoder:
        """A decoder for `batch` rows, reused by later calls in this thread (a decoder must not be shared
        between threads, and building one costs more than a step)."""
        pool: dict[int, list[Decoder]] | None = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        free = pool.get(batch)
        return free.pop() if free else self.backend.decoder(batch)

    def _release(self, decoder: Decoder) -> None:
        pool = self._local.pool
        free = pool.setdefault(len(decoder.ids), [])
        if len(free) < 2 and len(pool) <= 8:  # a few batch sizes, two streams each; the rest is dropped
            free.append(decoder)

    def _generation(self, prompt: PromptState, tokens: np.ndarray | list[int]) -> Generation:
        tokens = [int(t) for t in tokens]
        stop_reason = "eos" if STOP_ID in tokens else "max_words"
        if STOP_ID in tokens:
            tokens = tokens[: tokens.index(STOP_ID)]
        words = [self.tokenizer.vocabulary[t] for t in tokens]
        return Generation(prompt.prompt, detokenize(prompt.words + words), words, prompt.unknown_words, stop_reason)


def _decode_one_greedy(decoder: Decoder, max_words: int) -> Iterator[Sequence[int]]:
    """The common case with the least Python per word: one row, argmax, feed back."""
    step, row, ids = decoder.step, decoder.logits[0], decoder.ids
    for position in range(max_words):
        row[NEVER_EMITTED] = -np.inf
        token = int(row.argmax())
        yield (token,)
        if token == STOP_ID or position == max_words - 1:
            return
        ids[0, 0] = token
        step()


def _decode_one_ruled(decoder: Decoder, max_words: int, rules: RepetitionRules) -> Iterator[Sequence[int]]:
    """Batch 1 greedy with repetition rules: the loop above, the rules applied before each choice."""
    step, logits, ids = decoder.step, decoder.logits, decoder.ids
    row = logits[0]
    for position in range(max_words):
        rules.apply(logits)
        row[NEVER_EMITTED] = -np.inf
        token = int(row.argmax())
        yield (token,)
        if token == STOP_ID or position == max_words - 1:
            return
        rules.append((token,))
        ids[0, 0] = token
        step()


def _decode_batch(
    decoder: Decoder, max_words: int, sampling: Sampling, rules: RepetitionRules | None = None
) -> Iterator[np.ndarray]:
    logits, ids = decoder.logits, decoder.ids
    rng = None if sampling.greedy else np.random.default_rng(sampling.seed)
    done = np.zeros(len(logits), dtype=bool)
    for position in range(max_words):
        if rules is not None:
            rules.apply(logits)
        next_ids = _choose(logits, sampling, rng)
        next_ids[done] = STOP_ID
        done |= next_ids == STOP_ID
        yield next_ids
        if done.all() or position == max_words - 1:
            return
        if rules is not None:
            rules.append(next_ids)
        ids[:, 0] = next_ids
        decoder.step()


def _steps(sequences: list[list[int]]) -> Iterator[np.ndarray]:
    """Finished sequences as the step-by-step stream the other loops yield (<eos> after a row's end)."""
    longest = max(len(sequence) for sequence in sequences)
    for position in range(longest):
        yield np.array([s[position] if position < len(s) else STOP_ID for s in sequences], dtype=np.int64)


def _check_budget(max_words: int) -> None:
    if not 0 <= max_words <= contract.MAX_WORDS:
        raise GenerationError(f"max_words must be between 0 and {contract.MAX_WORDS}, got {max_words}")


def _choose(logits: np.ndarray, sampling: Sampling, rng: np.random.Generator | None) -> np.ndarray:
    """Next token per row: never <pad>, <unk> or <bos>."""
    contract.mask_never_emitted(logits)
    if rng is None:
        chosen: np.ndarray = logits.argmax(axis=1)
        return chosen
    return _sample(logits, sampling, rng)


def _sample(logits: np.ndarray, sampling: Sampling, rng: np.random.Generator) -> np.ndarray:
    """Draw one token per row. With a seed, every row uses the same draws, so a prompt's text does not
    depend on the other prompts in the batch (as if each row had its own generator from that seed)."""
    scores = logits.astype(np.float64)  # (B, V)
    # Shifted to ≤ 0 before dividing: a tiny temperature sends unlikely words to -inf, never the best to inf
    # (inf - inf = NaN would select <pad>).
    with np.errstate(over="ignore"):
        scores = (scores - scores.max(axis=1, keepdims=True)) / sampling.temperature
    if 0 < sampling.top_k < scores.shape[1]:
        kth = np.partition(scores, -sampling.top_k, axis=1)[:, -sampling.top_k, None]
        scores = np.where(scores < kth, -np.inf, scores)
    probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    if sampling.top_p < 1.0:
        order = np.argsort(-probabilities, axis=1)
        ranked = np.take_along_axis(probabilities, order, axis=1)
        outside = np.cumsum(ranked, axis=1) - ranked >= sampling.top_p  # the smallest set reaching top_p stays
        ranked[outside] = 0.0
        probabilities = np.zeros_like(probabilities)
        np.put_along_axis(probabilities, order, ranked, axis=1)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(probabilities, axis=1)
    rows = 1 if sampling.seed is not None else len(scores)
    draws = rng.random((rows, 1)) * cumulative[:, -1:]
    chosen: np.ndarray = np.argmax(cumulative > draws, axis=1)  # the first token whose mass covers the draw
    return chosen
