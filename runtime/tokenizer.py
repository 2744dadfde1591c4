"""Word-level tokenizer shared by training and generation.

The rules exist here once; the trainer builds a vocabulary with them and the ONNX file carries the
result as JSON, so a device tokenizes exactly as training did.

    "A cream Coat, off-the-shoulder!"  ->  ["a", "cream", "coat", ",", "off-the-shoulder", "!"]

- Normalize: NFKC, lowercase; curly apostrophes and Unicode hyphens become ' and -.
- Words are runs of letters and digits, joined by inner hyphens or apostrophes.
- `. , ! ? ; :` are tokens of their own; everything else is dropped.
- Ids: <pad>=0, <unk>=1, <bos>=2, <eos>=3, then words by descending count, ties by first appearance.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from .errors import TokenizerError

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIAL_TOKENS = (PAD, UNK, BOS, EOS)
PAD_ID, UNK_ID, BOS_ID, EOS_ID = range(4)
PUNCTUATION = ".,!?;:"
SENTENCE_END = ".!?"
TOKENIZER_FORMAT = "lstm-edge-tokenizer"
TOKENIZER_VERSION = 1

# The English pronoun is written in capitals wherever it stands; its tokens stay lowercase.
PRONOUN_I = {"i": "I", "i'm": "I'm", "i've": "I've", "i'd": "I'd", "i'll": "I'll"}

_JOINERS = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-", "‒": "-", "–": "-"})
_TOKEN_RE = re.compile(r"[^\W_]+(?:['-][^\W_]+)*|[.,!?;:]")


def normalize(text: str) -> str:
    """NFKC + lowercase, repeated until stable (lowercasing can leave text that NFKC changes again)."""
    for _ in range(4):
        normalized = unicodedata.normalize("NFKC", text).lower().translate(_JOINERS)
        if normalized == text:
            break
        text = normalized
    return text


def split_words(text: str) -> list[str]:
    """Split text into word and punctuation tokens (strings), following the rules above."""
    return _TOKEN_RE.findall(normalize(text))


def detokenize(words: Iterable[str]) -> str:
    """Join tokens into text: punctuation sticks to the word before it, sentence starts and the pronoun
    "I" (I'm, I've, I'd, I'll) are capitalized. The tokens themselves stay as the model knows them."""
    return "".join(detokenize_pieces(words)).lstrip()


def detokenize_pieces(words: Iterable[str], previous: Sequence[str] = ()) -> Iterator[str]:
    """The text of each token in turn, with its leading space, as if `previous` were already printed:
    what a stream prints word by word."""
    first = not previous
    sentence_start = first or previous[-1] in SENTENCE_END
    for word in words:
        if word in PUNCTUATION:
            yield word
            sentence_start = word in SENTENCE_END
        else:
            written = PRONOUN_I.get(word) or (_capitalize(word) if sentence_start else word)
            yield ("" if first else " ") + written
            sentence_start = False
        first = False


def _capitalize(word: str) -> str:
    # Only when it survives normalization unchanged, so detokenize(tokenize(x)) stays a fixed point.
    capital = word[0].upper()
    return capital + word[1:] if normalize(capital) == word[0] else word


class Encoding(NamedTuple):
    """Token ids of a text, and the words that were not in the vocabulary."""

    ids: list[int]
    unknown_words: list[str]


class Tokenizer:
    """Maps text to ids and back with a fixed vocabulary (id order = list order)."""

    def __init__(self, vocabulary: Iterable[str], min_count: int = 1, max_size: int | None = None) -> None:
        self.vocabulary: list[str] = list(vocabulary)
        if tuple(self.vocabulary[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
            raise TokenizerError(f"vocabulary must start with {', '.join(SPECIAL_TOKENS)}")
        self.ids: dict[str, int] = {word: i for i, word in enumerate(self.vocabulary)}
        if len(self.ids) != len(self.vocabulary):
            raise TokenizerError("vocabulary has duplicate entries")
        self.min_count = min_count
        self.max_size = max_size

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 1, max_size: int | None = None) -> Tokenizer:
        """Vocabulary of `texts`: words seen at least `min_count` times, the most frequent first,
        at most `max_size` entries including the four reserved ones."""
        if min_count < 1:
            raise TokenizerError("min_count must be at least 1")
        if max_size is not None and max_size <= len(SPECIAL_TOKENS):
            raise TokenizerError(f"max_size must be larger than {len(SPECIAL_TOKENS)}")
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(split_words(text))
        # Counter keeps first-insertion order and sorted() is stable: ties stay in order of first appearance.
        words = [w for w, n in sorted(counts.items(), key=lambda item: -item[1]) if n >= min_count]
        if max_size is not None:
            words = words[: max_size - len(SPECIAL_TOKENS)]
        return cls([*SPECIAL_TOKENS, *words], min_count=min_count, max_size=max_size)

    def __len__(self) -> int:
        return len(self.vocabulary)

    def encode(self, text: str, add_bos: bool = False, add_eos: bool = False) -> Encoding:
        """Ids of `text`; words outside the vocabulary become <unk> and are listed in `unknown_words`."""
        ids = [BOS_ID] if add_bos else []
        unknown: list[str] = []
        for word in split_words(text):
            token_id = self.ids.get(word, UNK_ID)
            if token_id == UNK_ID:
                unknown.append(word)
            ids.append(token_id)
        if add_eos:
            ids.append(EOS_ID)
        return Encoding(ids, unknown)

    def decode(self, ids: Iterable[int]) -> str:
        """Text of `ids`; reserved tokens and ids outside the vocabulary are skipped."""
        return detokenize(self.words(ids))

    def words(self, ids: Iterable[int]) -> list[str]:
        """The vocabulary words of `ids`, reserved tokens and out-of-range ids left out."""
        size = len(self.vocabulary)
        return [self.vocabulary[i] for i in ids if len(SPECIAL_TOKENS) <= i < size]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": TOKENIZER_FORMAT,
                "version": TOKENIZER_VERSION,
                "normalization": "NFKC+lowercase",
                "punctuation": PUNCTUATION,
                "min_count": self.min_count,
                "max_size": self.max_size,
                "vocabulary": self.vocabulary,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, document: str) -> Tokenizer:
        try:
            data = json.loads(document)
        except (json.JSONDecodeError, TypeError, RecursionError) as error:
            raise TokenizerError(f"tokenizer is not valid JSON ({error})") from None
        return cls.from_document(data)

    @classmethod
    def from_document(cls, data: Any) -> Tokenizer:
        """The tokenizer of a parsed `to_json` document; anything else raises `TokenizerError`."""
        if not isinstance(data, dict) or data.get("format") != TOKENIZER_FORMAT:
            raise TokenizerError(f"tokenizer JSON is not of format {TOKENIZER_FORMAT!r}")
        if data.get("version") != TOKENIZER_VERSION:
            raise TokenizerError(
                f"tokenizer version {str(data.get('version'))[:20]!r} is not supported (expected {TOKENIZER_VERSION})"
            )
        vocabulary = data.get("vocabulary")
        if not isinstance(vocabulary, list) or not all(isinstance(w, str) for w in vocabulary):
            raise TokenizerError("tokenizer JSON has no list of vocabulary strings")
        min_count, max_size = data.get("min_count", 1), data.get("max_size")
        if type(min_count) is not int or not (max_size is None or type(max_size) is int):
            raise TokenizerError("tokenizer JSON has a min_count or max_size that is not a whole number")
        return cls(vocabulary, min_count=min_count, max_size=max_size)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tokenizer) and self.vocabulary == other.vocabulary

    def __hash__(self) -> int:
        return hash(tuple(self.vocabulary))
