// lstm-edge in JavaScript: the same .onnx file as the Python runtime, run by onnxruntime-web, in a
// browser or in Node. The same small API as `lstm_edge.runtime`:
//
//     import { Generator } from "./lstm-edge.mjs";
//     const generator = await Generator.load("models/fashion-lstm.onnx");   // a URL, a path (Node) or bytes
//     console.log((await generator.generate("A cream coat")).text);          // greedy, 10 words
//     for await (const word of generator.stream("A wool coat", { maxWords: 20 })) console.log(word);
//     const sampling = { temperature: 0.8, topK: 20, seed: 1 };              // Python's draws for seed 1
//     console.log((await generator.generate("A silk scarf", { sampling })).text);
//     // the repetition rules the file recommends apply by default; { decoding: PLAIN } turns them off

export * as contract from "./lib/contract.mjs";
export { Decoding, PLAIN, RepetitionRules } from "./lib/decoding.mjs";
export { GenerationError, LstmEdgeError, ModelFileError, TokenizerError, VocabularyMismatch } from "./lib/errors.mjs";
export { Generation, Generator, PromptState } from "./lib/generator.mjs";
export { ModelSpec } from "./lib/contract.mjs";
export { ModelFile, loadModel } from "./lib/model-file.mjs";
export { ForbiddenContent, ProtoError } from "./lib/onnx-proto.mjs";
export { NumpyRandom } from "./lib/numpy-random.mjs";
export { Chooser, GREEDY, Sampling, cumulativeDistribution } from "./lib/sampling.mjs";
export {
  BOS_ID,
  EOS_ID,
  PAD_ID,
  SPECIAL_TOKENS,
  Tokenizer,
  UNK_ID,
  detokenize,
  detokenizePieces,
  normalize,
  splitWords,
} from "./lib/tokenizer.mjs";
