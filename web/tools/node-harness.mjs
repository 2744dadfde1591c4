// Runs the module under Node for tests/test_web.py and benchmarks/browser.py: a JSON request on stdin,
// a JSON answer on stdout. Operations:
//   {"op": "tokenize", "tokenizer": JSON, "texts": [...]}        normalize, split, detokenize, encode each text
//   {"op": "detokenize", "cases": [{words, previous}]}            detokenize, and the pieces a stream prints
//   {"op": "probe", "characters": [...]}                          NFKC, lower, upper, word class of each
//   {"op": "constants"}                                           the contract's constants and a few specs
//   {"op": "random", "seeds": [...], "count": n}                  numpy's default_rng(seed).random(n)
//   {"op": "sample", "cases": [{logits, sampling, steps}]}        seeded choices from the same logits
//   {"op": "generate", "model", "prompts", "maxWords", "sampling", "seeds", "logits", "stream", "decoding"}
//                                                                 seeds: one per prompt, replacing sampling's
//   {"op": "concurrent", "model", "prompts", "maxWords"}           texts generated one by one, all at once, and
//                                                                 from interleaved streams
//   {"op": "load", "models": [...]}                               the error (class, message) of each load
//   {"op": "options", "model", "cases": [{maxWords, sampling}]}   the error of each generate call
//   {"op": "first-load", "model"}                                 the first load of this process (runtime start)
//   {"op": "bench-round", "model", "prompts", "maxWords"}         one timed pass: per-word time, one more load
// Seeds travel as decimal strings (they may exceed 2**53). With --lines, every stdin line is a request
// and every answer a line (benchmarks/browser.py keeps one process for its rounds).

import { createInterface } from "node:readline";
import { text } from "node:stream/consumers";

import {
  Chooser,
  Generator,
  LstmEdgeError,
  ModelSpec,
  NumpyRandom,
  Tokenizer,
  contract,
  detokenize,
  detokenizePieces,
  loadModel,
  normalize,
  splitWords,
} from "../lstm-edge.mjs";
import * as tokenizerModule from "../lib/tokenizer.mjs";

const operations = {
  tokenize({ tokenizer, texts }) {
    const vocabulary = Tokenizer.fromJSON(tokenizer);
    return texts.map((input) => {
      const words = splitWords(input);
      const encoding = vocabulary.encode(input, { addBos: true });
      return {
        normalized: normalize(input),
        words,
        detokenized: detokenize(words),
        ids: encoding.ids,
        unknown_words: encoding.unknownWords,
      };
    });
  },

  detokenize({ cases }) {
    return cases.map(({ words, previous }) => ({
      text: detokenize(words),
      pieces: Array.from(detokenizePieces(words, previous)),
    }));
  },

  probe({ characters }) {
    return characters.map((character) => [
      character.normalize("NFKC"),
      character.toLowerCase(),
      character.toUpperCase(),
      /^[\p{L}\p{N}]$/u.test(character),
    ]);
  },

  constants() {
    const upper = (module) => Object.fromEntries(Object.entries(module).filter(([name]) => /^[A-Z0-9_]+$/.test(name)));
    const constants = upper(contract);
    const specs = [[872, 64, [128, 64], 64], [30, 8, [16], 4], [5, 2, [3, 4, 5], 6]].map((sizes) => {
      const spec = new ModelSpec(...sizes);
      return {
        inputs: spec.graphInputs,
        outputs: spec.graphOutputs,
        input_shapes: spec.inputShapes(),
        output_shapes: spec.outputShapes(),
        state_sizes: spec.stateSizes,
      };
    });
    const twin = contract.int8Twin("models/fashion-lstm.onnx");
    return { constants, tokenizer: upper(tokenizerModule), specs, int8_twin: twin };
  },

  random({ seeds, count }) {
    return seeds.map((seed) => {
      const rng = new NumpyRandom(BigInt(seed));
      return Array.from({ length: count }, () => rng.random());
    });
  },

  sample({ cases }) {
    return cases.map(({ logits, sampling, steps }) => {
      const chooser = new Chooser(samplingOf(sampling));
      const row = Float32Array.from(logits);
      return Array.from({ length: steps }, () => chooser.choose(row));
    });
  },

  async generate({ model, prompts, maxWords = 10, sampling = null, seeds = null, logits = false, stream = false, decoding = null }) {
    const generator = await Generator.load(model);
    const results = [];
    for (const [i, prompt] of prompts.entries()) {
      const options = { maxWords, sampling: samplingOf(seeds ? { ...sampling, seed: seeds[i] } : sampling), decoding };
      const [state] = await generator.prefill([prompt]);
      const result = (await generator.generate(state, options)).toJSON();
      if (logits) result.first_logits = Array.from(state.logits);
      if (stream) {
        result.streamed = [];
        for await (const word of generator.stream(prompt, options)) result.streamed.push(word);
      }
      results.push(result);
    }
    return results;
  },

  async concurrent({ model, prompts, maxWords }) {
    const generator = await Generator.load(model);
    const sequential = [];
    for (const prompt of prompts) sequential.push((await generator.generate(prompt, { maxWords })).text);
    const together = await Promise.all(prompts.map((prompt) => generator.generate(prompt, { maxWords })));
    const streams = prompts.map((prompt) => generator.stream(prompt, { maxWords }));
    const streamed = prompts.map(() => []);
    for (let open = streams.length; open > 0; ) {
      open = 0;
      for (const [i, stream] of streams.entries()) {
        const next = await stream.next();
        if (!next.done) {
          streamed[i].push(next.value);
          open += 1;
        }
      }
    }
    return { sequential, concurrent: together.map((generation) => generation.text), interleaved: streamed };
  },

  async load({ models }) {
    const results = [];
    for (const model of models) {
      try {
        const loaded = await loadModel(model);
        results.push({ ok: true, vocabulary_size: loaded.tokenizer.size, info: loaded.info() });
      } catch (error) {
        results.push(errorOf(error));
      }
    }
    return results;
  },

  async options({ model, cases }) {
    const generator = await Generator.load(model);
    const results = [];
    for (const { maxWords, sampling } of cases) {
      try {
        results.push({ ok: true, text: (await generator.generate("A coat", { maxWords, sampling })).text });
      } catch (error) {
        results.push(errorOf(error));
      }
    }
    return results;
  },

  async "first-load"({ model }) {
    const started = performance.now();
    await Generator.load(model);
    return { first_load_ms: performance.now() - started };
  },

  async "bench-round"({ model, prompts, maxWords }) {
    if (!generators.has(model)) generators.set(model, await Generator.load(model));
    const generator = generators.get(model);
    let words = 0;
    const begin = performance.now();
    for (const prompt of prompts) words += (await generator.generate(prompt, { maxWords })).words.length;
    const perWord = (performance.now() - begin) / words;
    return { per_word_ms: perWord, load_ms: (await loadModel(model)).timings.total };
  },
};

const generators = new Map(); // model → Generator, kept between bench rounds

function samplingOf(sampling) {
  if (!sampling) return undefined;
  const { temperature = 0, top_k: topK = 0, top_p: topP = 1, seed = null } = sampling;
  return { temperature, topK, topP, seed: seed === null ? null : BigInt(seed) };
}

function errorOf(error) {
  if (!(error instanceof LstmEdgeError)) throw error;
  return { ok: false, error: error.name, message: error.message };
}

if (process.argv.includes("--lines")) {
  for await (const line of createInterface({ input: process.stdin })) {
    const request = JSON.parse(line);
    process.stdout.write(`${JSON.stringify(await operations[request.op](request))}\n`);
  }
} else {
  const request = JSON.parse(await text(process.stdin));
  process.stdout.write(JSON.stringify(await operations[request.op](request)));
}
