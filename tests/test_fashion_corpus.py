"""The built-in corpus: reproducible byte for byte, varied, and grammatical enough to learn from."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_edge.train import fashion_corpus
from lstm_edge.train.fashion_corpus import (
    ALL_GARMENTS,
    COLOURS,
    DEFAULT_CSV_PATH,
    KINDS,
    MATERIALS,
    Garment,
    Kind,
    generate_descriptions,
    write_csv,
)

ALLOWED_TEXT = re.compile(r"[A-Za-z0-9 .,!?;:'-]+")
# Hyphens and apostrophes only inside words ("off-white", "you'll").
LOOSE_JOINER = re.compile(r"(^|[^A-Za-z0-9])['-]|['-]([^A-Za-z0-9]|$)")
SENTENCE = re.compile(r"[^.!?]+[.!?](?: |$)")


@pytest.fixture(scope="module")
def descriptions() -> list[str]:
    return generate_descriptions()


def _read_rows(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["description"]
    assert all(len(row) == 1 for row in rows)
    return [row[0] for row in rows[1:]]


def _contains(text: str, phrase: str) -> bool:
    return _phrases_regex([phrase]).search(text) is not None


def _phrases_regex(phrases: list[str]) -> re.Pattern[str]:
    """Whole phrases; at one position the longest wins ('trench coat' over 'coat')."""
    alternatives = "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


GARMENTS_BY_NAME = {garment.name: (kind, garment) for kind, garment in ALL_GARMENTS}
GARMENT_NAMES = _phrases_regex(list(GARMENTS_BY_NAME))
DETAILS = _phrases_regex(
    sorted({detail for kind, garment in ALL_GARMENTS for detail in kind.details + garment.details})
)


def test_regenerating_with_defaults_gives_the_shipped_file_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "fashion_descriptions.csv"
    write_csv(out)
    assert out.read_bytes() == DEFAULT_CSV_PATH.read_bytes()


def test_shipped_file_holds_the_default_descriptions(descriptions: list[str]) -> None:
    assert _read_rows(DEFAULT_CSV_PATH) == descriptions
    raw = DEFAULT_CSV_PATH.read_bytes()
    assert raw.startswith(b"description\n")
    assert b"\r" not in raw


def test_same_seed_same_list_other_seed_other_list(descriptions: list[str]) -> None:
    assert generate_descriptions(300, seed=42) == descriptions[:300]
    assert generate_descriptions(300, seed=42) == generate_descriptions(300, seed=42)
    other = generate_descriptions(300, seed=7)
    assert other != descriptions[:300]
    assert len(set(other) & set(descriptions[:300])) < 30


def test_count_is_honoured_and_negative_count_is_refused() -> None:
    assert generate_descriptions(0) == []
    assert len(generate_descriptions(17, seed=3)) == 17
    with pytest.raises(ValueError, match="count"):
        generate_descriptions(-1)


def test_enough_rows_and_mostly_distinct(descriptions: list[str]) -> None:
    assert len(descriptions) == 6000
    assert len(set(descriptions)) >= 0.95 * len(descriptions)


def test_every_description_is_one_to_three_clean_sentences(descriptions: list[str]) -> None:
    exclamations = 0
    for text in descriptions:
        assert ALLOWED_TEXT.fullmatch(text), text
        assert not LOOSE_JOINER.search(text), text
        assert "  " not in text and text == text.strip(), text
        sentences = SENTENCE.findall(text)
        assert "".join(sentences) == text, text
        assert 1 <= len(sentences) <= 3, text
        assert all(sentence[0].isupper() for sentence in sentences), text
        assert text.endswith((".", "!")), text
        exclamations += text.endswith("!")
    assert exclamations < 0.05 * len(descriptions)


def test_length_and_vocabulary_suit_a_small_language_model(descriptions: list[str]) -> None:
    words = [re.findall(r"[a-z0-9]+(?:['-][a-z0-9]+)*", text.lower()) for text in descriptions]
    mean_words = sum(map(len, words)) / len(words)
    assert 15 <= mean_words <= 30
    word_types = {word for text_words in words for word in text_words}
    assert 650 <= len(word_types) <= 1200
    assert fashion_corpus.distinct_words(descriptions) == len(word_types)


def test_variety_of_garments_colours_and_materials(descriptions: list[str]) -> None:
    text = "\n".join(descriptions)
    garments = {garment.name for _, garment in ALL_GARMENTS if _contains(text, garment.name)}
    colours = {colour for colour in COLOURS if _contains(text, colour)}
    materials = {material for material in MATERIALS if _contains(text, material)}
    assert len(garments) >= 40
    assert len(colours) >= 30
    assert len(materials) >= 20
    categories = {kind.category for kind in KINDS}
    assert categories >= {"outerwear", "tops", "bottoms", "dresses", "footwear", "bags", "accessories"}


def test_articles_agree_with_the_next_word(descriptions: list[str]) -> None:
    for text in descriptions:
        for article, word in re.findall(r"\b([Aa]n?) ([\w'-]+)", text):
            vowel_sound = word[0].lower() in "aeio" or word.lower().startswith(("a-", "urban", "un"))
            assert (article.lower() == "an") == vowel_sound, (article, word, text)


def _product(first_sentence: str) -> tuple[Kind, Garment, int]:
    """The garment a first sentence introduces: the earliest (then longest) garment name in it."""
    match = GARMENT_NAMES.search(first_sentence)
    assert match, first_sentence
    kind, garment = GARMENTS_BY_NAME[match.group()]
    return kind, garment, match.start()


def test_first_sentence_introduces_the_product_with_matching_grammar(descriptions: list[str]) -> None:
    for text in descriptions:
        first, *rest = SENTENCE.findall(text)
        _, garment, start = _product(first)
        before, follow_ups = first[:start], " ".join(rest)
        if fashion_corpus._is_plural(garment.name):
            assert not re.search(r"\b(is|has|features|comes|this|This)\b", first), text
            assert not re.search(r"\b(a|an|A|An)\s+(?:(?!on\b)[\w-]+\s+){0,4}$", before), text
            assert not re.search(r"\b(it|its|It|Its|Looks great)\b", follow_ups), text
        else:
            assert not re.search(r"\b(are|have|feature|come|these|These)\b", first), text
            assert re.search(r"\b(a|an|this|our|the|new)\b", before, re.IGNORECASE), text
            assert not re.search(r"\b(they|them|their|They|Look great)\b", follow_ups), text


def test_details_belong_to_the_garment(descriptions: list[str]) -> None:
    for text in descriptions:
        kind, garment, _ = _product(SENTENCE.findall(text)[0])
        stray = set(DETAILS.findall(text)) - set(kind.details + garment.details)
        assert not stray, (garment.name, stray, text)


def test_size_notes_fit_the_product(descriptions: list[str]) -> None:
    for text in descriptions:
        kind, _, _ = _product(SENTENCE.findall(text)[0])
        if kind.category in ("bags", "footwear", "accessories"):
            assert "Model wears" not in text and "cm tall" not in text, text
        if kind.category != "bags":
            assert "Fits a 13-inch laptop" not in text and "everyday essentials" not in text, text


def test_every_garment_can_get_four_details_of_different_kinds() -> None:
    assert len(GARMENTS_BY_NAME) == len(ALL_GARMENTS) >= 40
    for kind in KINDS:
        for garment in kind.garments:
            for material in garment.materials or kind.materials:
                assert material in MATERIALS, (garment.name, material)
            pool = kind.details + garment.details
            for fit in kind.fits:
                usable = fashion_corpus._without_repeats(pool, f"{garment.name} {fit}")
                kinds_of_detail = {fashion_corpus._detail_key(detail) for detail in usable}
                assert len(kinds_of_detail) >= 4, (garment.name, fit)


def test_write_csv_replaces_atomically_and_leaves_no_temp_file(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "corpus.csv"
    write_csv(out, count=20, seed=1)
    first = out.read_bytes()
    write_csv(out, count=20, seed=1)
    assert out.read_bytes() == first
    assert _read_rows(out) == generate_descriptions(20, seed=1)
    assert [path.name for path in out.parent.iterdir()] == ["corpus.csv"]
    assert out.stat().st_mode & 0o044 == 0o044  # readable by others, unlike a bare mkstemp file


def test_module_entry_point_writes_the_requested_file(tmp_path: Path) -> None:
    out = tmp_path / "small.csv"
    result = subprocess.run(
        [sys.executable, "-m", "lstm_edge.train.fashion_corpus", "--out", str(out), "--count", "50"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert _read_rows(out) == generate_descriptions(50)
    assert result.stdout.startswith("Wrote 50 descriptions (")
    assert str(out) in result.stdout


def test_module_entry_point_refuses_a_negative_count(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lstm_edge.train.fashion_corpus",
            "--out",
            str(tmp_path / "x.csv"),
            "--count",
            "-5",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--count" in result.stderr
    assert not (tmp_path / "x.csv").exists()
