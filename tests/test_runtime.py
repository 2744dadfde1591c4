"""The runtime's Python API: greedy and sampled generation, batching, streaming, prefill reuse, threads, bad files.

Two models: the tiny run (4 epochs: it has learnt little and repeats one word), and a "lively" copy of it
whose weights carry seeded noise, so greedy text varies and rows of a batch stop at <eos> at different
steps. The lively copy also puts large output biases on <pad>, <unk> and <bos>: any leak of a reserved
token would show at once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from lstm_edge.export.exporter import export_model
from lstm_edge.export.verify import sample_prompts, torch_greedy
from lstm_edge.runtime import contract
from lstm_edge.runtime.errors import GenerationError, ModelFileError
from lstm_edge.runtime.generator import Generation, Generator, PromptState, Sampling
from lstm_edge.runtime.model_file import load_model
from lstm_edge.runtime.tokenizer import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    SPECIAL_TOKENS,
    UNK_ID,
    Tokenizer,
    detokenize,
    split_words,
)
from lstm_edge.train.checkpoint import load_checkpoint, model_from_checkpoint
from lstm_edge.train.model import LSTMLanguageModel

RESERVED = set(SPECIAL_TOKENS)
PROMPTS = ["A cream coat", "", "zzyzx cream qwxp", "a", "the silk dress with", "Our new cotton jacket, made in"]


@dataclass(frozen=True)
class Reference:
    """A model file and the PyTorch model it was exported from."""

    path: Path
    model: LSTMLanguageModel
    tokenizer: Tokenizer


@pytest.fixture(scope="module")
def tiny(tiny_model: Path, tiny_run: Path) -> Reference:
    model, tokenizer = model_from_checkpoint(load_checkpoint(tiny_run / "best.pt"))
    return Reference(tiny_model, model, tokenizer)


@pytest.fixture(scope="module")
def lively(tmp_path_factory: pytest.TempPathFactory, tiny_run: Path) -> Reference:
    """The tiny run with seeded noise, and the weakest push towards <eos> (of a few) under which some
    prompts end within 20 words and some do not."""
    for push in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0):
        checkpoint = torch.load(tiny_run / "best.pt", weights_only=True)
        noise = torch.Generator().manual_seed(0)
        for tensor in checkpoint["model_state"].values():
            tensor += 0.8 * torch.randn(tensor.shape, generator=noise)  # larger noise strains the 1e-4 parity check
        bias = checkpoint["model_state"]["output.bias"]
        bias[EOS_ID] += push
        bias[[PAD_ID, UNK_ID, BOS_ID]] += 50.0  # the likeliest tokens, if they were allowed
        run = tmp_path_factory.mktemp("lively")
        torch.save(checkpoint, run / "best.pt")
        export_model(run, log=lambda line: None)  # verified against PyTorch like any export
        model, tokenizer = model_from_checkpoint(load_checkpoint(run / "best.pt"))
        reasons = {g.stop_reason for g in Generator(run / "model.onnx").generate_many(many_prompts(tokenizer), 20)}
        if reasons == {"eos", "max_words"}:
            return Reference(run / "model.onnx", model, tokenizer)
    raise AssertionError("no push towards <eos> gave a mix of endings")


@pytest.fixture(scope="module")
def tiny_generator(tiny: Reference) -> Generator:
    return Generator(tiny.path)


@pytest.fixture(scope="module")
def lively_generator(lively: Reference) -> Generator:
    return Generator(lively.path)


@pytest.fixture(params=["tiny", "lively"])
def reference(request: pytest.FixtureRequest) -> Reference:
    return request.getfixturevalue(request.param)


def many_prompts(tokenizer: Tokenizer, count: int = 40) -> list[str]:
    return [*PROMPTS, *sample_prompts(tokenizer, count, seed=11)]


def plain_greedy(session, tokenizer: Tokenizer, hidden_sizes, prompts: list[str], max_words: int) -> list[list[int]]:
    """Greedy decoding with plain `session.run` and feed dicts: each prompt read alone, then one batch."""
    layers = len(hidden_sizes)
    inputs = [
        f"{kind}_in_{i}" for i in range(layers) for kind in "hc"
    ]  # spelled out: an oracle apart from the contract
    outputs = ["logits", *(f"{kind}_out_{i}" for i in range(layers) for kind in "hc")]
    logits, states = [], []
    for prompt in prompts:
        ids = np.array([tokenizer.encode(prompt, add_bos=True).ids], dtype=np.int64)
        zero = {name: np.zeros((1, size), np.float32) for name, size in zip(inputs, _sizes(hidden_sizes), strict=True)}
        prompt_logits, *state = session.run(outputs, {contract.INPUT_IDS: ids, **zero})
        logits.append(prompt_logits)
        states.append(state)
    logits = np.concatenate(logits)
    state = [np.concatenate(parts) for parts in zip(*states, strict=True)]
    generated: list[list[int]] = [[] for _ in prompts]
    done = np.zeros(len(prompts), dtype=bool)
    for _ in range(max_words):
        logits[:, : BOS_ID + 1] = -np.inf
        chosen = logits.argmax(axis=1)
        for row, token in enumerate(chosen):
            if not done[row]:
                done[row] = token == EOS_ID
                if not done[row]:
                    generated[row].append(int(token))
        if done.all():
            break
        feed = {contract.INPUT_IDS: chosen[:, None].astype(np.int64), **dict(zip(inputs, state, strict=True))}
        logits, *state = session.run(outputs, feed)
    return generated


def _sizes(hidden_sizes) -> list[int]:
    return [size for size in hidden_sizes for _ in ("h", "c")]


def ids_of(generator: Generator, generation: Generation) -> list[int]:
    return [generator.tokenizer.ids[word] for word in generation.words]


# --- greedy: deterministic, and exactly what PyTorch and a plain session.run loop choose ---


def test_greedy_is_deterministic(tiny: Reference, lively: Reference):
    for reference in (tiny, lively):
        prompts = many_prompts(reference.tokenizer, 20)
        first = Generator(reference.path).generate_many(prompts, 15)
        assert Generator(reference.path).generate_many(prompts, 15) == first
        assert [Generator(reference.path).generate(p, 15) for p in prompts[:5]] == first[:5]


def test_greedy_equals_a_pytorch_greedy_loop(reference: Reference):
    generator = Generator(reference.path)
    prompts = many_prompts(reference.tokenizer, 24)
    batched = generator.generate_many(prompts, 20)
    for prompt, generation in zip(prompts, batched, strict=True):
        expected = torch_greedy(reference.model, reference.tokenizer, prompt, 20)
        assert ids_of(generator, generation) == expected, prompt
        assert generation.text == detokenize([*split_words(prompt), *reference.tokenizer.words(expected)])
        assert generator.generate(prompt, 20) == generation
        assert generation.stop_reason == ("eos" if len(expected) < 20 else "max_words")


def test_io_binding_equals_a_plain_session_run_loop(reference: Reference):
    generator = Generator(reference.path)
    session, hidden = generator.backend.session, generator.spec.hidden_sizes
    prompts = many_prompts(reference.tokenizer, 30)
    expected = plain_greedy(session, reference.tokenizer, hidden, prompts, 25)
    assert [ids_of(generator, g) for g in generator.generate_many(prompts, 25)] == expected
    for prompt, words in zip(prompts[:8], expected[:8], strict=True):
        assert plain_greedy(session, reference.tokenizer, hidden, [prompt], 25) == [words]
        assert ids_of(generator, generator.generate(prompt, 25)) == words


def test_generation_stops_at_eos_or_at_the_budget(lively_generator: Generator):
    prompts = many_prompts(lively_generator.tokenizer, 40)
    reasons = set()
    for budget in (1, 2, 5, 20):
        for generation in lively_generator.generate_many(prompts, budget):
            reasons.add(generation.stop_reason)
            if generation.stop_reason == "max_words":
                assert len(generation.words) == budget
            else:
                assert generation.stop_reason == "eos"
                assert len(generation.words) < budget
    assert reasons == {"eos", "max_words"}
    assert all(g.words == [] and g.stop_reason == "max_words" for g in lively_generator.generate_many(prompts, 0))


def test_reserved_tokens_are_never_emitted(tiny_generator: Generator, lively_generator: Generator):
    samplings = [
        Sampling(),
        Sampling(temperature=1.0, seed=1),
        Sampling(temperature=100.0, seed=2),
        Sampling(temperature=5.0, top_k=3, seed=3),
        Sampling(temperature=5.0, top_p=0.5, seed=4),
        Sampling(temperature=1e-310, seed=5),
    ]
    for generator in (tiny_generator, lively_generator):
        vocabulary = set(generator.tokenizer.vocabulary) - RESERVED
        prompts = many_prompts(generator.tokenizer, 30)
        for sampling in samplings:
            for budget in (1, 7, 40):
                for generation in generator.generate_many(prompts, budget, sampling):
                    assert set(generation.words) <= vocabulary, (sampling, generation)
                    assert not RESERVED & set(generation.text.lower().split())


def test_high_temperature_sampling_also_stops_at_eos(lively_generator: Generator):
    hot = [Sampling(temperature=2.0, seed=seed) for seed in range(40)]
    generations = [lively_generator.generate("A cream coat", 30, sampling) for sampling in hot]
    assert {g.stop_reason for g in generations} == {"eos", "max_words"}
    assert all(len(g.words) < 30 for g in generations if g.stop_reason == "eos")


# --- many prompts, streams, prefill reuse, sampling ---


def test_generate_many_equals_separate_generate_calls(reference: Reference):
    generator = Generator(reference.path)
    prompts = ["", "A cream coat", "zzyzx", "a a a a a a a a", "A cream coat", "!!!", "the", *PROMPTS]
    assert generator.generate_many(prompts, 12) == [generator.generate(p, 12) for p in prompts]
    assert generator.generate_many([], 12) == []


def test_stream_yields_the_words_of_generate(lively_generator: Generator):
    for prompt in many_prompts(lively_generator.tokenizer, 15):
        for sampling in (Sampling(), Sampling(temperature=1.5, seed=9)):
            for budget in (0, 1, 20):
                assert list(lively_generator.stream(prompt, budget, sampling)) == (
                    lively_generator.generate(prompt, budget, sampling).words
                )


def test_a_prefilled_prompt_can_be_continued_many_times(lively_generator: Generator):
    prompts = many_prompts(lively_generator.tokenizer, 12)
    states = lively_generator.prefill(prompts)
    assert all(isinstance(state, PromptState) for state in states)
    logits_before = [state.logits.copy() for state in states]
    fresh = lively_generator.generate_many(prompts, 15)
    for _ in range(3):
        assert [lively_generator.generate(state, 15) for state in states] == fresh
        assert lively_generator.generate_many(states, 15) == fresh
    mixed = [states[0], prompts[1], states[2]]  # PromptStates and strings in one call
    assert lively_generator.generate_many(mixed, 15) == [fresh[0], fresh[1], fresh[2]]
    hot = Sampling(temperature=1.0, seed=5)
    for state in states:
        lively_generator.generate(state, 15, hot)
    assert all(np.array_equal(s.logits, before) for s, before in zip(states, logits_before, strict=True))


def test_seeds_choose_the_continuation(lively_generator: Generator):
    state = lively_generator.prefill(["A cream coat"])[0]
    by_seed = [lively_generator.generate(state, 15, Sampling(temperature=1.0, seed=seed)).words for seed in range(6)]
    assert len({tuple(words) for words in by_seed}) > 1  # different seeds, different continuations
    again = [lively_generator.generate(state, 15, Sampling(temperature=1.0, seed=seed)).words for seed in range(6)]
    assert again == by_seed  # the same seed, the same continuation
    fresh = [lively_generator.generate("A cream coat", 15, Sampling(temperature=1.0, seed=s)).words for s in range(6)]
    assert fresh == by_seed  # and a PromptState continues exactly like its prompt


def test_a_vanishing_temperature_is_greedy(lively_generator: Generator):
    """Down to the smallest float: sampling must not divide its way to inf - inf = NaN (which picked <pad>)."""
    prompts = many_prompts(lively_generator.tokenizer, 30)
    greedy = lively_generator.generate_many(prompts, 20)
    assert any(g.words for g in greedy)
    for temperature in (1e-6, 1e-300, 1e-310, 5e-324):  # 1e-3 is not greedy where two words nearly tie
        assert lively_generator.generate_many(prompts, 20, Sampling(temperature=temperature, seed=0)) == greedy


def test_top_k_1_is_greedy(lively_generator: Generator):
    prompts = many_prompts(lively_generator.tokenizer, 20)
    greedy = lively_generator.generate_many(prompts, 20)
    for temperature in (0.5, 1.0, 50.0):
        sampling = Sampling(temperature=temperature, top_k=1, seed=0)
        assert lively_generator.generate_many(prompts, 20, sampling) == greedy


def test_one_generator_shared_by_8_threads_gives_sequential_results(lively_generator: Generator):
    prompts = many_prompts(lively_generator.tokenizer, 40)
    samplings = [Sampling(), Sampling(temperature=1.0, seed=7), Sampling(temperature=0.7, top_p=0.9, seed=8)]
    jobs = [(prompts[i % len(prompts)], 5 + i % 17, samplings[i % 3]) for i in range(96)]

    def run(job: tuple[str, int, Sampling]) -> tuple[Generation, list[str], list[Generation]]:
        prompt, budget, sampling = job
        single = lively_generator.generate(prompt, budget, sampling)
        streamed = list(lively_generator.stream(prompt, budget, sampling))
        batch = lively_generator.generate_many(prompts[:6], budget) if sampling.greedy else []
        return single, streamed, batch

    sequential = [run(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(run, jobs))
    assert concurrent == sequential


# --- prompts ---


def test_unknown_words_are_reported_and_read_as_unk(lively: Reference, lively_generator: Generator):
    generation = lively_generator.generate("Zzyzx cream qwxp coat", 5)
    assert generation.unknown_words == ["zzyzx", "qwxp"]
    assert generation.text.startswith("Zzyzx cream qwxp coat")
    assert lively_generator.generate("A cream coat", 5).unknown_words == []
    expected = torch_greedy(lively.model, lively.tokenizer, "zzyzx cream qwxp coat", 5)
    assert ids_of(lively_generator, generation) == expected  # <unk> was read, not the word dropped


def test_an_empty_prompt_generates_from_bos(lively: Reference, lively_generator: Generator):
    generation = lively_generator.generate("", 12)
    session, hidden = lively_generator.backend.session, lively_generator.spec.hidden_sizes
    assert ids_of(lively_generator, generation) == plain_greedy(session, lively.tokenizer, hidden, [""], 12)[0]
    assert generation.words  # something, from <bos> alone
    assert generation.text == detokenize(generation.words)
    assert generation.unknown_words == []
    assert lively_generator.generate("  @@ ~ ", 12).words == generation.words  # nothing left after tokenizing


# --- refusals ---


@pytest.mark.parametrize("max_words", [contract.MAX_WORDS + 1, -1])
def test_out_of_range_budgets_raise_value_error(tiny_generator: Generator, max_words: int):
    with pytest.raises(GenerationError, match=f"max_words must be between 0 and {contract.MAX_WORDS}, got {max_words}"):
        tiny_generator.generate("A cream coat", max_words)
    with pytest.raises(GenerationError, match="max_words must be between"):
        tiny_generator.generate_many(["A", "B"], max_words)
    with pytest.raises(GenerationError, match="max_words must be between"):
        list(tiny_generator.stream("A cream coat", max_words))


def test_the_largest_budget_is_allowed(tiny_generator: Generator):
    generation = tiny_generator.generate("A cream coat", contract.MAX_WORDS)
    assert generation.stop_reason == "eos" or len(generation.words) == contract.MAX_WORDS


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"temperature": -0.5}, "temperature must be between 0 and 100, got -0.5"),
        ({"temperature": 101.0}, "temperature must be between 0 and 100, got 101.0"),
        ({"top_p": 0.0}, r"top-p must be in \(0, 1\], got 0.0"),
        ({"top_p": 1.5}, r"top-p must be in \(0, 1\], got 1.5"),
        ({"top_k": -1}, "top-k must be 0 \\(off\\) or a positive whole number, got -1"),
    ],
)
def test_invalid_sampling_raises_value_error(options: dict, message: str):
    with pytest.raises(GenerationError, match=message):
        Sampling(**options)


def test_bad_model_files_raise_model_file_error_naming_file_and_problem(bad_models):
    assert len(bad_models) >= 14
    for name, bad in bad_models.items():
        with pytest.raises(ModelFileError) as raised:
            Generator(bad.path)
        message = str(raised.value)
        assert type(raised.value).__name__ == bad.error, name
        assert message.startswith(f"{bad.path}: {bad.message}"), (name, message)
        assert "\n" not in message, name


def test_the_int8_twin_generates_too(tiny_export):
    model = load_model(tiny_export.int8_model)
    generation = Generator(model).generate("A cream coat")
    assert generation.text.startswith("A cream coat") and len(generation.words) <= contract.DEFAULT_WORDS
    assert model.info()["quantization"]["type"] == "int8-dynamic"


def test_threads_option_gives_the_same_text(tiny_model: Path, tiny_generator: Generator):
    prompts = many_prompts(tiny_generator.tokenizer, 10)
    assert Generator(tiny_model, threads=2).generate_many(prompts) == tiny_generator.generate_many(prompts)


def test_a_seeded_prompt_samples_the_same_text_alone_or_in_a_batch(lively_generator: Generator):
    generator = lively_generator
    sampling = Sampling(temperature=1.0, seed=3)
    prompts = ["A cream coat", "The silk dress", "Our jeans"]
    batched = generator.generate_many(prompts, 15, sampling)
    assert [g.words for g in batched] == [generator.generate(p, 15, sampling).words for p in prompts]


def test_interleaved_streams_in_one_thread_do_not_share_buffers(lively_generator: Generator):
    generator = lively_generator
    assert generator.generate("A cream coat", 12).words != generator.generate("The silk dress", 12).words
    first, second = generator.stream("A cream coat", 12), generator.stream("The silk dress", 12)
    words_first, words_second = [], []
    for a, b in zip(first, second, strict=False):
        words_first.append(a)
        words_second.append(b)
    words_first += list(first)
    words_second += list(second)
    assert words_first == generator.generate("A cream coat", 12).words
    assert words_second == generator.generate("The silk dress", 12).words
