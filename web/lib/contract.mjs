// The ONNX contract between lstm-export and the runtimes, as in runtime/contract.py: tensor names and
// metadata keys. Python's file is the source of truth; tests/test_web.py checks that these agree with it.

export const FORMAT_VERSION = 1;

export const INPUT_IDS = "input_ids";
export const LOGITS = "logits";

export const KEY_FORMAT_VERSION = "lstm_edge.format_version";
export const KEY_TOKENIZER = "lstm_edge.tokenizer";
export const KEY_TOKENIZER_SHA256 = "lstm_edge.tokenizer_sha256";
export const KEY_ARCHITECTURE = "lstm_edge.architecture";
export const KEY_GENERATION = "lstm_edge.generation";
export const KEY_TRAINING = "lstm_edge.training";
export const KEY_VERSIONS = "lstm_edge.versions";
export const KEY_QUANTIZATION = "lstm_edge.quantization";
export const REQUIRED_KEYS = [
  KEY_FORMAT_VERSION,
  KEY_TOKENIZER,
  KEY_TOKENIZER_SHA256,
  KEY_ARCHITECTURE,
  KEY_GENERATION,
];

/** State input names in graph order: h_in_0, c_in_0, h_in_1, c_in_1, … */
export function stateInputs(layers) {
  return Array.from({ length: layers }, (_, i) => [`h_in_${i}`, `c_in_${i}`]).flat();
}

export function stateOutputs(layers) {
  return Array.from({ length: layers }, (_, i) => [`h_out_${i}`, `c_out_${i}`]).flat();
}

export function graphInputs(layers) {
  return [INPUT_IDS, ...stateInputs(layers)];
}

export function graphOutputs(layers) {
  return [LOGITS, ...stateOutputs(layers)];
}

export const DEFAULT_WORDS = 10; // the tutorial's budget
export const MAX_WORDS = 1000; // per prompt and call
