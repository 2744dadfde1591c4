"""The built-in corpus: reproducible byte for byte, coherent row by row, broad, and its tables consistent."""

from __future__ import annotations

import bz2
import csv
import gzip
import hashlib
import io
import lzma
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.tokenizer import split_words
from lstm_edge.train.catalogue import (
    DEFAULT_CSV_PATH,
    DEFAULT_ROWS,
    check,
    checker,
    coherence,
    distinct_words,
    generate_descriptions,
    lexicon,
    write_csv,
)
from lstm_edge.train.catalogue.tables import sentences
from lstm_edge.train.catalogue.tables.colours import PALETTES
from lstm_edge.train.catalogue.tables.materials import MATERIALS
from lstm_edge.train.catalogue.tables.occasions import AUDIENCES, OCCASIONS
from lstm_edge.train.catalogue.tables.parts import SLOTS

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_TEXT = re.compile(r"(?:[^\W_]|[ .,!?;:'%-])+")  # letters (appliqué), digits, punctuation
LOOSE_JOINER = re.compile(r"(^|[^A-Za-z0-9])-|-([^A-Za-z0-9]|$)")  # hyphens only inside words
SENTENCE_END = re.compile(r"(?<=[.!?]) ")


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return generate_descriptions()


DECOMPRESS = {".xz": lzma.decompress, ".gz": gzip.decompress, ".bz2": bz2.decompress}


def _csv_bytes(path: Path) -> bytes:
    """The CSV a file holds, decompressed by its name's ending (as `write_csv` compresses)."""
    return DECOMPRESS.get(path.suffix, bytes)(path.read_bytes())


def _read_rows(path: Path) -> list[str]:
    with io.StringIO(_csv_bytes(path).decode("utf-8"), newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["description"]
    assert all(len(row) == 1 for row in rows)
    return [row[0] for row in rows[1:]]


# ---- reproducible ------------------------------------------------------------------------------------


def test_regenerating_with_defaults_gives_the_shipped_file_byte_for_byte(tmp_path: Path, corpus: list[str]) -> None:
    """The shipped file is xz (the CSV inside 8.3 MB, the file 1.0 MB); compressed, it is still exact."""
    assert DEFAULT_CSV_PATH.name == "fashion_descriptions.csv.xz"
    out = tmp_path / DEFAULT_CSV_PATH.name
    write_csv(out, corpus)
    assert out.read_bytes() == DEFAULT_CSV_PATH.read_bytes()
    raw = _csv_bytes(DEFAULT_CSV_PATH)
    assert raw.startswith(b"description\n") and b"\r" not in raw
    assert _read_rows(DEFAULT_CSV_PATH) == corpus
    # the CSV the shipped model was trained on: its metadata records this sha256 (and lstm-eval checks it)
    assert hashlib.sha256(raw).hexdigest() == "ce1c83b23f89aa0b7d5a1077d968649674c689ac3db03aa8f6e0f5a7ac07a4e0"


@pytest.mark.parametrize("name", ["a.csv.xz", "a.csv.gz", "a.csv.bz2", "a.csv"])
def test_written_files_are_the_same_bytes_whatever_their_name(tmp_path: Path, name: str) -> None:
    rows = generate_descriptions(200, seed=3)
    first, second = tmp_path / name, tmp_path / "later" / name.replace("a.", "other-name.")
    second.parent.mkdir()
    write_csv(first, rows)
    write_csv(second, rows)
    assert first.read_bytes() == second.read_bytes()
    assert _read_rows(first) == rows
    assert (first.read_bytes() == _csv_bytes(first)) == (name == "a.csv")  # compressed by the name's ending
    if name.endswith(".gz"):  # no file name (FNAME flag) and no time in the header
        header = first.read_bytes()[:10]
        assert header[3] & 0x08 == 0 and header[4:8] == b"\0\0\0\0"


def test_same_seed_same_rows_and_a_longer_corpus_extends_a_shorter_one(corpus: list[str]) -> None:
    assert generate_descriptions(300) == corpus[:300]
    assert generate_descriptions(300, seed=7) == generate_descriptions(300, seed=7)
    other = generate_descriptions(300, seed=7)
    assert len(set(other) & set(corpus[:300])) < 10
    assert len(generate_descriptions(17, seed=3)) == 17
    assert generate_descriptions(0) == []


def test_a_negative_row_count_is_a_corpus_error() -> None:
    with pytest.raises(CorpusError, match="rows"):
        generate_descriptions(-1)


def _other_pythons() -> list[str]:
    """Interpreters >= 3.10 on this machine other than the running one (PATH and pyenv)."""
    found = {shutil.which(f"python3.{minor}") for minor in range(10, 20)}
    found |= {str(p) for p in Path.home().glob(".pyenv/versions/3.*/bin/python3")}
    ours = f"{sys.version_info.major}.{sys.version_info.minor}"
    pythons = []
    probe = "import sys; print(sys.version_info[:2] >= (3, 10), '%d.%d' % sys.version_info[:2])"
    for path in sorted(p for p in found if p):
        version = subprocess.run([path, "-c", probe], capture_output=True, text=True, check=False).stdout.split()
        if version and version[0] == "True" and version[1] != ours:
            pythons.append(path)
    return pythons


def test_the_same_rows_on_every_python_found(tmp_path: Path) -> None:
    """The generator needs only the standard library: run it under each other Python >= 3.10 here."""
    pythons = _other_pythons()
    if not pythons:
        pytest.skip("no other Python >= 3.10 on this machine (CI runs the suite on the oldest and newest)")
    package = tmp_path / "lstm_edge"
    package.mkdir()
    shutil.copy(ROOT / "lstm_edge" / "__init__.py", package)
    for part in ("runtime", "train"):
        (package / part).symlink_to(ROOT / part)
    script = "import hashlib; from lstm_edge.train.catalogue import generate_descriptions as g; "
    script += "print(hashlib.sha256('\\n'.join(g(2000, 5)).encode()).hexdigest())"
    expected = hashlib.sha256("\n".join(generate_descriptions(2000, 5)).encode()).hexdigest()
    for python in pythons:
        environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
        result = subprocess.run(
            [python, "-c", script], capture_output=True, text=True, env=environment, cwd=tmp_path, check=False
        )
        assert result.stdout.strip() == expected, (python, result.stderr[-2000:])


# ---- coherent ----------------------------------------------------------------------------------------


def test_every_row_of_the_shipped_corpus_is_coherent(corpus: list[str]) -> None:
    problems = [(text, check(text).problems) for text in corpus if not check(text).coherent]
    assert not problems, problems[:5]


INCOHERENT = {  # the shipped model's slips that issue 14 quotes, and others of each kind
    "A leather crossbody bag with a v-neckline. A great choice for the office.": "without v-neckline",
    "A leather crossbody bag with long sleeves.": "have no sleeve",
    "A wool scarf in stone recycled cotton, with a cotton lining and a concealed side zip.": "two materials",
    "A silk tie skirt with a v-neckline.": "two products in a row",
    "Gold hoop earrings shorts in breathable linen, with a cotton lining and a side split.": "two products in a row",
    "A red recycled cotton hoodie with a v-neckline.": "without v-neckline",
    "This breezy, green cotton poplin dress in red.": "two colours",
    "A navy linen midi skirt with a cushioned sole.": "without cushioned sole",
    "Gold hoop earrings in sterling silver.": "two colours",
    "A black wool coat, perfect for the beach.": "not for beach",
    "Men's midi dress in navy crepe.": "not for men",
    "A cream coat. This dress has puff sleeves.": "describes a second product",
    "Kids' hoodie in navy, perfect for the office.": "not for work",
    "Linen shorts in sage, your new winter favourite.": "not for winter",
    "A tortoiseshell cotton t-shirt.": "do not come in tortoiseshell",
    "A silver watch with polarised lenses.": "without polarised lenses",
}
COHERENT = (
    "A cream coat in premium wool, perfect for the office.",
    "A black leather crossbody bag with an adjustable strap and gold-tone hardware.",
    "Gold vermeil hoop earrings with a hinged closure. Comes in a gift box, ready to give.",
    "These tan suede Chelsea boots have elastic side panels. Pair them with straight-leg jeans and a white tee.",
    "Kids' navy hoodie in organic cotton with a kangaroo pocket. Made to survive the playground.",
    "Baby sleepsuit in organic cotton with popper fastenings.",
    "Men's slim-fit chinos in sand cotton twill with slanted pockets.",
    "A gray wool sweater with ribbed cuffs. Wear it with black pants.",  # US spelling
)


@pytest.mark.parametrize(("text", "problem"), sorted(INCOHERENT.items()))
def test_the_checker_names_what_is_wrong(text: str, problem: str) -> None:
    verdict = check(text)
    assert not verdict.coherent
    assert any(problem in found for found in verdict.problems), verdict.problems


@pytest.mark.parametrize("text", COHERENT)
def test_the_checker_passes_coherent_catalogue_text(text: str) -> None:
    assert check(text).problems == ()


def test_the_checker_finds_the_product_and_its_category() -> None:
    assert check("Women's ankle boots in black suede.").category == "footwear"
    assert check("Kids' raincoat with a detachable hood.").category == "kidswear"
    assert check("A raincoat with a drawstring hood.").category == "outerwear"
    assert check("Zzyzx qwxp.") == checker.Verdict(None, ("names no product",))


# ---- broad -------------------------------------------------------------------------------------------


def test_every_category_and_most_products_appear(corpus: list[str]) -> None:
    categories = Counter(check(text).category for text in corpus)
    assert set(categories) == set(lexicon.CATEGORIES) and len(lexicon.CATEGORIES) >= 29
    assert min(categories.values()) >= 0.5 * len(corpus) / len(lexicon.FAMILIES)  # families are drawn evenly
    text = " ".join(split_words(" ".join(corpus)))
    names = {item.name for _, item in lexicon.PRODUCTS}
    named = {
        n for n in names if " ".join(split_words(n)) in text or " ".join(split_words(lexicon.us_spelling(n))) in text
    }
    assert len(names) >= 450 and len(named) >= 0.98 * len(names)


def test_vocabulary_is_broad_and_speaks_uk_and_us(corpus: list[str]) -> None:
    assert distinct_words(corpus) >= 2_800
    words = Counter(word for text in corpus for word in split_words(text))
    register = ("stylish", "elegant", "versatile", "flattering", "effortless", "effortlessly", "kids", "baby")
    spellings = ("colour", "color", "grey", "gray", "trousers", "pants", "jewellery", "jewelry", "men's", "women's")
    for word in register + spellings:
        assert words[word] >= 3, word
    colours = {c for palette in PALETTES.values() for c in palette}
    assert sum(words[c] > 0 for c in colours if " " not in c) >= 90
    assert sum(" ".join(split_words(m)) in " ".join(corpus).lower() for m in MATERIALS) >= 150


def test_rows_are_clean_sentences_of_a_learnable_length(corpus: list[str]) -> None:
    lengths = []
    for text in corpus:
        assert ALLOWED_TEXT.fullmatch(text), text
        assert not LOOSE_JOINER.search(text), text
        assert "  " not in text and text == text.strip(), text
        found = SENTENCE_END.split(text)
        assert 1 <= len(found) <= 8 and all(s[-1] in ".!?" for s in found), text
        assert all(sentence[0].isupper() or sentence[0].isdigit() for sentence in found), text
        lengths.append(len(split_words(text)))
    assert 20 <= sum(lengths) / len(lengths) <= 40 and max(lengths) <= 120


def test_articles_agree_with_the_next_word(corpus: list[str]) -> None:
    exceptions = ("one", "uni", "use", "usu", "uti", "eu", "uv", "upf", "u-")
    for text in corpus[:5000]:
        for article, word in re.findall(r"\b([Aa]n?) ([\w'-]+)", text):
            lower = word.lower()
            if word.isupper() and len(word) > 1 and word not in ("NATO", "HIIT"):  # letter by letter: an LED
                vowel_sound = word[0] in "AEFHILMNORSX"
            else:
                vowel_sound = (lower[0] in "aeiou" and not lower.startswith(exceptions)) or lower.startswith(
                    ("a-", "8", "11", "18", "heirloom")
                )
            assert (article.lower() == "an") == vowel_sound, (article, word, text)


# ---- the tables --------------------------------------------------------------------------------------


def test_the_tables_refer_only_to_entries_that_exist() -> None:
    for family in lexicon.FAMILIES:
        assert family.palette in PALETTES
        assert set(family.slots) <= set(SLOTS), family.category
        assert set(family.occasions) <= set(OCCASIONS), family.category
        assert family.sizing in sentences.SIZE_NOTES and family.sizing in sentences.REVIEWS
        assert family.adjectives in sentences.ADJECTIVES and family.adjectives in sentences.MAKE_VERBS
        for item in family.items:
            assert set(lexicon.materials_of(family, item)) <= set(MATERIALS), item.name
            assert set(lexicon.audiences_of(family, item)) <= set(AUDIENCES), item.name
            assert lexicon.details_of(family, item), item.name


def test_one_product_name_means_one_family_for_grown_ups_kids_and_babies() -> None:
    checker._nouns()  # raises when a name (either spelling) names products of two families of one group


def test_prompts_cover_every_category_and_are_coherent_themselves() -> None:
    prompts = coherence.prompts()
    assert len(prompts) >= 340
    assert {p.category for p in prompts} == set(lexicon.CATEGORIES)
    assert {p.kind for p in prompts} == {"colour material", "audience", "adjective"}
    assert [p.text for p in prompts if not check(p.text).coherent] == []
    assert prompts == coherence.prompts()


# ---- the command ---------------------------------------------------------------------------------------


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lstm_edge.train.catalogue", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def test_module_writes_the_requested_rows(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "small.csv"
    result = run_module("--rows", "50", "--seed", "7", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert _read_rows(out) == generate_descriptions(50, seed=7)
    assert (
        result.stdout
        == f"Wrote 50 descriptions ({distinct_words(generate_descriptions(50, 7))} distinct words) to {out}\n"
    )
    assert [p.name for p in out.parent.iterdir()] == ["small.csv"]  # no temporary file left behind


def test_module_refuses_bad_options_and_unwritable_paths(tmp_path: Path) -> None:
    result = run_module("--rows", "-5", "--out", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "--rows" in result.stderr
    assert not (tmp_path / "x.csv").exists()
    blocker = tmp_path / "file"
    blocker.write_text("mine\n")
    result = run_module("--rows", "3", "--out", str(blocker / "x.csv"))
    assert result.returncode == 1 and result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert blocker.read_text() == "mine\n"


def test_default_row_count_is_the_shipped_one() -> None:
    assert len(_read_rows(DEFAULT_CSV_PATH)) == DEFAULT_ROWS


# ---- the shipped model -----------------------------------------------------------------------------------


def test_the_shipped_model_describes_every_category_coherently() -> None:
    """Issue 14's bar, as a guard: 348 prompts over every category (`make coherence` prints the full report).

    Measured where the model was trained: 95.4% overall (the bar: 95%), every category at least 75%.
    Greedy text can flip at a near tie on a CPU with other vector units (README, reproducibility), so the
    guard leaves room for a few flipped continuations: a retrained model that loses coherence still fails.
    """
    from lstm_edge.runtime.generator import Generator

    report = coherence.coherence_report(Generator())
    assert report.share >= 0.94, report.table()
    assert min(good / total for good, _, total in report.by_category().values()) >= 8 / 12, report.table()
