// Decoding rules on top of the choice of the next word, as runtime/decoding.py applies them:
//
//     repetition penalty p: for every word already said (prompt and generated), a positive logit is
//                           divided by p and a negative one multiplied by it
//     no-repeat n-grams n:  a token that would complete an n-gram already said is never chosen
//
// <eos> and punctuation are exempt, so a description can always end (a run of marks alone, ". . .",
// counts as an n-gram like any other). The arithmetic is float32's, as numpy's on a float32 row, so the
// same logits give the same choice as Python. A model file recommends its settings in its
// `lstm_edge.generation` metadata; beam search is not in this port (a file recommending it is refused
// at generation, in one line).

import { MAX_BEAMS, MAX_NGRAM, MAX_PENALTY, STOP_ID } from "./contract.mjs";
import { GenerationError } from "./errors.mjs";
import { PUNCTUATION } from "./tokenizer.mjs";

export class Decoding {
  constructor({ repetitionPenalty = 1.0, noRepeatNgramSize = 0, beams = 1 } = {}) {
    if (typeof repetitionPenalty !== "number" || !(repetitionPenalty >= 1 && repetitionPenalty <= MAX_PENALTY)) {
      throw new GenerationError(`repetition penalty must be between 1 (off) and ${MAX_PENALTY}, got ${repetitionPenalty}`);
    }
    if (!Number.isInteger(noRepeatNgramSize) || noRepeatNgramSize < 0 || noRepeatNgramSize > MAX_NGRAM) {
      throw new GenerationError(`no-repeat n-gram size must be 0 (off) or 1 to ${MAX_NGRAM}, got ${noRepeatNgramSize}`);
    }
    if (!Number.isInteger(beams) || beams < 1 || beams > MAX_BEAMS) {
      throw new GenerationError(`beams must be 1 (off) to ${MAX_BEAMS}, got ${beams}`);
    }
    this.repetitionPenalty = repetitionPenalty;
    this.noRepeatNgramSize = noRepeatNgramSize;
    this.beams = beams;
    Object.freeze(this);
  }

  /** The settings a model file recommends (its `lstm_edge.generation` document); none for older files. */
  static fromMetadata(document) {
    const strategy = document.strategy ?? "greedy";
    if (strategy !== "greedy" && strategy !== "beam") {
      throw new GenerationError(`strategy ${JSON.stringify(String(strategy).slice(0, 40))} is not greedy or beam`);
    }
    const decoding = new Decoding({
      repetitionPenalty: document.repetition_penalty ?? 1.0,
      noRepeatNgramSize: document.no_repeat_ngram_size ?? 0,
      beams: document.beams ?? 1,
    });
    if ((strategy === "beam") !== decoding.beams > 1) {
      throw new GenerationError(`strategy ${strategy} does not match beams ${decoding.beams}`);
    }
    return decoding;
  }

  get hasRules() {
    return this.repetitionPenalty !== 1.0 || this.noRepeatNgramSize > 0;
  }
}

export const PLAIN = new Decoding();

/** (V,) flags of the tokens no rule touches: <eos> and the punctuation marks. */
export function exemptIds(tokenizer) {
  const exempt = new Uint8Array(tokenizer.vocabulary.length);
  exempt[STOP_ID] = 1;
  for (const mark of PUNCTUATION) {
    const id = tokenizer.ids.get(mark);
    if (id !== undefined) exempt[id] = 1;
  }
  return exempt;
}

/** What one prompt's continuation has said so far, and the rules that follow from it. */
export class RepetitionRules {
  /** @param history the prompt's token ids, without <bos> */
  constructor(decoding, history, exempt) {
    this.penalty = Math.fround(decoding.repetitionPenalty); // numpy divides a float32 row by float32(p)
    this.size = decoding.noRepeatNgramSize;
    this.exempt = exempt;
    this.said = []; // words said, exempt ones left out, in the order first said
    this.seen = new Set();
    this.tokens = [];
    this.ngrams = new Map(); // the n - 1 tokens before, joined → the tokens that completed them
    for (const token of history) this.add(token);
  }

  /** Change the logits (a copy the caller owns) before a choice. */
  apply(logits) {
    if (this.penalty !== 1) {
      for (const token of this.said) {
        const value = logits[token];
        logits[token] = Math.fround(value > 0 ? value / this.penalty : value * this.penalty);
      }
    }
    if (this.size) {
      const context = this.size - 1;
      if (this.tokens.length >= context) {
        const banned = this.ngrams.get(this.tokens.slice(this.tokens.length - context).join(","));
        if (banned) for (const token of banned) logits[token] = -Infinity;
      }
    }
  }

  /** Record the token chosen. */
  add(token) {
    this.tokens.push(token);
    if (token === STOP_ID) return;
    const mark = this.exempt[token] === 1;
    if (!mark && !this.seen.has(token)) {
      this.seen.add(token);
      this.said.push(token);
    }
    if (this.size && this.tokens.length >= this.size) {
      const gram = this.tokens.slice(this.tokens.length - this.size);
      if (!mark || (this.size > 1 && gram.every((t) => this.exempt[t] === 1))) {
        const key = gram.slice(0, -1).join(",");
        if (!this.ngrams.has(key)) this.ngrams.set(key, new Set());
        this.ngrams.get(key).add(token);
      }
    }
  }
}
