"""Decoding rules on top of the choice of the next word: repetition penalty and no-repeat n-grams.

    Decoding(repetition_penalty=1.3)      # divide positive logits by 1.3, multiply negative ones,
                                          #   for every word already said (prompt and generated)
    Decoding(no_repeat_ngram_size=4)      # never say the same 4 tokens twice
    Decoding(beams=4)                     # beam search (runtime/beam.py), the rules apply per beam

Punctuation and <eos> are exempt from both rules: a description can always end its sentence, and
always end. (One exception, which never stands in the way of an ending: a run of marks alone, like
". . .", is an n-gram like any other, so a model stuck on punctuation is stopped too.) The rules
work on logits before <pad>/<unk>/<bos> are masked and before the greedy or sampled choice, so they
compose with temperature, top-k and top-p.

A model file recommends its own settings (`lstm_edge.generation` metadata, chosen at export by
measurement); `Decoding.from_metadata` reads and checks them, and `PLAIN` is none at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .contract import MAX_BEAMS, MAX_NGRAM, MAX_PENALTY, STOP_ID
from .errors import GenerationError
from .tokenizer import PUNCTUATION, Tokenizer


class _DecodingFields(NamedTuple):
    repetition_penalty: float  # 1 = off; > 1 makes words already said less likely
    no_repeat_ngram_size: int  # 0 = off; n: no n tokens in a row twice
    beams: int  # 1 = off; k: keep the k likeliest continuations, length-normalised


class Decoding(_DecodingFields):
    """Rules against repetition, and beam search. The defaults are none of them (plain greedy/sampling)."""

    __slots__ = ()

    def __new__(cls, repetition_penalty: float = 1.0, no_repeat_ngram_size: int = 0, beams: int = 1) -> Decoding:
        penalty = repetition_penalty
        if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not 1.0 <= penalty <= MAX_PENALTY:
            raise GenerationError(f"repetition penalty must be between 1 (off) and {MAX_PENALTY:g}, got {penalty!r}")
        size = no_repeat_ngram_size
        if type(size) is not int or not 0 <= size <= MAX_NGRAM:
            raise GenerationError(f"no-repeat n-gram size must be 0 (off) or 1 to {MAX_NGRAM}, got {size!r}")
        if type(beams) is not int or not 1 <= beams <= MAX_BEAMS:
            raise GenerationError(f"beams must be 1 (off) to {MAX_BEAMS}, got {beams!r}")
        return super().__new__(cls, float(penalty), size, beams)

    @property
    def has_rules(self) -> bool:
        """Whether a repetition rule changes the logits."""
        return self.repetition_penalty != 1.0 or self.no_repeat_ngram_size > 0

    @property
    def plain(self) -> bool:
        return not self.has_rules and self.beams == 1

    def describe(self) -> str:
        """In words: `greedy`, or e.g. `no repeated 4-grams, repetition penalty 1.2, 4 beams`."""
        parts = []
        if self.no_repeat_ngram_size:
            parts.append(f"no repeated {self.no_repeat_ngram_size}-grams")
        if self.repetition_penalty != 1.0:
            parts.append(f"repetition penalty {self.repetition_penalty:g}")
        if self.beams > 1:
            parts.append(f"{self.beams} beams")
        return ", ".join(parts) or "plain"

    def to_metadata(self) -> dict[str, Any]:
        """The keys this object owns in the `lstm_edge.generation` document."""
        return {
            "strategy": "beam" if self.beams > 1 else "greedy",
            "beams": self.beams,
            "repetition_penalty": self.repetition_penalty,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
        }

    @classmethod
    def from_metadata(cls, document: dict[str, Any]) -> Decoding:
        """The settings a model file recommends; files written before these keys existed recommend none.

        Raises GenerationError naming the bad value (the loader turns it into a ModelFileError).
        """
        strategy = document.get("strategy", "greedy")
        if strategy not in ("greedy", "beam"):
            raise GenerationError(f"strategy {str(strategy)[:40]!r} is not greedy or beam")
        decoding = cls(
            repetition_penalty=document.get("repetition_penalty", 1.0),
            no_repeat_ngram_size=document.get("no_repeat_ngram_size", 0),
            beams=document.get("beams", 1),
        )
        if (strategy == "beam") != (decoding.beams > 1):
            raise GenerationError(f"strategy {strategy!r} does not match beams {decoding.beams}")
        return decoding

    def replace(
        self,
        repetition_penalty: float | None = None,
        no_repeat_ngram_size: int | None = None,
        beams: int | None = None,
    ) -> Decoding:
        """These settings with the given ones changed (None: kept) — options over a model's defaults."""
        return Decoding(
            self.repetition_penalty if repetition_penalty is None else repetition_penalty,
            self.no_repeat_ngram_size if no_repeat_ngram_size is None else no_repeat_ngram_size,
            self.beams if beams is None else beams,
        )


PLAIN = Decoding()


def exempt_ids(tokenizer: Tokenizer) -> np.ndarray:
    """(V,) bool: the tokens no rule may touch, <eos> and the punctuation marks."""
    exempt = np.zeros(len(tokenizer), dtype=bool)
    exempt[STOP_ID] = True
    for mark in PUNCTUATION:
        if mark in tokenizer.ids:
            exempt[tokenizer.ids[mark]] = True
    return exempt


class RepetitionRules:
    """What each row of a decode batch has said so far, and the rules that follow from it.

    `apply(logits)` before each choice, `append(tokens)` after it; beam search calls `reorder(rows)`
    when beams are re-ranked. Rows are independent: a prompt's text does not depend on its batch.
    """

    def __init__(self, decoding: Decoding, histories: Sequence[Sequence[int]], exempt: np.ndarray) -> None:
        self.penalty = decoding.repetition_penalty
        self.size = decoding.no_repeat_ngram_size
        self.exempt = exempt
        self.seen = np.zeros((len(histories), len(exempt)), dtype=bool)  # words said, exempt ones left out
        self._said: tuple[list[int], list[int]] = ([], [])  # the same as (rows, columns), in the order said
        self._index: tuple[np.ndarray, np.ndarray] | None = None  # `_said` as arrays, rebuilt when it grows
        self.tokens: list[list[int]] = [[] for _ in histories]
        # per row: the n - 1 tokens before → the tokens that completed them (an n-gram already said)
        self.ngrams: list[dict[tuple[int, ...], frozenset[int]]] = [{} for _ in histories]
        for row, history in enumerate(histories):
            for token in history:
                self._add(row, int(token))

    def apply(self, logits: np.ndarray) -> None:
        """Change the (R, V) logits in place: penalize words said, ban tokens that would repeat an n-gram."""
        if self.penalty != 1.0:
            if self._index is None:  # a few dozen words said, of thousands: index them, not the whole row
                self._index = (np.array(self._said[0], dtype=np.intp), np.array(self._said[1], dtype=np.intp))
            rows, columns = self._index
            said = logits[rows, columns]
            logits[rows, columns] = np.where(said > 0, said / self.penalty, said * self.penalty)
        if self.size:
            context = self.size - 1
            for row, tokens in enumerate(self.tokens):
                if len(tokens) >= context:
                    banned = self.ngrams[row].get(tuple(tokens[len(tokens) - context :]))
                    if banned:
                        logits[row, list(banned)] = -np.inf

    def append(self, chosen: np.ndarray | Sequence[int]) -> None:
        """Record the token each row chose."""
        for row, token in enumerate(chosen):
            self._add(row, int(token))

    def reorder(self, rows: np.ndarray) -> None:
        """Row i takes over the history of row `rows[i]` (beam search's re-ranking)."""
        self.seen = self.seen[rows]
        said_rows, said_columns = np.nonzero(self.seen)
        self._said, self._index = (said_rows.tolist(), said_columns.tolist()), None
        self.tokens = [list(self.tokens[r]) for r in rows]
        self.ngrams = [dict(self.ngrams[r]) for r in rows]  # values are frozensets, never changed in place

    def _add(self, row: int, token: int) -> None:
        tokens = self.tokens[row]
        tokens.append(token)
        if token == STOP_ID:
            return
        mark = self.exempt[token]
        if not mark and not self.seen[row, token]:
            self.seen[row, token] = True
            self._said[0].append(row)
            self._said[1].append(token)
            self._index = None
        if self.size and len(tokens) >= self.size:
            gram = tokens[len(tokens) - self.size :]
            # a mark completes no banned n-gram, unless the n-gram is a run of marks (". . ." said again)
            if not mark or (self.size > 1 and all(self.exempt[t] for t in gram)):
                table = self.ngrams[row]
                key = tuple(gram[:-1])
                table[key] = table.get(key, frozenset()) | {token}


def check_beams(decoding: Decoding, greedy: bool) -> None:
    """Beam search keeps the likeliest continuations; it does not sample."""
    if decoding.beams > 1 and not greedy:
        raise GenerationError(
            f"beam search ({decoding.beams} beams) keeps the likeliest words and does not sample: "
            "use beams 1 with a temperature, or temperature 0 with beams"
        )
