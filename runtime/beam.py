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
    scores = np.full((prompts, beams), -np.inf)
    scores[:, 0] = 0.0  # one live beam per prompt at first: the others would only repeat it
    history = np.zeros((rows, 0), dtype=np.int64)
    finished: list[list[Hypothesis]] = [[] for _ in range(prompts)]
    done = np.zeros(prompts, dtype=bool)
    for position in range(max_words):
        logits = decoder.logits
        if rules is not None:
            rules.apply(logits)
        mask_never_emitted(logits)
        total = scores.reshape(-1, 1) + _log_softmax(logits)  # (rows, V)
        total = total.reshape(prompts, beams * vocabulary)
        parents = np.arange(rows)  # finished prompts keep their rows and feed <eos>
        tokens = np.full(rows, STOP_ID, dtype=np.int64)
        new_scores = np.full((prompts, beams), -np.inf)
        for prompt in np.flatnonzero(~done):
            kept = 0
            for rank, candidate in enumerate(_best(total[prompt], 2 * beams)):
                score = float(total[prompt, candidate])
                if score == -np.inf:
                    break
                beam, token = divmod(int(candidate), vocabulary)
                source = prompt * beams + beam
                if token == STOP_ID:
                    if rank < beams:
                        finished[prompt].append((score / (position + 1), [*history[source].tolist(), STOP_ID]))
                    continue
                row = prompt * beams + kept
                parents[row], tokens[row], new_scores[prompt, kept] = source, token, score
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
        candidates = list(finished[prompt])
        if not done[prompt]:  # out of budget: the running beams compete, at their length
            length = history.shape[1]
            for beam in range(beams):
                if scores[prompt, beam] > -np.inf:
                    candidates.append((scores[prompt, beam] / length, history[prompt * beams + beam].tolist()))
        results.append(max(candidates, key=lambda hypothesis: hypothesis[0])[1] if candidates else [STOP_ID])
    return results


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    scores = logits.astype(np.float64)
    scores -= scores.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        scores -= np.log(np.exp(scores).sum(axis=1, keepdims=True))
    return scores


def _best(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` highest scores, highest first (ties among them by lower index)."""
    count = min(count, len(scores))
    top = np.argpartition(-scores, count - 1)[:count]
    return top[np.lexsort((top, -scores[top]))]
