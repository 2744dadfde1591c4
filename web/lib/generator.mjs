// Text generation from an lstm-edge ONNX file with onnxruntime-web, as runtime/generator.py does it:
//
//     const generator = await Generator.load("models/fashion-lstm.onnx");
//     console.log((await generator.generate("A cream coat")).text);
//
// The prompt (with <bos> in front) is read once with zero state; after that each word costs one step
// of the graph with seq = 1 and the state fed back. Words are chosen greedily by default, after the
// repetition rules the model file recommends (lib/decoding.mjs; `decoding: PLAIN` turns them off);
// <pad>, <unk> and <bos> are never chosen, and <eos> ends the text. Runs of one session are queued, so
// several generations may be awaited at once.

import * as ort from "onnxruntime-web";

import * as contract from "./contract.mjs";
import { Decoding, RepetitionRules, exemptIds } from "./decoding.mjs";
import { GenerationError } from "./errors.mjs";
import { loadModel } from "./model-file.mjs";
import { Chooser, GREEDY, Sampling } from "./sampling.mjs";
import { detokenize, splitWords } from "./tokenizer.mjs";

const { STOP_ID } = contract;

/** A prompt after prefill: reuse it to draw several continuations without reading it again. */
export class PromptState {
  constructor(prompt, words, unknownWords, logits, state, ids) {
    this.prompt = prompt;
    this.words = words; // the prompt's tokens, unknown ones included
    this.ids = ids; // their ids, without <bos> (the repetition rules count them as said)
    this.unknownWords = unknownWords;
    this.logits = logits; // Float32Array (V,): next-word logits
    this.state = state; // ort.Tensor per state input, [1, H]
  }
}

export class Generation {
  constructor(prompt, text, words, unknownWords, stopReason) {
    this.prompt = prompt;
    this.text = text; // prompt and continuation, detokenized
    this.words = words; // generated tokens
    this.unknownWords = unknownWords;
    this.stopReason = stopReason; // "eos" or "max_words"
  }

  /** The object `lstm-gen --json` prints. */
  toJSON() {
    return {
      prompt: this.prompt,
      text: this.text,
      words: this.words,
      unknown_words: this.unknownWords,
      stop_reason: this.stopReason,
    };
  }
}

/** Greedy or sampled generation from one model file; one onnxruntime-web session, created once. */
export class Generator {
  /** @param source see loadModel: a URL, a path (Node) or the file's bytes */
  static async load(source, options = {}) {
    return new Generator(await loadModel(source, options));
  }

  constructor(model) {
    this.model = model;
    this.tokenizer = model.tokenizer;
    this.spec = model.spec;
    this.session = model.session;
    this.queue = Promise.resolve(); // one run of the session at a time
    this.decoding = Decoding.fromMetadata(model.generation ?? {}); // the file's recommendation
    this.exempt = exemptIds(this.tokenizer);
  }

  // --- prompts ---

  /** Read each prompt once. */
  async prefill(prompts) {
    const states = [];
    for (const prompt of prompts) {
      const encoding = this.tokenizer.encode(prompt, { addBos: true });
      const { logits, state } = await this.run(encoding.ids, this.zeroState());
      const ids = encoding.ids.slice(1);
      states.push(new PromptState(prompt, splitWords(prompt), encoding.unknownWords, logits, state, ids));
    }
    return states;
  }

  // --- generation ---

  /** Continue one prompt (text or PromptState) by up to `maxWords` words, stopping early at <eos>. */
  async generate(prompt, { maxWords = contract.DEFAULT_WORDS, sampling = GREEDY, decoding = null } = {}) {
    return (await this.generateMany([prompt], { maxWords, sampling, decoding }))[0];
  }

  /** Continue many prompts, one after another (each seeded one draws as if it were alone, as in Python). */
  async generateMany(prompts, { maxWords = contract.DEFAULT_WORDS, sampling = GREEDY, decoding = null } = {}) {
    checkBudget(maxWords);
    const chosen = Sampling.from(sampling);
    const rules = this.checkedDecoding(decoding);
    const generations = [];
    for (const prompt of prompts) {
      const state = await this.promptState(prompt);
      const tokens = [];
      for await (const token of this.decode(state, maxWords, chosen, rules)) tokens.push(token);
      generations.push(this.generation(state, tokens));
    }
    return generations;
  }

  /** Yield generated words one at a time as they are decided (<eos> ends the stream). */
  stream(prompt, { maxWords = contract.DEFAULT_WORDS, sampling = GREEDY, decoding = null } = {}) {
    checkBudget(maxWords);
    const chosen = Sampling.from(sampling);
    const rules = this.checkedDecoding(decoding);
    const generator = this;
    return (async function* words() {
      for await (const token of generator.decode(await generator.promptState(prompt), maxWords, chosen, rules)) {
        if (token === STOP_ID) return;
        yield generator.tokenizer.vocabulary[token];
      }
    })();
  }

  async promptState(prompt) {
    return prompt instanceof PromptState ? prompt : (await this.prefill([prompt]))[0];
  }

  /** The decoding to use (the file's unless given), refused if this port cannot do it. */
  checkedDecoding(decoding) {
    const chosen = decoding === null ? this.decoding : decoding instanceof Decoding ? decoding : new Decoding(decoding);
    if (chosen.beams > 1) {
      throw new GenerationError(`beam search (${chosen.beams} beams) is not in the web port; pass decoding: PLAIN`);
    }
    return chosen;
  }

  /** Yield the next token, step by step, until <eos> (yielded too) or the budget. */
  async *decode(prompt, maxWords, sampling, decoding = this.decoding) {
    const chooser = new Chooser(sampling);
    const rules = decoding.hasRules ? new RepetitionRules(decoding, prompt.ids, this.exempt) : null;
    let { logits, state } = prompt;
    for (let step = 0; step < maxWords; step++) {
      let scores = logits;
      if (rules !== null) {
        scores = Float32Array.from(logits); // the prompt's logits are reused by later calls: never changed
        rules.apply(scores);
      }
      const token = chooser.choose(scores);
      rules?.add(token);
      yield token;
      if (token === STOP_ID || step === maxWords - 1) return;
      ({ logits, state } = await this.run([token], state));
    }
  }

  generation(prompt, tokens) {
    const end = tokens.indexOf(STOP_ID);
    const stopReason = end >= 0 ? "eos" : "max_words";
    const words = (end >= 0 ? tokens.slice(0, end) : tokens).map((token) => this.tokenizer.vocabulary[token]);
    return new Generation(
      prompt.prompt,
      detokenize([...prompt.words, ...words]),
      words,
      prompt.unknownWords,
      stopReason,
    );
  }

  // --- the session ---

  /** One run of the step graph for one row: ids (T,) and state → next-word logits (V,) and the new state. */
  run(ids, state) {
    const feeds = { [contract.INPUT_IDS]: new ort.Tensor(contract.IDS_DTYPE, BigInt64Array.from(ids, BigInt), [1, ids.length]) };
    this.spec.stateInputs.forEach((name, i) => {
      feeds[name] = state[i];
    });
    const result = this.queue.then(async () => {
      const outputs = await this.session.run(feeds);
      return { logits: outputs[contract.LOGITS].data, state: this.spec.stateOutputs.map((name) => outputs[name]) };
    });
    this.queue = result.catch(() => {});
    return result;
  }

  zeroState() {
    return this.spec.stateSizes.map((size) => new ort.Tensor(contract.FLOAT_DTYPE, new Float32Array(size), [1, size]));
  }
}

function checkBudget(maxWords) {
  if (!(Number.isInteger(maxWords) && maxWords >= 0 && maxWords <= contract.MAX_WORDS)) {
    throw new GenerationError(`max_words must be between 0 and ${contract.MAX_WORDS}, got ${maxWords}`);
  }
}

