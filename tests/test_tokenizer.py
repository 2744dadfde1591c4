import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_edge.runtime.tokenizer import (
    BOS_ID,
    EOS_ID,
    SPECIAL_TOKENS,
    UNK_ID,
    Tokenizer,
    TokenizerError,
    detokenize,
    split_words,
)

CORPUS = [
    "A cream coat crafted from cotton for a streetwear look.",
    "This off-the-shoulder dress is perfect, isn't it? Yes!",
    "A cream dress.",
]


def test_split_words_follows_the_rules():
    assert split_words("A Cream  COAT, off-the-shoulder!") == ["a", "cream", "coat", ",", "off-the-shoulder", "!"]
    assert split_words("it’s 100% “wool” (really) - yes; no: ok?") == [
        "it's",
        "100",
        "wool",
        "really",
        "yes",
        ";",
        "no",
        ":",
        "ok",
        "?",
    ]
    assert split_words("Café ＡＢＣ") == ["café", "abc"]  # NFKC folds full-width letters
    assert split_words("--- '' __ ") == []


def test_vocabulary_is_ordered_by_count_then_first_appearance():
    tokenizer = Tokenizer.build(CORPUS)
    assert tuple(tokenizer.vocabulary[:4]) == SPECIAL_TOKENS
    words = tokenizer.vocabulary[4:]
    assert words[:4] == ["a", "cream", ".", "dress"]  # a:3, cream:2, .:2, dress:2 (first seen in that order)
    assert words.index("coat") < words.index("crafted") < words.index("from")


def test_min_count_and_max_size():
    assert Tokenizer.build(CORPUS, min_count=2).vocabulary[4:] == ["a", "cream", ".", "dress"]
    assert len(Tokenizer.build(CORPUS, max_size=6)) == 6
    with pytest.raises(TokenizerError):
        Tokenizer.build(CORPUS, max_size=4)
    with pytest.raises(TokenizerError):
        Tokenizer.build(CORPUS, min_count=0)


def test_encode_names_unknown_words_and_adds_markers():
    tokenizer = Tokenizer.build(CORPUS)
    encoding = tokenizer.encode("A purple coat", add_bos=True, add_eos=True)
    assert encoding.ids[0] == BOS_ID and encoding.ids[-1] == EOS_ID
    assert encoding.ids[2] == UNK_ID
    assert encoding.unknown_words == ["purple"]
    assert tokenizer.decode(encoding.ids) == "A coat"


def test_detokenize_attaches_punctuation_and_capitalizes_sentences():
    assert detokenize(["a", "coat", ",", "warm", ".", "wear", "it", "!", "now"]) == "A coat, warm. Wear it! Now"
    assert detokenize([",", "hello"]) == ", hello"
    assert detokenize([]) == ""


def test_detokenize_writes_the_pronoun_i_in_capitals():
    tokens = split_words("so i said: i'm in, i've tried it, i'd buy it and i'll wear it. i-beam? iris")
    assert tokens[1] == "i" and "i'm" in tokens  # the tokens stay as the model knows them
    assert detokenize(tokens) == "So I said: I'm in, I've tried it, I'd buy it and I'll wear it. I-beam? Iris"
    assert detokenize(["i"]) == "I" and detokenize(["it", "is", "i"]) == "It is I"
    from lstm_edge.runtime.tokenizer import detokenize_pieces

    assert "".join(detokenize_pieces(["i", "know", "."], previous=["yes", ","])) == " I know."


def test_json_round_trip_and_errors():
    tokenizer = Tokenizer.build(CORPUS, min_count=1, max_size=50)
    again = Tokenizer.from_json(tokenizer.to_json())
    assert again == tokenizer
    assert again.max_size == 50
    for bad in [
        "not json",
        "[]",
        '{"format": "other"}',
        '{"format": "lstm-edge-tokenizer", "version": 99}',
        '{"format": "lstm-edge-tokenizer", "version": 1, "vocabulary": ["a"]}',
    ]:
        with pytest.raises(TokenizerError):
            Tokenizer.from_json(bad)


TOKENIZER = Tokenizer.build([*CORPUS, "Ünïcödé wörds, ǆ and ß straße İstanbul."])


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_encode_and_decode_never_raise(text):
    encoding = TOKENIZER.encode(text, add_bos=True)
    assert all(0 <= i < len(TOKENIZER) for i in encoding.ids)
    TOKENIZER.decode(encoding.ids)
    TOKENIZER.decode([abs(hash(text)) % 1000, -1, 2**40])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_ordinary_words_never_map_to_reserved_ids(texts):
    tokenizer = Tokenizer.build(texts)
    for text in texts:
        assert all(i >= len(SPECIAL_TOKENS) for i in tokenizer.encode(text).ids)


@settings(max_examples=600, deadline=None)
@given(st.text())
def test_detokenize_of_tokenize_is_a_fixed_point(text):
    once = detokenize(split_words(text))
    assert detokenize(split_words(once)) == once
    assert split_words(once) == split_words(text)


def test_streamed_pieces_join_to_the_detokenized_text():
    from lstm_edge.runtime.tokenizer import detokenize_pieces

    prompt = ["a", "cream", "coat", "."]
    continuation = ["warm", "and", "soft", ",", "it", "is", "lined", "."]
    assert "".join(detokenize_pieces(continuation, previous=prompt)) == " Warm and soft, it is lined."
    assert detokenize(prompt) + "".join(detokenize_pieces(continuation, prompt)) == detokenize(prompt + continuation)
