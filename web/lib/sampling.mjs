// How the next word is chosen: greedy, or sampled with temperature, top-k and top-p, as in
// runtime/generator.py (`Sampling`, `_choose`, `_sample`). Seeded draws come from a port of numpy's
// generator, so the same logits and seed choose the same word as Python. Where the two can still part:
// numpy sums probabilities pairwise and this file in order (a difference in the last bits), and among
// exactly equal probabilities at the top-p cut numpy's sort order is unspecified (here: lower id first).

import { NEVER_EMITTED } from "./contract.mjs";
import { GenerationError } from "./errors.mjs";
import { NumpyRandom } from "./numpy-random.mjs";

const [NEVER_FROM, NEVER_TO] = NEVER_EMITTED; // ids never chosen: <pad>, <unk>, <bos>

/** temperature 0 = greedy (deterministic, the tutorial's behaviour). */
export class Sampling {
  constructor({ temperature = 0.0, topK = 0, topP = 1.0, seed = null } = {}) {
    if (!(temperature >= 0.0 && temperature <= 100.0)) {
      throw new GenerationError(`temperature must be between 0 and 100, got ${temperature}`);
    }
    if (!(Number.isInteger(topK) && topK >= 0)) {
      throw new GenerationError(`top-k must be 0 (off) or a positive whole number, got ${topK}`);
    }
    if (!(topP > 0.0 && topP <= 1.0)) throw new GenerationError(`top-p must be in (0, 1], got ${topP}`);
    const whole = Number.isSafeInteger(seed) || typeof seed === "bigint";
    if (seed !== null && !(whole && seed >= 0 && BigInt(seed) < 2n ** 63n)) {
      throw new GenerationError(`seed must be a whole number from 0 to 2**63 - 1, got ${seed}`);
    }
    Object.assign(this, { temperature, topK, topP, seed });
    Object.freeze(this);
  }

  get greedy() {
    return this.temperature === 0.0;
  }

  static from(options) {
    return options instanceof Sampling ? options : new Sampling(options ?? {});
  }
}

export const GREEDY = new Sampling();

/** Picks one token per step; one per generation, so a seeded one replays Python's draws. */
export class Chooser {
  constructor(sampling) {
    this.sampling = Sampling.from(sampling);
    this.rng = this.sampling.greedy ? null : new NumpyRandom(this.sampling.seed);
  }

  /** The next token from a row of logits (not modified): never <pad>, <unk> or <bos>. */
  choose(logits) {
    return this.rng === null ? argmaxOutside(logits, NEVER_FROM, NEVER_TO) : this.sample(logits);
  }

  sample(logits) {
    const cumulative = cumulativeDistribution(logits, this.sampling);
    const draw = this.rng.random() * cumulative[cumulative.length - 1];
    return cumulative.findIndex((mass) => mass > draw); // the first token whose mass covers the draw
  }
}

/** Index of the first largest value outside ids [from, to) (numpy's argmax after masking them with -inf). */
function argmaxOutside(values, from, to) {
  let best = from === 0 ? to : 0;
  for (let i = best + 1; i < values.length; i++) {
    if ((i < from || i >= to) && values[i] > values[best]) best = i;
  }
  return best;
}

/** The running sum of the probabilities the sampling options give (Float64Array, not normalized). */
export function cumulativeDistribution(logits, sampling) {
  const size = logits.length;
  const scores = Float64Array.from(logits);
  scores.fill(-Infinity, NEVER_FROM, NEVER_TO);
  // Shifted to ≤ 0 before dividing: a tiny temperature sends unlikely words to -inf, never the best to inf.
  const top = maximum(scores);
  for (let i = 0; i < size; i++) scores[i] = (scores[i] - top) / sampling.temperature;
  if (sampling.topK > 0 && sampling.topK < size) {
    const kth = Float64Array.from(scores).sort()[size - sampling.topK]; // the k-th largest score; ties stay in
    for (let i = 0; i < size; i++) if (scores[i] < kth) scores[i] = -Infinity;
  }
  let probabilities = new Float64Array(size);
  const shift = maximum(scores);
  for (let i = 0; i < size; i++) probabilities[i] = Math.exp(scores[i] - shift);
  divideBy(probabilities, sum(probabilities));
  if (sampling.topP < 1.0) {
    // Keep the smallest set of likeliest words whose mass reaches top-p.
    const order = Array.from(probabilities.keys()).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
    const kept = new Float64Array(size);
    let before = 0.0;
    for (const id of order) {
      const mass = before + probabilities[id];
      if (!(mass - probabilities[id] >= sampling.topP)) kept[id] = probabilities[id];
      before = mass;
    }
    probabilities = kept;
    divideBy(probabilities, sum(probabilities));
  }
  for (let i = 1; i < size; i++) probabilities[i] += probabilities[i - 1];
  return probabilities;
}

function maximum(values) {
  let best = -Infinity;
  for (const value of values) if (value > best) best = value;
  return best;
}

function sum(values) {
  let total = 0.0;
  for (const value of values) total += value;
  return total;
}

function divideBy(values, divisor) {
  for (let i = 0; i < values.length; i++) values[i] /= divisor;
}
