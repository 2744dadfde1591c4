"""Decoding rules and beam search: repetition penalty, no-repeat n-grams, beams, and per-model defaults.

Each rule is checked against an oracle written apart from the runtime (plain `backend.run` calls and
Python lists), on two models: the tiny run, which has learnt little and says one word over and over
(what the rules exist for), and a noisy copy of it whose text varies and ends at different steps.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lstm_edge.runtime import contract
from lstm_edge.runtime.cli import main as gen_main
from lstm_edge.runtime.decoding import PLAIN, Decoding, RepetitionRules, exempt_ids
from lstm_edge.runtime.errors import GenerationError, ModelFileError
from lstm_edge.runtime.generator import Generator, Sampling
from lstm_edge.runtime.model_file import load_model
from lstm_edge.runtime.tokenizer import EOS_ID, PUNCTUATION, Tokenizer

PROMPTS = ["A cream coat", "", "the silk dress with", "a", "Our new cotton jacket, made in", "zzyzx linen"]


@pytest.fixture(scope="module")
def noisy_model(tmp_path_factory: pytest.TempPathFactory, tiny_run: Path) -> Path:
    """The tiny run with seeded noise on its weights and a push towards <eos>, as strong as it takes for
    some prompts to end within 25 words under beam search and some not: varied text, varied lengths."""
    import torch

    from lstm_edge.export.exporter import export_model

    for push in [2.5 + 0.25 * step for step in range(14)]:
        checkpoint = torch.load(tiny_run / "best.pt", weights_only=True)
        noise = torch.Generator().manual_seed(3)
        for tensor in checkpoint["model_state"].values():
            tensor += 0.6 * torch.randn(tensor.shape, generator=noise)
        checkpoint["model_state"]["output.bias"][EOS_ID] += push
        run = tmp_path_factory.mktemp("noisy")
        torch.save(checkpoint, run / "best.pt")
        export_model(run, log=lambda line: None)
        generator = Generator(run / "model.onnx")
        ended = [
            [g.stop_reason == "eos" for g in generator.generate_many(PROMPTS, 25, decoding=Decoding(beams=beams))]
            for beams in (1, 2, 3)
        ]
        if all(any(row) and not all(row) for row in ended):
            return run / "model.onnx"
    raise AssertionError("no push towards <eos> gave a mix of endings")


@pytest.fixture(scope="module")
def noisy(noisy_model: Path) -> Generator:
    return Generator(noisy_model)


@pytest.fixture(scope="module")
def looping(tiny_model: Path) -> Generator:
    return Generator(tiny_model)


@pytest.fixture(params=["looping", "noisy"])
def generator(request: pytest.FixtureRequest) -> Generator:
    return request.getfixturevalue(request.param)


# --- an oracle: one prompt at a time, plain backend.run calls, rules on Python lists -------------------


def oracle(
    generator: Generator, prompt: str, max_words: int, penalty: float = 1.0, ngram: int = 0
) -> tuple[list[int], str]:
    """Greedy decoding with the rules as the issue states them: penalty over prompt and generated words,
    no n-gram twice, punctuation and <eos> exempt."""
    tokenizer, backend, spec = generator.tokenizer, generator.backend, generator.spec
    marks = {tokenizer.ids[m] for m in PUNCTUATION if m in tokenizer.ids}
    exempt = {EOS_ID, *marks}
    encoded = tokenizer.encode(prompt, add_bos=True).ids
    said = list(encoded[1:])
    logits, state = backend.run(np.array([encoded], dtype=np.int64), spec.zero_state(1))
    generated: list[int] = []
    for _ in range(max_words):
        scores = logits[0].astype(np.float64)
        for token in set(said) - exempt:
            scores[token] = scores[token] / penalty if scores[token] > 0 else scores[token] * penalty
        if ngram:
            context = said[len(said) - ngram + 1 :] if ngram > 1 else []
            for start in range(len(said) - ngram + 1):
                gram = said[start : start + ngram]
                run_of_marks = ngram > 1 and set(gram) <= marks
                if gram[:-1] == context and (gram[-1] not in exempt or run_of_marks):
                    scores[gram[-1]] = -np.inf
        scores[: contract.NEVER_EMITTED.stop] = -np.inf
        token = int(scores.argmax())
        if token == EOS_ID:
            return generated, "eos"
        generated.append(token)
        said.append(token)
        logits, state = backend.run(np.array([[token]], dtype=np.int64), state)
    return generated, "max_words"


def beam_oracle(generator: Generator, prompt: str, max_words: int, beams: int) -> list[int]:
    """Beam search written plainly: every hypothesis in a list, the whole vocabulary sorted each step."""
    tokenizer, backend, spec = generator.tokenizer, generator.backend, generator.spec
    logits, state = backend.run(
        np.array([tokenizer.encode(prompt, add_bos=True).ids], dtype=np.int64), spec.zero_state(1)
    )
    running = [(0.0, [], logits[0], state)]  # (sum of log-probabilities, tokens, next logits, state)
    finished: list[tuple[float, list[int]]] = []
    for position in range(max_words):
        candidates = []
        for order, (score, tokens, beam_logits, beam_state) in enumerate(running):
            scores = beam_logits.astype(np.float64)
            scores[: contract.NEVER_EMITTED.stop] = -np.inf
            log_probs = scores - (scores.max() + math.log(np.exp(scores - scores.max()).sum()))
            for token in range(len(scores)):
                if log_probs[token] > -np.inf:
                    candidates.append((score + log_probs[token], order, token, tokens, beam_state))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        running = []
        for rank, (score, _, token, tokens, beam_state) in enumerate(candidates[: 2 * beams]):
            if token == EOS_ID:
                if rank < beams:
                    finished.append((score / (position + 1), [*tokens, EOS_ID]))
                continue
            if len(running) < beams:
                step_logits, step_state = backend.run(np.array([[token]], dtype=np.int64), beam_state)
                running.append((score, [*tokens, token], step_logits[0], step_state))
        if len(finished) >= beams:
            break
    else:
        finished += [(score / max_words, tokens) for score, tokens, _, _ in running]
    return max(finished, key=lambda f: f[0])[1]


def ids(generator: Generator, words: list[str]) -> list[int]:
    return [generator.tokenizer.ids[word] for word in words]


# --- settings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"repetition_penalty": 0.9}, "repetition penalty must be between 1"),
        ({"repetition_penalty": float("nan")}, "repetition penalty must be between 1"),
        ({"repetition_penalty": 11}, "repetition penalty must be between 1"),
        ({"repetition_penalty": True}, "repetition penalty must be between 1"),
        ({"no_repeat_ngram_size": -1}, "no-repeat n-gram size must be"),
        ({"no_repeat_ngram_size": 2.0}, "no-repeat n-gram size must be"),
        ({"beams": 0}, "beams must be 1"),
        ({"beams": 33}, "beams must be 1"),
    ],
)
def test_out_of_range_settings_raise_generation_error(options: dict, message: str):
    with pytest.raises(GenerationError, match=message):
        Decoding(**options)


def test_settings_round_trip_through_metadata():
    for decoding in [PLAIN, Decoding(1.3, 4, 1), Decoding(beams=4), Decoding(1.1, 3, 2)]:
        assert Decoding.from_metadata(json.loads(json.dumps(decoding.to_metadata()))) == decoding
    assert Decoding.from_metadata({"strategy": "greedy", "max_words": 10}) == PLAIN  # files from before the keys
    with pytest.raises(GenerationError, match="strategy 'beam' does not match beams 1"):
        Decoding.from_metadata({"strategy": "beam"})
    with pytest.raises(GenerationError, match="is not greedy or beam"):
        Decoding.from_metadata({"strategy": "nucleus"})
    assert Decoding(1.2, 4, 1).replace(no_repeat_ngram_size=0) == Decoding(1.2, 0, 1)
    assert Decoding(1.2, 4, 3).describe() == "no repeated 4-grams, repetition penalty 1.2, 3 beams"
    assert PLAIN.describe() == "plain" and PLAIN.plain and not Decoding(beams=2).has_rules


# --- the rules on their own ------------------------------------------------------------------------------


TOKENIZER = Tokenizer(["<pad>", "<unk>", "<bos>", "<eos>", "a", "coat", ".", "warm", ",", "red"])


def test_the_penalty_divides_positive_and_multiplies_negative_logits_of_words_said():
    said = [TOKENIZER.ids[w] for w in ["a", "coat", ".", ","]]
    rules = RepetitionRules(Decoding(repetition_penalty=2.0), [said], exempt_ids(TOKENIZER))
    logits = np.array([[0, 0, 0, 4.0, 3.0, -3.0, 5.0, 1.0, 2.0, -1.0]], dtype=np.float32)
    rules.apply(logits)
    # a: 3 → 1.5, coat: -3 → -6; '.', ',' and <eos> are exempt; warm and red were not said
    assert logits.tolist() == [[0, 0, 0, 4.0, 1.5, -6.0, 5.0, 1.0, 2.0, -1.0]]


def test_no_repeat_bans_the_completions_of_ngrams_said_but_never_punctuation_or_the_end():
    exempt = exempt_ids(TOKENIZER)
    said = [TOKENIZER.ids[w] for w in ["a", "coat", ".", "a", "coat", "warm", "a"]]
    rules = RepetitionRules(Decoding(no_repeat_ngram_size=2), [said], exempt)
    logits = np.zeros((1, len(TOKENIZER)), dtype=np.float32)
    rules.apply(logits)
    banned = {TOKENIZER.vocabulary[i] for i in np.flatnonzero(np.isinf(logits[0]))}
    assert banned == {"coat"}  # "a coat" was said; "a ." would be allowed even had it been
    rules.append([TOKENIZER.ids["coat"]])  # a row may still be forced there by sampling: it is recorded
    rules.append([TOKENIZER.ids["."]])
    logits[:] = 0
    rules.apply(logits)
    assert {TOKENIZER.vocabulary[i] for i in np.flatnonzero(np.isinf(logits[0]))} == {"a"}  # ". a" was said
    one = RepetitionRules(Decoding(no_repeat_ngram_size=1), [said], exempt)
    logits[:] = 0
    one.apply(logits)
    assert {TOKENIZER.vocabulary[i] for i in np.flatnonzero(np.isinf(logits[0]))} == {"a", "coat", "warm"}


def test_reorder_gives_each_row_the_history_of_its_parent():
    exempt = exempt_ids(TOKENIZER)
    rules = RepetitionRules(Decoding(1.5, 2), [[4], [5]], exempt)  # row 0 said "a", row 1 said "coat"
    rules.reorder(np.array([1, 1]))
    rules.append([7, 9])
    assert rules.tokens == [[5, 7], [5, 9]]
    assert rules.seen[:, [4, 5, 7, 9]].tolist() == [[False, True, True, False], [False, True, False, True]]
    assert rules.ngrams[0] == {(5,): frozenset({7})} and rules.ngrams[1] == {(5,): frozenset({9})}


# --- the rules in the generator, against the oracle ------------------------------------------------------


@pytest.mark.parametrize(("penalty", "ngram"), [(1.0, 0), (1.5, 0), (1.0, 2), (1.0, 3), (1.3, 2), (10.0, 1)])
def test_greedy_with_rules_equals_the_oracle(generator: Generator, penalty: float, ngram: int):
    decoding = Decoding(repetition_penalty=penalty, no_repeat_ngram_size=ngram)
    batch = generator.generate_many(PROMPTS, 40, decoding=decoding)
    for prompt, generation in zip(PROMPTS, batch, strict=True):
        expected, reason = oracle(generator, prompt, 40, penalty, ngram)
        assert (ids(generator, generation.words), generation.stop_reason) == (expected, reason), prompt
        alone = generator.generate(prompt, 40, decoding=decoding)
        assert alone == generation, prompt  # a prompt's text does not depend on its batch


def test_the_rules_stop_the_tiny_models_loop(looping: Generator):
    plain = looping.generate("A cream coat", 60, decoding=PLAIN)
    assert len(set(plain.words)) <= 3, plain.words  # the loop the rules are for
    for decoding in [Decoding(no_repeat_ngram_size=3), Decoding(no_repeat_ngram_size=2, beams=3)]:
        words = looping.generate("A cream coat", 60, decoding=decoding).words
        grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2) if words[i + 2] not in PUNCTUATION]
        assert len(grams) == len(set(grams)), words


def test_with_every_word_banned_once_said_punctuation_and_the_end_stay_possible(noisy: Generator):
    """n = 1 bans each word after its first use; with a budget beyond the vocabulary the generator must
    still end, or run on punctuation alone."""
    assert len(noisy.tokenizer) < contract.MAX_WORDS
    for generation in noisy.generate_many(PROMPTS, contract.MAX_WORDS, decoding=Decoding(no_repeat_ngram_size=1)):
        prompt_words = {w for w in noisy.tokenizer.words(noisy.tokenizer.encode(generation.prompt).ids)}
        words = [w for w in generation.words if w not in PUNCTUATION]
        assert len(words) == len(set(words)) and not set(words) & prompt_words, generation.words
        assert generation.stop_reason == "eos" or generation.words[-1] in PUNCTUATION


def test_sampling_with_rules_is_deterministic_for_a_seed_and_batch_independent(noisy: Generator):
    sampling = Sampling(temperature=1.2, top_k=50, seed=7)
    decoding = Decoding(repetition_penalty=1.4, no_repeat_ngram_size=2)
    batch = noisy.generate_many(PROMPTS, 30, sampling, decoding)
    assert noisy.generate_many(PROMPTS, 30, sampling, decoding) == batch
    assert [noisy.generate(p, 30, sampling, decoding) for p in PROMPTS] == batch
    for generation in batch:
        tokens = ids(noisy, generation.words)
        grams = [tuple(tokens[i : i + 2]) for i in range(len(tokens) - 1) if generation.words[i + 1] not in PUNCTUATION]
        assert len(grams) == len(set(grams))
    assert batch != noisy.generate_many(PROMPTS, 30, Sampling(temperature=1.2, top_k=50, seed=8), decoding)


def test_the_batch_1_greedy_fast_path_runs_when_no_rule_is_active(noisy: Generator, monkeypatch):
    from lstm_edge.runtime import generator as module

    calls = []
    fast = module._decode_one_greedy
    monkeypatch.setattr(module, "_decode_one_greedy", lambda *a: calls.append(1) or fast(*a))
    noisy.generate("A cream coat", 5, decoding=PLAIN)
    noisy.generate("A cream coat", 5, decoding=Decoding(no_repeat_ngram_size=2))
    noisy.generate_many(["A cream coat", "a"], 5, decoding=PLAIN)
    assert calls == [1]


# --- beam search -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("beams", [2, 3])
def test_beam_search_equals_a_plain_beam_search(noisy: Generator, beams: int):
    batch = noisy.generate_many(PROMPTS, 25, decoding=Decoding(beams=beams))
    for prompt, generation in zip(PROMPTS, batch, strict=True):
        expected = beam_oracle(noisy, prompt, 25, beams)
        ended = expected[-1:] == [EOS_ID]
        assert ids(noisy, generation.words) == (expected[:-1] if ended else expected), prompt
        assert generation.stop_reason == ("eos" if ended else "max_words")
        assert noisy.generate(prompt, 25, decoding=Decoding(beams=beams)) == generation  # batch-independent
    assert any(g.stop_reason == "eos" for g in batch)


def test_beam_search_with_rules_keeps_them_in_every_beam(looping: Generator, noisy: Generator):
    for generator in (looping, noisy):
        decoding = Decoding(no_repeat_ngram_size=2, beams=4)
        for generation in generator.generate_many(PROMPTS, 40, decoding=decoding):
            tokens = ids(generator, generation.words)
            grams = [
                tuple(tokens[i : i + 2]) for i in range(len(tokens) - 1) if generation.words[i + 1] not in PUNCTUATION
            ]
            assert len(grams) == len(set(grams)), generation.words


def test_beam_search_finds_continuations_at_least_as_likely_per_word_as_greedy(noisy: Generator):
    def mean_log_probability(prompt: str, tokens: list[int]) -> float:
        logits, state = noisy.backend.run(
            np.array([noisy.tokenizer.encode(prompt, add_bos=True).ids], dtype=np.int64), noisy.spec.zero_state(1)
        )
        total = 0.0
        for token in tokens:
            scores = contract.mask_never_emitted(logits[0].astype(np.float64))
            total += scores[token] - (scores.max() + math.log(np.exp(scores - scores.max()).sum()))
            logits, state = noisy.backend.run(np.array([[token]], dtype=np.int64), state)
        return total / len(tokens)

    better = 0
    for prompt in PROMPTS:
        greedy = noisy.generate(prompt, 30, decoding=PLAIN)
        beam = noisy.generate(prompt, 30, decoding=Decoding(beams=4))
        with_end = [ids(noisy, g.words) + ([EOS_ID] if g.stop_reason == "eos" else []) for g in (greedy, beam)]
        better += mean_log_probability(prompt, with_end[1]) >= mean_log_probability(prompt, with_end[0]) - 1e-9
    assert better >= len(PROMPTS) - 1


def test_one_beam_is_greedy_and_beams_refuse_to_sample(noisy: Generator):
    assert noisy.generate_many(PROMPTS, 20, decoding=Decoding(beams=1)) == noisy.generate_many(
        PROMPTS, 20, decoding=PLAIN
    )
    with pytest.raises(GenerationError, match="does not sample"):
        noisy.generate("a", 5, Sampling(temperature=0.7), Decoding(beams=2))


def test_streaming_a_beam_search_yields_its_words(noisy: Generator):
    decoding = Decoding(beams=3, no_repeat_ngram_size=2)
    for prompt in PROMPTS[:3]:
        assert list(noisy.stream(prompt, 25, decoding=decoding)) == noisy.generate(prompt, 25, decoding=decoding).words


# --- per-model defaults ----------------------------------------------------------------------------------


def with_generation(source: Path, target: Path, **settings: object) -> Path:
    import onnx

    model = onnx.load(source)
    for prop in model.metadata_props:
        if prop.key == contract.KEY_GENERATION:
            prop.value = json.dumps({**json.loads(prop.value), **settings})
    onnx.save(model, target)
    return target


def test_a_model_files_recommendation_is_the_default_and_options_override_it(tiny_model: Path, tmp_path: Path):
    path = with_generation(tiny_model, tmp_path / "rules.onnx", no_repeat_ngram_size=3, repetition_penalty=1.5)
    generator = Generator(path)
    assert generator.decoding == generator.recommended == Decoding(repetition_penalty=1.5, no_repeat_ngram_size=3)
    prompts = ["A cream coat", "the silk dress"]
    ruled = Generator(tiny_model).generate_many(prompts, 30, decoding=generator.decoding)
    assert generator.generate_many(prompts, 30) == ruled
    assert Generator(path, decoding=PLAIN).generate_many(prompts, 30) == Generator(tiny_model).generate_many(
        prompts, 30
    )

    def gen(*args: str) -> list[str]:
        result = CliRunner().invoke(gen_main, ["--model", str(path), "-n", "30", *args, *prompts])
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()

    assert gen() == [g.text for g in ruled]
    plain = Generator(tiny_model).generate_many(prompts, 30, decoding=PLAIN)
    assert gen("--no-repeat-ngram", "0", "--repetition-penalty", "1") == [g.text for g in plain]
    beams = Generator(tiny_model).generate_many(prompts, 30, decoding=Decoding(1.5, 3, 2))
    assert gen("--beams", "2") == [g.text for g in beams]
    info = CliRunner().invoke(gen_main, ["--model", str(path), "--info"])
    assert "Decoding:     no repeated 3-grams, repetition penalty 1.5 by default (" in info.stdout


def test_decoding_options_reach_csv_jobs(tiny_model: Path, tmp_path: Path):
    import csv

    path = with_generation(tiny_model, tmp_path / "rules.onnx", no_repeat_ngram_size=3)
    data = tmp_path / "prompts.csv"
    data.write_text("prompt\nA cream coat\nthe silk dress\n")
    out = tmp_path / "out.csv"
    args = ["--model", str(path), "--input", str(data), "--output", str(out), "-n", "20", "--beams", "2"]
    result = CliRunner().invoke(gen_main, args)
    assert result.exit_code == 0, result.output
    with open(out, newline="") as handle:
        texts = [row["generated"] for row in csv.DictReader(handle)]
    expected = Generator(tiny_model).generate_many(["A cream coat", "the silk dress"], 20, decoding=Decoding(1.0, 3, 2))
    assert texts == [g.text for g in expected]


def test_a_beam_recommendation_gives_way_to_asked_for_sampling(tiny_model: Path, tmp_path: Path):
    path = with_generation(tiny_model, tmp_path / "beams.onnx", strategy="beam", beams=3)
    assert Generator(path).decoding == Decoding(beams=3)
    result = CliRunner().invoke(gen_main, ["--model", str(path), "-t", "0.8", "--seed", "1", "A coat"])
    assert result.exit_code == 0, result.output
    sampled = Generator(tiny_model).generate("A coat", 10, Sampling(temperature=0.8, seed=1), PLAIN)
    assert result.stdout == sampled.text + "\n"
    refused = CliRunner().invoke(gen_main, ["--model", str(path), "-t", "0.8", "--beams", "2", "A coat"])
    assert refused.exit_code == 1 and "does not sample" in refused.output


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"repetition_penalty": 0.5}, "repetition penalty must be between 1"),
        ({"no_repeat_ngram_size": "4"}, "no-repeat n-gram size must be"),
        ({"beams": 1000}, "beams must be 1"),
        ({"strategy": "beam"}, "strategy 'beam' does not match beams 1"),
    ],
)
def test_bad_recommendations_are_refused_at_load(tiny_model: Path, tmp_path: Path, settings: dict, message: str):
    path = with_generation(tiny_model, tmp_path / "bad.onnx", **settings)
    with pytest.raises(ModelFileError, match=f"{path}: metadata lstm_edge.generation: {message}"):
        load_model(path)
    result = CliRunner().invoke(gen_main, ["--model", str(path), "A coat"])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {path}: metadata lstm_edge.generation")


# --- the default, chosen by measurement (runtime/recommend.py, lstm-export) -------------------------------


def trial(decoding: Decoding, outputs: int, looped: int, repeated_3: int, ended: int, log_likelihood: float):
    from lstm_edge.runtime.eval import GenerationStats
    from lstm_edge.runtime.recommend import Trial

    stats = GenerationStats(outputs=outputs, looped=looped, repeated_3=repeated_3, ended=ended)
    return Trial(decoding, stats, log_likelihood)


def test_the_rule_keeps_plain_unless_something_as_likely_repeats_clearly_less():
    from lstm_edge.runtime.eval import GenerationStats
    from lstm_edge.runtime.recommend import choose

    texts = GenerationStats(outputs=200, looped=6, repeated_3=30, ended=160)  # loops 3%, ends 80%
    plain, rules, penalty = PLAIN, Decoding(no_repeat_ngram_size=3), Decoding(repetition_penalty=1.3)
    # plain loops: the likeliest of those that qualify, with its 3-gram repeats as low as any
    trials = [
        trial(plain, 200, 200, 200, 40, -2.0),
        trial(rules, 200, 2, 2, 200, -1.95),
        trial(penalty, 200, 0, 0, 200, -1.90),
    ]
    assert choose(trials, texts).decoding == penalty and [t.qualifies for t in trials] == [False, True, True]
    # equally likely (within 0.01 nats) and repeating as little (within 2 points): the simpler one
    trials = [trial(plain, 200, 0, 4, 200, -0.770), trial(rules, 200, 0, 0, 200, -0.771)]
    assert choose(trials, texts).decoding == plain
    # as likely, but plain repeats 3-grams clearly more: the rule
    trials = [trial(plain, 200, 4, 16, 200, -0.885), trial(penalty, 200, 2, 2, 200, -0.887)]
    assert choose(trials, texts).decoding == penalty
    # clearly likelier beats fewer repeats
    trials = [trial(plain, 200, 0, 16, 200, -0.80), trial(penalty, 200, 0, 0, 200, -0.85)]
    assert choose(trials, texts).decoding == plain
    # running on (ending far less often than the texts) disqualifies; none qualifying: the fewest loops
    trials = [trial(plain, 200, 0, 0, 100, -0.5), trial(rules, 200, 150, 150, 200, -1.0)]
    assert choose(trials, texts).decoding == plain and not any(t.qualifies for t in trials)


def test_the_shipped_model_carries_the_decoding_its_measurement_chooses(tmp_path: Path):
    """Measured again as lstm-export measured it, on the built-in corpus's held-out descriptions: the same
    choice as the file records, and one that ends every description without loops."""
    from lstm_edge.runtime.csv_file import read_column
    from lstm_edge.runtime.model_file import default_model_path
    from lstm_edge.runtime.recommend import recommend
    from lstm_edge.runtime.texts import resolve_source, split_positions

    generator = Generator(default_model_path())
    training = generator.model.info()["training"]
    texts = list(read_column(resolve_source(training["corpus"]["source"]), "description"))
    held_out = split_positions(len(texts), 0.2, 42)
    sequences = [
        generator.tokenizer.encode(text, add_bos=True, add_eos=True).ids
        for text, chosen in zip(texts, held_out, strict=True)
        if chosen
    ]
    measured = recommend(generator, sequences, "held-out descriptions")
    assert measured.prompts == 200
    assert measured.decoding == generator.decoding, "\n".join(measured.lines())
    chosen = next(trial for trial in measured.trials if trial.decoding == measured.decoding)
    assert chosen.stats.loop_rate <= 0.1 and chosen.stats.ended_rate == 1.0


def test_lstm_export_measures_the_default_and_lstm_gen_uses_it(tiny_run: Path, tmp_path: Path):
    """The tiny run loops; exported without decoding options, its file recommends a rule that stops it."""
    from lstm_edge.export.cli import main as export_main

    out = tmp_path / "measured.onnx"
    result = CliRunner().invoke(export_main, [str(tiny_run), "-o", str(out)])
    assert result.exit_code == 0, result.output
    generation = load_model(out).generation
    chosen = Decoding.from_metadata(generation)
    assert not chosen.plain and chosen.beams == 1
    report = generation["chosen_by"]
    assert report["method"].startswith("measured on ") and len(report["trials"]) == 13
    chosen_trial = next(t for t in report["trials"] if t["decoding"] == chosen.describe())
    assert chosen_trial["qualifies"] and chosen_trial["loop_rate"] <= 0.1
    assert report["trials"][0]["decoding"] == "plain" and not report["trials"][0]["qualifies"]
    assert f"  decoding default     {chosen.describe()} (measured on " in result.output
    assert Generator(out).decoding == chosen
    looping = CliRunner().invoke(gen_main, ["--model", str(out), "-n", "60", "A cream coat"])
    assert looping.stdout == Generator(out).generate("A cream coat", 60, decoding=chosen).text + "\n"
