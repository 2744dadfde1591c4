// numpy's default generator, `np.random.default_rng(seed).random()`, in JavaScript: SeedSequence
// (numpy/random/bit_generator.pyx) seeds PCG64 (XSL-RR 128/64, numpy/random/src/pcg64), and a double is
// the top 53 bits of a 64-bit output. The same seed draws the same numbers as Python, to the bit.

const MASK32 = 0xffffffff;
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL_SIZE = 4;

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
const PCG_MULTIPLIER = (2549297995355413924n << 64n) + 4865540595714422341n;

/** The entropy pool of `SeedSequence(seed)` for a non-negative integer seed (no spawn key). */
function seedSequencePool(seed) {
  let n = BigInt(seed);
  if (n < 0n) throw new RangeError("seed must be a non-negative integer");
  const entropy = [];
  if (n === 0n) entropy.push(0);
  for (; n > 0n; n >>= 32n) entropy.push(Number(n & BigInt(MASK32)));

  let hashConst = INIT_A;
  const hashmix = (value) => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x, y) => {
    const result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (result ^ (result >>> 16)) >>> 0;
  };
  const pool = new Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0);
  for (let source = 0; source < POOL_SIZE; source++) {
    for (let target = 0; target < POOL_SIZE; target++) {
      if (source !== target) pool[target] = mix(pool[target], hashmix(pool[source]));
    }
  }
  for (let source = POOL_SIZE; source < entropy.length; source++) {
    for (let target = 0; target < POOL_SIZE; target++) pool[target] = mix(pool[target], hashmix(entropy[source]));
  }
  return pool;
}

/** `SeedSequence.generate_state(n, np.uint64)`: 2n 32-bit words, paired little-endian. */
function generateState64(pool, count) {
  let hashConst = INIT_B;
  const words = [];
  for (let i = 0; i < 2 * count; i++) {
    let value = (pool[i % POOL_SIZE] ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_B) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    words.push((value ^ (value >>> 16)) >>> 0);
  }
  return Array.from({ length: count }, (_, i) => BigInt(words[2 * i]) | (BigInt(words[2 * i + 1]) << 32n));
}

function randomSeed() {
  const words = new Uint32Array(4);
  globalThis.crypto.getRandomValues(words);
  return words.reduce((seed, word) => (seed << 32n) | BigInt(word), 0n);
}

export class NumpyRandom {
  /** @param {number|bigint|null} seed a non-negative integer, as Python's `default_rng(seed)`; null: fresh entropy */
  constructor(seed = null) {
    const [seedHigh, seedLow, incHigh, incLow] = generateState64(seedSequencePool(seed ?? randomSeed()), 4);
    this.increment = ((((incHigh << 64n) | incLow) << 1n) | 1n) & MASK128;
    this.state = 0n;
    this.step();
    this.state = (this.state + ((seedHigh << 64n) | seedLow)) & MASK128;
    this.step();
  }

  step() {
    this.state = (this.state * PCG_MULTIPLIER + this.increment) & MASK128;
  }

  /** The next 64-bit output (a BigInt): step, then XSL-RR. */
  nextUint64() {
    this.step();
    const rotation = this.state >> 122n;
    const value = ((this.state >> 64n) ^ this.state) & MASK64;
    return ((value >> rotation) | (value << ((64n - rotation) & 63n))) & MASK64;
  }

  /** A double in [0, 1): `rng.random()`. */
  random() {
    return Number(this.nextUint64() >> 11n) * (1.0 / 9007199254740992.0);
  }
}
