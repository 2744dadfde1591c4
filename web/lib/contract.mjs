// The ONNX contract between lstm-export and the runtimes: a port of runtime/contract.py, which is the
// source of truth (tests/test_web.py checks that every constant here equals Python's).
//
//     input_ids  int64   [batch, sequence]   h_in_i, c_in_i   float32 [batch, hidden_i]   (per LSTM layer i)
//     logits     float32 [batch, vocab]      h_out_i, c_out_i float32 [batch, hidden_i]

import { ModelFileError } from "./errors.mjs";
import { BOS, BOS_ID, EOS_ID, PAD, PAD_ID, UNK } from "./tokenizer.mjs";

export { BOS, BOS_ID, EOS_ID, PAD, PAD_ID, UNK };

export const FORMAT_VERSION = 1;

export const INPUT_IDS = "input_ids";
export const LOGITS = "logits";
export const IDS_DTYPE = "int64";
export const FLOAT_DTYPE = "float32"; // logits and state

export const KEY_FORMAT_VERSION = "lstm_edge.format_version";
export const KEY_TOKENIZER = "lstm_edge.tokenizer";
export const KEY_TOKENIZER_SHA256 = "lstm_edge.tokenizer_sha256";
export const KEY_ARCHITECTURE = "lstm_edge.architecture";
export const KEY_GENERATION = "lstm_edge.generation";
export const KEY_TRAINING = "lstm_edge.training";
export const KEY_VERSIONS = "lstm_edge.versions";
export const KEY_QUANTIZATION = "lstm_edge.quantization";
export const REQUIRED_KEYS = [KEY_FORMAT_VERSION, KEY_TOKENIZER, KEY_TOKENIZER_SHA256, KEY_ARCHITECTURE, KEY_GENERATION];

// --- tokens ---

export const STOP_ID = EOS_ID; // generation ends when the model picks it
export const NEVER_EMITTED = [PAD_ID, BOS_ID + 1]; // ids [start, stop): <pad>, <unk>, <bos>, masked before every choice
export const NEVER_EMITTED_TOKENS = [PAD, UNK, BOS];

// --- generation ---

export const DEFAULT_WORDS = 10; // the tutorial's budget
export const MAX_WORDS = 1000; // per prompt and call
// Decoding rules' limits (runtime/decoding.py; lib/decoding.mjs: the rules, beam search not in this port).
export const MAX_PENALTY = 10.0; // repetition penalty (1 = off)
export const MAX_NGRAM = 20; // no-repeat n-gram size (0 = off)
export const MAX_BEAMS = 32; // beam search (1 = off)

// --- files ---

export const ONNX_SUFFIX = ".onnx";
export const INT8_SUFFIX = ".int8.onnx";
export const MAX_MODEL_BYTES = 512 * 1024 * 1024; // far above any model of this family

/** Where the int8 twin of the float32 model at `path` lives: `NAME.onnx` → `NAME.int8.onnx`. */
export function int8Twin(path) {
  return (path.endsWith(ONNX_SUFFIX) ? path.slice(0, -ONNX_SUFFIX.length) : path) + INT8_SUFFIX;
}

// --- what a model file may contain: the operators (and attributes) our exporter writes ---

export const ONNX_DOMAIN = "";
export const MICROSOFT_DOMAIN = "com.microsoft";
export const ALLOWED_OPERATORS = [
  // [domain, operator, attributes]
  [ONNX_DOMAIN, "Gather", ["axis"]],
  [ONNX_DOMAIN, "Transpose", ["perm"]],
  [ONNX_DOMAIN, "Squeeze", []],
  [ONNX_DOMAIN, "Unsqueeze", []],
  [ONNX_DOMAIN, "Constant", ["value"]],
  [ONNX_DOMAIN, "LSTM", ["hidden_size"]],
  [ONNX_DOMAIN, "MatMul", []],
  [ONNX_DOMAIN, "Add", []],
  [ONNX_DOMAIN, "Relu", []],
  // the int8 twin (onnxruntime's dynamic quantization)
  [MICROSOFT_DOMAIN, "DynamicQuantizeLSTM", ["hidden_size"]],
  [ONNX_DOMAIN, "DynamicQuantizeLinear", []],
  [ONNX_DOMAIN, "MatMulInteger", []],
  [ONNX_DOMAIN, "DequantizeLinear", []],
  [ONNX_DOMAIN, "Cast", ["to"]],
  [ONNX_DOMAIN, "Mul", []],
];
export const ALLOWED_OPSETS = { [ONNX_DOMAIN]: [14, 21], [MICROSOFT_DOMAIN]: [1, 2] }; // domain → versions [from, to)
export const MAX_NODES = 10_000; // ours have about 30; a bound on work done for a hostile file

/** The attributes an operator may have, or undefined when lstm-edge models never use it. */
export function allowedAttributes(domain, opType) {
  return ALLOWED_OPERATORS.find(([d, op]) => d === domain && op === opType)?.[2];
}

// --- the model's shape ---

/** The shape of one model: Embedding(V, E) → LSTM(H_0) → … → LSTM(H_n) → Dense(D, ReLU) → Dense(V). */
export class ModelSpec {
  constructor(vocabSize, embeddingDim, hiddenSizes, denseSize) {
    Object.assign(this, { vocabSize, embeddingDim, hiddenSizes: [...hiddenSizes], denseSize });
    Object.freeze(this);
  }

  get layers() {
    return this.hiddenSizes.length;
  }

  /** h_in_0, c_in_0, h_in_1, c_in_1, … (graph order). */
  get stateInputs() {
    return this.hiddenSizes.flatMap((_, i) => [`h_in_${i}`, `c_in_${i}`]);
  }

  get stateOutputs() {
    return this.hiddenSizes.flatMap((_, i) => [`h_out_${i}`, `c_out_${i}`]);
  }

  /** The width of each state tensor, in the order of `stateInputs`. */
  get stateSizes() {
    return this.hiddenSizes.flatMap((size) => [size, size]);
  }

  get graphInputs() {
    return [INPUT_IDS, ...this.stateInputs];
  }

  get graphOutputs() {
    return [LOGITS, ...this.stateOutputs];
  }

  /** Every graph input's shape, symbolic axes by name. */
  inputShapes() {
    const shapes = { [INPUT_IDS]: ["batch", "sequence"] };
    this.stateInputs.forEach((name, i) => (shapes[name] = ["batch", this.stateSizes[i]]));
    return shapes;
  }

  outputShapes() {
    const shapes = { [LOGITS]: ["batch", this.vocabSize] };
    this.stateOutputs.forEach((name, i) => (shapes[name] = ["batch", this.stateSizes[i]]));
    return shapes;
  }

  /**
   * Read the `architecture` document; a missing or non-integer size throws ModelFileError.
   * (JSON.parse cannot tell 872.0 from 872, which Python's reader refuses: a difference only a
   * hand-edited file could show.)
   */
  static fromArchitecture(document) {
    const problem = `metadata ${KEY_ARCHITECTURE} is incomplete`;
    if (document === null || typeof document !== "object" || Array.isArray(document)) throw new ModelFileError(problem);
    const sizes = document.hidden_sizes;
    if (sizes === undefined || !("vocab_size" in document && "embedding_dim" in document && "dense_size" in document)) {
      throw new ModelFileError(problem);
    }
    const sane = (v) => Number.isInteger(v) && v > 0 && v <= 10_000_000;
    const values = [document.vocab_size, document.embedding_dim, document.dense_size];
    if (!Array.isArray(sizes) || !values.every(sane) || !sizes.every(sane)) throw new ModelFileError(problem);
    if (!sizes.length) throw new ModelFileError("architecture has no LSTM layers");
    return new ModelSpec(document.vocab_size, document.embedding_dim, sizes, document.dense_size);
  }
}
