"""Beam search over a `Decoder`: keep the k likeliest continuations of each prompt, word by word.

Prompt p owns decoder rows p·k … p·k + k − 1. Each step scores every beam's every next token by the
beam's summed log-probability plus the token's, keeps the k best that do not end (their rows of
`decoder.state` are reordered in place, so the next step continues them) and files those that pick
<eos> among the k best as finished. Running beams all have the same length, so ranking them by sum
is ranking them by mean; finished ones are compared by mean log-probability per token (<eos>
included), so short endings are not favoured. A prompt stops when k continuations have finished
(or at the word budget, where the running beams compete too). Ties go to the lower beam, then the
lower token id, so the result is deterministic; it never depends on the other prompts in the batch.
"""

from __future__ import annotations

import numpy as np

from .backend import Decoder
from .contract import STOP_ID, mask_never_emitted
from .decoding import RepetitionRules

Hypothesis = tuple[float, list[int]]  # (mean log-probability per token, tokens)


def decode_beams(decoder: Decoder, beams: int, max_words: int, rules: RepetitionRules | None) -> list[list[int]]:
    """The best continuation of each prompt (its tokens, ending with <eos> when it ended by itself).

    `decoder` holds `prompts × beams` rows, each prompt's rows set to its prompt's logits and state.
    """
    rows = len(decoder.ids)
    prompts, vocabulary = rows // beams, decoder.logits.shape[1]
    width = min(2 * beams, vocabulary)  # candidates per beam: enough for `beams` that do not end
    scores = np.full(rows, -np.inf)  # summed log-probabilities, beam-major within each prompt
    scores[::beams] = 0.0  # one live beam per prompt at first: the others would only repeat it
    history = np.zeros((rows, 0), dtype=np.int64)
    finished: list[list[Hypothesis]] = [[] for _ in range(prompts)]
    done = np.zeros(prompts, dtype=bool)
    for position in range(max_words):
        logits = decoder.logits
        if rules is not None:
            rules.apply(logits)
        mask_never_emitted(logits)
        log_total = _log_total(logits)
        top, values = _top(logits, width)  # a beam's best continuations are its highest logits
        candidates = (scores[:, None] + (values - log_total[:, None])).reshape(prompts, beams * width)
        ranked = np.argsort(-candidates, axis=1, kind="stable")[:, :width]  # ties: lower beam, lower token
        parents = np.arange(rows)  # finished prompts keep their rows and feed <eos>
        tokens = np.full(rows, STOP_ID, dtype=np.int64)
        new_scores = np.full(rows, -np.inf)
        for prompt in np.flatnonzero(~done).tolist():
            kept = 0
            for rank, flat in enumerate(ranked[prompt].tolist()):
                score = float(candidates[prompt, flat])
                if score == -np.inf:
                    break
                source = prompt * beams + flat // width
                token = int(top[source, flat % width])
                if token == STOP_ID:
                    if rank < beams:
                        finished[prompt].append((score / (position + 1), [*history[source].tolist(), STOP_ID]))
                    continue
                row = prompt * beams + kept
                parents[row], tokens[row], new_scores[row] = source, token, score
                kept += 1
                if kept == beams:
                    break
            done[prompt] = len(finished[prompt]) >= beams or kept == 0
        scores = new_scores
        history = np.concatenate([history[parents], tokens[:, None]], axis=1)
        if done.all() or position == max_words - 1:
            break
        for tensor in decoder.state:
            tensor[:] = tensor[parents]
        if rules is not None:
            rules.reorder(parents)
            rules.append(tokens)
        decoder.ids[:, 0] = tokens
        decoder.step()

    results = []
    for prompt in range(prompts):
        hypotheses = list(finished[prompt])
        if not done[prompt]:  # out of budget: the running beams compete, at their length
            for row in range(prompt * beams, (prompt + 1) * beams):
                if scores[row] > -np.inf:
                    hypotheses.append((scores[row] / history.shape[1], history[row].tolist()))
        results.append(max(hypotheses, key=lambda hypothesis: hypothesis[0])[1] if hypotheses else [STOP_ID])
    return results


def _top(logits: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the `count` highest logits' token ids and values, highest first, ties by lower id.

    Repeated argmax (a vectorized pass each) beats a partition by far for a few of thousands; it
    overwrites the chosen logits with -inf, which is fine: the next step writes new ones.
    """
    rows = np.arange(len(logits))
    top = np.empty((len(logits), count), dtype=np.int64)
    values = np.empty((len(logits), count), dtype=np.float64)
    for rank in range(count):
        chosen = logits.argmax(axis=1)
        top[:, rank], values[:, rank] = chosen, logits[rows, chosen]
        logits[rows, chosen] = -np.inf
    return top, values


def _log_total(logits: np.ndarray) -> np.ndarray:
    """log Σ exp(logits) per row (float64), -inf logits included as zero mass."""
    top = logits.max(axis=1, keepdims=True)
    shifted = logits - top
    np.exp(shifted, out=shifted)
    total: np.ndarray = top[:, 0].astype(np.float64) + np.log(shifted.sum(axis=1, dtype=np.float64))
    return total
