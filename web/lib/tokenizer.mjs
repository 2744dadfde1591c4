// Word-level tokenizer: a faithful port of runtime/tokenizer.py (tests/test_web.py checks parity).
//
//     "A cream Coat, off-the-shoulder!"  ->  ["a", "cream", "coat", ",", "off-the-shoulder", "!"]
//
// - Normalize: NFKC, lowercase; curly apostrophes and Unicode hyphens become ' and -.
// - Words are runs of letters and digits, joined by inner hyphens or apostrophes.
// - `. , ! ? ; :` are tokens of their own; everything else is dropped.
// - Ids: <pad>=0, <unk>=1, <bos>=2, <eos>=3, then the vocabulary that travels in the model file.
//
// Python and JavaScript differ in places that matter here; each is handled where it arises:
// - Python indexes strings by code point, JavaScript by UTF-16 unit (`firstCodePoint`).
// - Python's `[^\W_]` (letters and digits of `str.isalnum`) is `[\p{L}\p{N}]` with the `u` flag.
// - `str.lstrip()` strips Python's whitespace set, not JavaScript's `trimStart` set.
// Both sides follow their own Unicode version (Python's unicodedata, the engine's ICU): characters
// assigned after the older of the two may tokenize differently.

import { TokenizerError } from "./errors.mjs";

export const PAD = "<pad>";
export const UNK = "<unk>";
export const BOS = "<bos>";
export const EOS = "<eos>";
export const SPECIAL_TOKENS = [PAD, UNK, BOS, EOS];
export const [PAD_ID, UNK_ID, BOS_ID, EOS_ID] = [0, 1, 2, 3];
export const PUNCTUATION = ".,!?;:";
export const SENTENCE_END = ".!?";
export const TOKENIZER_FORMAT = "lstm-edge-tokenizer";
export const TOKENIZER_VERSION = 1;

// The English pronoun is written in capitals wherever it stands; its tokens stay lowercase.
export const PRONOUN_I = Object.freeze({ i: "I", "i'm": "I'm", "i've": "I've", "i'd": "I'd", "i'll": "I'll" });

const JOINERS = new Map([
  ["\u2019", "'"], // ’
  ["\u2018", "'"], // ‘
  ["\u02BC", "'"], // ʼ
  ["\u2010", "-"], // ‐
  ["\u2011", "-"], // ‑
  ["\u2012", "-"], // ‒
  ["\u2013", "-"], // –
]);
const JOINER_RE = /[\u2019\u2018\u02BC\u2010\u2011\u2012\u2013]/gu;
const TOKEN_RE = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*|[.,!?;:]/gu;
// str.isspace(): Unicode White_Space plus the separators \x1c-\x1f (U+FEFF is not one, unlike in trimStart).
const PYTHON_LEADING_SPACE = /^[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** NFKC + lowercase, repeated until stable (lowercasing can leave text that NFKC changes again). */
export function normalize(text) {
  for (let round = 0; round < 4; round++) {
    const normalized = text
      .normalize("NFKC")
      .toLowerCase()
      .replace(JOINER_RE, (joiner) => JOINERS.get(joiner));
    if (normalized === text) break;
    text = normalized;
  }
  return text;
}

/** Split text into word and punctuation tokens (strings), following the rules above. */
export function splitWords(text) {
  return Array.from(normalize(text).matchAll(TOKEN_RE), (match) => match[0]);
}

/**
 * Join tokens into text: punctuation sticks to the word before it, sentence starts and the pronoun
 * "I" (I'm, I've, I'd, I'll) are capitalized. The tokens themselves stay as the model knows them.
 */
export function detokenize(words) {
  return Array.from(detokenizePieces(words)).join("").replace(PYTHON_LEADING_SPACE, "");
}

/**
 * The text of each token in turn, with its leading space, as if `previous` were already printed:
 * what a stream prints word by word.
 */
export function* detokenizePieces(words, previous = []) {
  let first = previous.length === 0;
  let sentenceStart = first || SENTENCE_END.includes(previous[previous.length - 1]);
  for (const word of words) {
    // `includes` is a substring test, as Python's `in` on a str.
    if (PUNCTUATION.includes(word)) {
      yield word;
      sentenceStart = SENTENCE_END.includes(word);
    } else {
      const written = Object.hasOwn(PRONOUN_I, word) ? PRONOUN_I[word] : sentenceStart ? capitalize(word) : word;
      yield (first ? "" : " ") + written;
      sentenceStart = false;
    }
    first = false;
  }
}

/** Only when it survives normalization unchanged, so detokenize(tokenize(x)) stays a fixed point. */
function capitalize(word) {
  const first = firstCodePoint(word);
  const capital = first.toUpperCase();
  return normalize(capital) === first ? capital + word.slice(first.length) : word;
}

function firstCodePoint(text) {
  return String.fromCodePoint(text.codePointAt(0));
}

/** Maps text to ids and back with a fixed vocabulary (id order = list order). */
export class Tokenizer {
  constructor(vocabulary, { minCount = 1, maxSize = null } = {}) {
    this.vocabulary = Array.from(vocabulary);
    if (SPECIAL_TOKENS.some((token, i) => this.vocabulary[i] !== token)) {
      throw new TokenizerError(`vocabulary must start with ${SPECIAL_TOKENS.join(", ")}`);
    }
    this.ids = new Map(this.vocabulary.map((word, i) => [word, i]));
    if (this.ids.size !== this.vocabulary.length) {
      throw new TokenizerError("vocabulary has duplicate entries");
    }
    this.minCount = minCount;
    this.maxSize = maxSize;
  }

  get size() {
    return this.vocabulary.length;
  }

  /** Ids of `text`; words outside the vocabulary become <unk> and are listed in `unknownWords`. */
  encode(text, { addBos = false, addEos = false } = {}) {
    const ids = addBos ? [BOS_ID] : [];
    const unknownWords = [];
    for (const word of splitWords(text)) {
      const id = this.ids.get(word) ?? UNK_ID;
      if (id === UNK_ID) unknownWords.push(word);
      ids.push(id);
    }
    if (addEos) ids.push(EOS_ID);
    return { ids, unknownWords };
  }

  /** Text of `ids`; reserved tokens and ids outside the vocabulary are skipped. */
  decode(ids) {
    return detokenize(this.words(ids));
  }

  /** The vocabulary words of `ids`, reserved tokens and out-of-range ids left out. */
  words(ids) {
    return Array.from(ids)
      .filter((id) => SPECIAL_TOKENS.length <= id && id < this.vocabulary.length)
      .map((id) => this.vocabulary[id]);
  }

  static fromJSON(document) {
    let data;
    try {
      data = JSON.parse(document);
    } catch (error) {
      throw new TokenizerError(`tokenizer is not valid JSON (${error.message})`);
    }
    return Tokenizer.fromDocument(data);
  }

  /** The tokenizer of a parsed `to_json` document; anything else throws TokenizerError. */
  static fromDocument(data) {
    if (data === null || typeof data !== "object" || Array.isArray(data) || data.format !== TOKENIZER_FORMAT) {
      throw new TokenizerError(`tokenizer JSON is not of format '${TOKENIZER_FORMAT}'`);
    }
    if (data.version !== TOKENIZER_VERSION) {
      const shown = pythonStr(data.version).slice(0, 20);
      throw new TokenizerError(`tokenizer version '${shown}' is not supported (expected ${TOKENIZER_VERSION})`);
    }
    const vocabulary = data.vocabulary;
    if (!Array.isArray(vocabulary) || !vocabulary.every((word) => typeof word === "string")) {
      throw new TokenizerError("tokenizer JSON has no list of vocabulary strings");
    }
    const minCount = "min_count" in data ? data.min_count : 1;
    const maxSize = "max_size" in data ? data.max_size : null;
    if (!Number.isInteger(minCount) || !(maxSize === null || Number.isInteger(maxSize))) {
      throw new TokenizerError("tokenizer JSON has a min_count or max_size that is not a whole number");
    }
    return new Tokenizer(vocabulary, { minCount, maxSize });
  }
}

/** Python's str() of a JSON value, near enough for a message. */
function pythonStr(value) {
  if (value === undefined || value === null) return "None";
  if (value === true || value === false) return value ? "True" : "False";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
