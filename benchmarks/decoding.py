"""Timing the runtime's decode loop through its public API, without the prefill or the per-call setup.

Greedy generation stops at <eos>, so a fixed budget of words cannot be asked for. Instead, from prompts
already prefilled (`Generator.prefill` → `PromptState`), time `generate_many(states, n)` and
`generate_many(states, 1)`: the first runs n − 1 graph steps (the first word comes from the prefill's
logits), the second none, and both pay the same setup (I/O bindings, result objects). So

    seconds per step = (T(n) − T(1)) / (n − 1)

holds every step of the decode loop (the graph run through I/O bindings, the argmax, the bookkeeping,
the detokenizing of one more word) and nothing else, with n no longer than every chosen row's greedy
continuation so that no row is finished while it is timed.
"""

from __future__ import annotations

from typing import Any

from benchmarks.common import median_time


def greedy_length(generator: Any, state: Any, max_words: int) -> int:
    """Tokens the greedy decode yields for `state` (its <eos> included), up to `max_words`."""
    generation = generator.generate(state, max_words)
    return len(generation.words) + (generation.stop_reason == "eos")


def longest_prompts(generator: Any, texts: list[str], count: int, max_words: int) -> list[tuple[Any, int]]:
    """Prefilled prompts (the first two words of each text) with their greedy lengths, longest first."""
    states = generator.prefill([" ".join(text.split()[:2]) for text in texts[:count]])
    measured = [(state, greedy_length(generator, state, max_words)) for state in states]
    return sorted(measured, key=lambda pair: -pair[1])


def step_seconds(generator: Any, states: list[Any], words: int, repeats: int, calls: int = 1) -> float:
    """Seconds per decode step of `generate_many(states, …)`, as the slope above (`words` ≥ 2)."""
    if words < 2:
        raise ValueError("the slope needs continuations of at least 2 words")

    def timed(budget: int) -> float:
        return median_time(lambda: [generator.generate_many(states, budget) for _ in range(calls)], repeats) / calls

    return (timed(words) - timed(1)) / (words - 1)


def training_texts(model: Any) -> list[str]:
    """The texts a model file was trained on (its metadata names the corpus); the built-in ones if gone."""
    from lstm_edge.train.corpus import CorpusError, load_corpus

    corpus = model.info().get("training", {}).get("corpus", {})
    source = corpus.get("source", "built-in")
    try:
        return load_corpus(None if source == "built-in" else source, corpus.get("column", "description")).descriptions
    except CorpusError:
        print(f"(note: {model.path} was trained on {source}, which is not here; using the built-in corpus)")
        return load_corpus(None).descriptions
