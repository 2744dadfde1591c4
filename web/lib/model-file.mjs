// Loading an lstm-edge ONNX file, as runtime/model_file.py does: vet the bytes, read the metadata,
// check the tokenizer's sha256, open one onnxruntime-web session, check the graph's signature.
// Every refusal is a ModelFileError whose message names the file and the problem in one line.

import * as ort from "onnxruntime-web";

import * as contract from "./contract.mjs";
import { LstmEdgeError, ModelFileError, TokenizerError, VocabularyMismatch } from "./errors.mjs";
import { ProtoError, summarizeModel } from "./onnx-proto.mjs";
import { sha256Hex } from "./sha256.mjs";
import { Tokenizer } from "./tokenizer.mjs";

const REEXPORT = "re-export it with lstm-export";
const IN_NODE = typeof process !== "undefined" && Boolean(process.versions?.node) && typeof window === "undefined";
const now = () => performance.now();

/** A vetted model: its session, tokenizer, architecture and metadata. */
export class ModelFile {
  constructor(fields) {
    /** @type {string} */ this.name = fields.name; // what errors call it: the path, URL or file name
    this.session = fields.session; // ort.InferenceSession
    /** @type {Tokenizer} */ this.tokenizer = fields.tokenizer;
    this.architecture = fields.architecture; // {vocabSize, embeddingDim, hiddenSizes, denseSize, layers}
    /** @type {Map<string, string>} */ this.metadata = fields.metadata;
    this.generation = fields.generation; // the lstm_edge.generation document
    this.sizeBytes = fields.sizeBytes;
    this.timings = fields.timings; // milliseconds: {read, session, total}
  }

  /** What `lstm-gen --info --json` shows: the metadata, decoded. */
  info() {
    const decoded = { path: this.name, size_bytes: this.sizeBytes };
    for (const key of [...this.metadata.keys()].sort()) {
      const name = key.replace(/^lstm_edge\./, "");
      if (key === contract.KEY_TOKENIZER) {
        decoded.vocabulary_size = this.tokenizer.size;
        continue;
      }
      try {
        decoded[name] = JSON.parse(this.metadata.get(key));
      } catch {
        decoded[name] = this.metadata.get(key);
      }
    }
    return decoded;
  }
}

/**
 * Open a model for generation.
 *
 * @param source a URL or (in Node) a file path, or the file's bytes (Uint8Array, ArrayBuffer, Blob/File)
 * @param options.name what messages call the file when `source` is bytes
 * @param options.threads onnxruntime-web's wasm threads, fixed by the first session of the page or process;
 *   more than one needs cross-origin isolation (COOP/COEP headers) and is slower for a model this small
 */
export async function loadModel(source, { name = undefined, threads = 1 } = {}) {
  const started = now();
  const file = await readSource(source, name);
  const read = now();
  const metadata = vetBytes(file.name, file.bytes);
  const tokenizer = tokenizerOf(file.name, metadata);
  const architecture = architectureOf(file.name, metadata);
  const generation = jsonOf(file.name, metadata, contract.KEY_GENERATION);
  const beforeSession = now();
  const session = await createSession(file.name, file.bytes, threads);
  checkSignature(file.name, session, architecture, tokenizer);
  const finished = now();
  return new ModelFile({
    name: file.name,
    session,
    tokenizer,
    architecture,
    metadata,
    generation,
    sizeBytes: file.bytes.length,
    timings: { read: read - started, session: finished - beforeSession, total: finished - started },
  });
}

async function readSource(source, name) {
  if (source instanceof Uint8Array) return checked({ name: name ?? "model", bytes: source });
  if (source instanceof ArrayBuffer) return checked({ name: name ?? "model", bytes: new Uint8Array(source) });
  if (typeof Blob !== "undefined" && source instanceof Blob) {
    const bytes = new Uint8Array(await source.arrayBuffer());
    return checked({ name: name ?? source.name ?? "model", bytes });
  }
  const location = String(source);
  const label = name ?? location;
  if (IN_NODE && !/^https?:\/\//i.test(location)) return checked({ name: label, bytes: await readFile(label, location) });
  return checked({ name: label, bytes: await fetchBytes(label, location) });
}

function checked(file) {
  if (file.bytes.length === 0) throw new ModelFileError(`${file.name}: the file is empty`);
  return file;
}

async function readFile(label, location) {
  const { readFile: read } = await import("node:fs/promises");
  const { fileURLToPath } = await import("node:url");
  try {
    return new Uint8Array(await read(location.startsWith("file:") ? fileURLToPath(location) : location));
  } catch (error) {
    if (error.code === "ENOENT") throw new ModelFileError(`${label}: no such model file`);
    if (error.code === "EISDIR") throw new ModelFileError(`${label}: is a directory, expected an .onnx file`);
    throw new ModelFileError(`${label}: cannot read (${error.code ?? error.message})`);
  }
}

async function fetchBytes(label, location) {
  let response;
  try {
    response = await fetch(location);
  } catch (error) {
    throw new ModelFileError(`${label}: cannot fetch it (network error: ${error.message})`);
  }
  if (response.status === 404) throw new ModelFileError(`${label}: no such model file (HTTP 404)`);
  if (!response.ok) {
    throw new ModelFileError(`${label}: cannot fetch it (HTTP ${response.status} ${response.statusText})`.trim());
  }
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new ModelFileError(`${label}: cannot fetch it (network error: ${error.message})`);
  }
}

function vetBytes(name, bytes) {
  let summary;
  try {
    summary = summarizeModel(bytes);
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error;
    throw new ModelFileError(`${name}: not an ONNX model, or a truncated one (${error.message})`);
  }
  if (!summary.hasGraph || summary.irVersion === 0) throw new ModelFileError(`${name}: not an ONNX model (no graph)`);
  if (summary.externalData) {
    throw new ModelFileError(
      `${name}: keeps weights in external data files; an lstm-edge model is one self-contained file (${REEXPORT})`,
    );
  }
  const metadata = summary.metadata;
  if (!metadata.has(contract.KEY_FORMAT_VERSION)) {
    throw new ModelFileError(
      `${name}: an ONNX model without lstm-edge metadata; only files from lstm-export can be run`,
    );
  }
  const version = metadata.get(contract.KEY_FORMAT_VERSION);
  if (version !== String(contract.FORMAT_VERSION)) {
    throw new ModelFileError(
      `${name}: model format version '${version}' is not supported (this lstm-edge reads version ` +
        `${contract.FORMAT_VERSION}); ${REEXPORT} from the same lstm-edge release`,
    );
  }
  const missing = contract.REQUIRED_KEYS.filter((key) => !metadata.has(key));
  if (missing.length) throw new ModelFileError(`${name}: metadata lacks ${missing.join(", ")} (${REEXPORT})`);
  return metadata;
}

function jsonOf(name, metadata, key) {
  try {
    return JSON.parse(metadata.get(key));
  } catch {
    throw new ModelFileError(`${name}: metadata ${key} is not valid JSON (${REEXPORT})`);
  }
}

function tokenizerOf(name, metadata) {
  const document = metadata.get(contract.KEY_TOKENIZER);
  if (sha256Hex(new TextEncoder().encode(document)) !== metadata.get(contract.KEY_TOKENIZER_SHA256)) {
    throw new ModelFileError(`${name}: tokenizer does not match its sha256; the file was altered (${REEXPORT})`);
  }
  try {
    return Tokenizer.fromJSON(document);
  } catch (error) {
    if (!(error instanceof TokenizerError)) throw error;
    throw new ModelFileError(`${name}: ${error.message} (${REEXPORT})`);
  }
}

function architectureOf(name, metadata) {
  const data = jsonOf(name, metadata, contract.KEY_ARCHITECTURE);
  const incomplete = () =>
    new ModelFileError(`${name}: metadata ${contract.KEY_ARCHITECTURE} is incomplete (${REEXPORT})`);
  if (data === null || typeof data !== "object" || !Array.isArray(data.hidden_sizes)) throw incomplete();
  const integer = (value) => {
    // Python's int(): a number (truncated) or a string of digits.
    const number = typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isFinite(number)) throw incomplete();
    return Math.trunc(number);
  };
  const hiddenSizes = data.hidden_sizes.map(integer);
  const architecture = {
    vocabSize: integer(data.vocab_size),
    embeddingDim: integer(data.embedding_dim),
    hiddenSizes,
    denseSize: integer(data.dense_size),
    layers: hiddenSizes.length,
  };
  if (!hiddenSizes.length) throw new ModelFileError(`${name}: architecture has no LSTM layers (${REEXPORT})`);
  return architecture;
}

let configuredThreads = null;

async function createSession(name, bytes, threads) {
  if (configuredThreads === null) {
    ort.env.wasm.numThreads = threads;
    ort.env.logLevel = "error";
    configuredThreads = threads;
  }
  try {
    return await ort.InferenceSession.create(bytes, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
      logSeverityLevel: 3, // onnxruntime warnings are not the user's problem
    });
  } catch (error) {
    const detail = firstLine(error);
    if (/no available backend/i.test(detail)) {
      throw new LstmEdgeError(`onnxruntime-web could not start (${detail.slice(0, 300)})`);
    }
    throw new ModelFileError(`${name}: onnxruntime cannot load it (${detail.slice(0, 300)})`);
  }
}

function firstLine(error) {
  const text = String(error?.message ?? error).trim();
  return text ? text.split("\n")[0] : (error?.name ?? "Error");
}

const ORT_TYPE_NAMES = { float32: "float", float64: "double", string: "string" };

function checkSignature(name, session, architecture, tokenizer) {
  const inputs = new Map((session.inputMetadata ?? []).map((entry) => [entry.name, entry]));
  const outputs = new Map((session.outputMetadata ?? []).map((entry) => [entry.name, entry]));
  const layers = architecture.layers;
  const missing = [
    ...contract.graphInputs(layers).filter((input) => !session.inputNames.includes(input)),
    ...contract.graphOutputs(layers).filter((output) => !session.outputNames.includes(output)),
  ];
  if (missing.length) {
    throw new ModelFileError(`${name}: graph lacks ${missing.join(", ")}; it does not follow the lstm-edge contract`);
  }
  if (!inputs.size || !outputs.size) return; // an onnxruntime-web without metadata: the names must do
  const ids = inputs.get(contract.INPUT_IDS);
  if (ids.type !== "int64") {
    throw new ModelFileError(`${name}: input_ids must be int64, not tensor(${ORT_TYPE_NAMES[ids.type] ?? ids.type})`);
  }
  const lastDimension = (entry) => entry.shape[entry.shape.length - 1];
  architecture.hiddenSizes.forEach((size, i) => {
    for (const tensor of [`h_in_${i}`, `c_in_${i}`, `h_out_${i}`, `c_out_${i}`]) {
      const width = lastDimension(inputs.get(tensor) ?? outputs.get(tensor));
      if (width !== size) throw new ModelFileError(`${name}: ${tensor} has width ${width}, the metadata says ${size}`);
    }
  });
  const width = lastDimension(outputs.get(contract.LOGITS));
  if (width !== architecture.vocabSize || width !== tokenizer.size) {
    throw new VocabularyMismatch(
      `${name}: the vocabulary has ${tokenizer.size} words but the logits are ${width} wide ` +
        `(architecture says ${architecture.vocabSize}); ${REEXPORT}`,
    );
  }
}
