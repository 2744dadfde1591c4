// Loading an lstm-edge ONNX file, as runtime/model_file.py does: read it, vet every byte against the
// contract, and only then open one onnxruntime-web session. In order:
//
// 1. read: from a URL (fetch), a path (Node) or bytes; at most contract.MAX_MODEL_BYTES;
// 2. parse and vet with our own reader (onnx-proto.mjs): no outside data, no subgraphs, functions or
//    sparse tensors; only the operators, attributes and opsets of the contract;
// 3. read the metadata: format version, tokenizer (and its sha256), architecture → ModelSpec;
// 4. check the graph against the spec: input and output names, types and widths, LSTM sizes, and the
//    vocabulary against the logits' width;
// 5. hand the bytes to onnxruntime-web.
//
// Every refusal is a ModelFileError whose message names the file and the problem in one line, the same
// line Python prints (tests/test_web.py compares them).

import * as ort from "onnxruntime-web";

import * as contract from "./contract.mjs";
import { ModelSpec } from "./contract.mjs";
import { Decoding } from "./decoding.mjs";
import { LstmEdgeError, ModelFileError, VocabularyMismatch } from "./errors.mjs";
import { FLOAT, INT64, ProtoError, pythonRepr, readModel } from "./onnx-proto.mjs";
import { sha256Hex } from "./sha256.mjs";
import { SPECIAL_TOKENS, Tokenizer } from "./tokenizer.mjs";

const REEXPORT = "re-export it with lstm-export";
const MAX_JSON_DEPTH = 900;
const INFO_FACTS = new Set(["path", "size_bytes", "backend", "vocabulary_size"]); // info() keys not from metadata
// Python's str.isprintable() is false for these ("Other" and "Separator"), and we refuse the space too
const NOT_PRINTABLE_OR_SPACE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const IN_NODE = typeof process !== "undefined" && Boolean(process.versions?.node) && typeof window === "undefined";
const now = () => performance.now();

/** A vetted model: its spec, tokenizer and metadata, and the onnxruntime-web session that runs it. */
export class ModelFile {
  constructor(fields) {
    /** @type {string} */ this.name = fields.name; // what messages call it: the path, URL or file name
    /** @type {ModelSpec} */ this.spec = fields.spec;
    /** @type {Tokenizer} */ this.tokenizer = fields.tokenizer;
    /** @type {Map<string, string>} */ this.metadata = fields.metadata;
    this.session = fields.session; // ort.InferenceSession
    this.generation = fields.generation; // the lstm_edge.generation document
    this.sizeBytes = fields.sizeBytes;
    this.timings = fields.timings; // milliseconds: {read, session, total}
  }

  /** What `lstm-gen --info --json` shows: the file's own facts, then its metadata decoded (a metadata key
   * named like one of those facts is left out). */
  info() {
    const decoded = { path: this.name, size_bytes: this.sizeBytes, backend: "onnxruntime-web" };
    for (const key of [...this.metadata.keys()].sort()) {
      const name = key.replace(/^lstm_edge\./, "");
      if (key === contract.KEY_TOKENIZER) {
        decoded.vocabulary_size = this.tokenizer.size;
        continue;
      }
      if (INFO_FACTS.has(name)) continue;
      try {
        decoded[name] = parseJson(this.metadata.get(key));
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
 *   more than one needs a cross-origin-isolated page (COOP/COEP headers)
 */
export async function loadModel(source, { name = undefined, threads = 1 } = {}) {
  const started = now();
  const file = await readSource(source, name);
  const read = now();
  let vetted;
  try {
    vetted = vet(readModel(file.bytes, contract.MAX_NODES));
  } catch (error) {
    if (error instanceof ProtoError) {
      throw new ModelFileError(`${file.name}: not an ONNX model, or a truncated one (${error.message})`);
    }
    if (error instanceof ModelFileError) throw new error.constructor(`${file.name}: ${error.message}`);
    throw error;
  }
  const beforeSession = now();
  const session = await createSession(file.name, file.bytes, threads);
  const finished = now();
  return new ModelFile({
    name: file.name,
    ...vetted,
    session,
    sizeBytes: file.bytes.length,
    timings: { read: read - started, session: finished - beforeSession, total: finished - started },
  });
}

// --- 1. reading ---

async function readSource(source, name) {
  let file;
  if (source instanceof Uint8Array) file = { name: name ?? "model", bytes: source };
  else if (source instanceof ArrayBuffer) file = { name: name ?? "model", bytes: new Uint8Array(source) };
  else if (typeof Blob !== "undefined" && source instanceof Blob) {
    file = { name: name ?? source.name ?? "model", bytes: new Uint8Array(await source.arrayBuffer()) };
  } else {
    const location = String(source);
    const label = name ?? location;
    const local = IN_NODE && !/^https?:\/\//i.test(location);
    file = { name: label, bytes: await (local ? readFile(label, location) : fetchBytes(label, location)) };
  }
  if (file.bytes.length === 0) throw new ModelFileError(`${file.name}: the file is empty`);
  if (file.bytes.length > contract.MAX_MODEL_BYTES) throw tooLarge(file.name);
  return file;
}

function tooLarge(label) {
  return new ModelFileError(`${label}: larger than ${contract.MAX_MODEL_BYTES / 2 ** 20} MiB, far beyond any lstm-edge model`);
}

const STRERROR = {
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  ELOOP: "Too many levels of symbolic links",
  ENOTDIR: "Not a directory",
};

async function readFile(label, location) {
  const { open } = await import("node:fs/promises");
  const { constants } = await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  const path = location.startsWith("file:") ? fileURLToPath(location) : location;
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (error.code === "ENOENT") throw new ModelFileError(`${label}: no such model file`);
    if (error.code === "EISDIR") throw new ModelFileError(`${label}: is a directory, expected an .onnx file`);
    throw new ModelFileError(`${label}: cannot read (${STRERROR[error.code] ?? error.code ?? error.message})`);
  }
  try {
    const status = await handle.stat();
    if (status.isDirectory()) throw new ModelFileError(`${label}: is a directory, expected an .onnx file`);
    if (!status.isFile()) {
      throw new ModelFileError(`${label}: not a regular file (a device, FIFO or socket); save the model to a file`);
    }
    if (status.size > contract.MAX_MODEL_BYTES) throw tooLarge(label);
    return new Uint8Array(await handle.readFile());
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    throw new ModelFileError(`${label}: cannot read (${STRERROR[error.code] ?? error.code ?? error.message})`);
  } finally {
    await handle.close();
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
  if (Number(response.headers.get("content-length")) > contract.MAX_MODEL_BYTES) throw tooLarge(label);
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new ModelFileError(`${label}: cannot fetch it (network error: ${error.message})`);
  }
}

// --- 2.–4. vetting (messages without the file's name: loadModel puts it in front) ---

function vet(model) {
  if (model.graph === null || model.irVersion === 0) throw new ModelFileError("not an ONNX model (no graph)");
  const metadata = checkedMetadata(model.metadata);
  const tokenizer = tokenizerOf(metadata);
  const architecture = jsonOf(metadata, contract.KEY_ARCHITECTURE);
  const spec = ModelSpec.fromArchitecture(architecture);
  const generation = jsonOf(metadata, contract.KEY_GENERATION);
  if (generation === null || typeof generation !== "object" || Array.isArray(generation)) {
    throw new ModelFileError(`metadata ${contract.KEY_GENERATION} is not a JSON object (${REEXPORT})`);
  }
  try {
    Decoding.fromMetadata(generation); // as the Python loader: a bad recommendation is the file's fault
  } catch (error) {
    throw new ModelFileError(`metadata ${contract.KEY_GENERATION}: ${error.message} (${REEXPORT})`);
  }
  checkOperators(model);
  checkSignature(model.graph, spec, tokenizer);
  checkArchitectureLists(architecture, spec);
  return { spec, tokenizer, generation, metadata };
}

function checkedMetadata(metadata) {
  if (!metadata.has(contract.KEY_FORMAT_VERSION)) {
    throw new ModelFileError("an ONNX model without lstm-edge metadata; only files from lstm-export can be run");
  }
  const version = metadata.get(contract.KEY_FORMAT_VERSION);
  if (version !== String(contract.FORMAT_VERSION)) {
    throw new ModelFileError(
      `model format version ${pythonRepr(Array.from(version).slice(0, 40).join(""))} is not supported (this ` +
        `lstm-edge reads version ${contract.FORMAT_VERSION}); ${REEXPORT} from the same lstm-edge release`,
    );
  }
  const missing = contract.REQUIRED_KEYS.filter((key) => !metadata.has(key));
  if (missing.length) throw new ModelFileError(`metadata lacks ${missing.join(", ")} (${REEXPORT})`);
  return metadata;
}

function jsonOf(metadata, key) {
  try {
    return parseJson(metadata.get(key));
  } catch (error) {
    throw new ModelFileError(`metadata ${key} is not valid JSON (${error.message}; ${REEXPORT})`);
  }
}

/**
 * JSON.parse for untrusted text, bounded as Python's `_parse_json`: finite numbers only, and no deeper
 * than MAX_JSON_DEPTH (Python's parser stops near its recursion limit, about 1,000; ours nest 3 deep).
 * (Python also bounds a number's digits, against the cost of int() on huge literals; JSON.parse has no
 * such cost.)
 */
function parseJson(text) {
  if (text.length > 64 * 1024 * 1024) throw new Error("too long");
  const value = JSON.parse(text);
  const pending = [[value, 0]];
  while (pending.length) {
    const [item, depth] = pending.pop();
    if (typeof item === "number" && !Number.isFinite(item)) throw new Error("a number out of range");
    if (item !== null && typeof item === "object") {
      if (depth >= MAX_JSON_DEPTH) throw new Error("nested too deeply");
      for (const child of Object.values(item)) pending.push([child, depth + 1]);
    }
  }
  return value;
}

function tokenizerOf(metadata) {
  const document = metadata.get(contract.KEY_TOKENIZER);
  if (sha256Hex(new TextEncoder().encode(document)) !== metadata.get(contract.KEY_TOKENIZER_SHA256)) {
    throw new ModelFileError(`tokenizer does not match its sha256; the file was altered (${REEXPORT})`);
  }
  let tokenizer;
  try {
    tokenizer = Tokenizer.fromDocument(jsonOf(metadata, contract.KEY_TOKENIZER));
  } catch (error) {
    if (!(error instanceof LstmEdgeError)) throw error;
    throw new ModelFileError(`${error.message} (${REEXPORT})`);
  }
  checkVocabulary(tokenizer);
  return tokenizer;
}

/** No word is empty or holds spaces or control characters (they would break lines or reach a terminal). */
function checkVocabulary(tokenizer) {
  const specials = SPECIAL_TOKENS.length;
  tokenizer.vocabulary.slice(specials).forEach((word, i) => {
    if (!word || NOT_PRINTABLE_OR_SPACE.test(word)) {
      throw new ModelFileError(
        `vocabulary entry ${i + specials} (${pythonRepr(cut(word, 40))}) is empty or holds spaces or control ` +
          `characters (${REEXPORT})`,
      );
    }
  });
}

/** The names and shapes the architecture document also lists are the ones its layer sizes give. */
function checkArchitectureLists(document, spec) {
  const expected = {
    vocab_size: spec.vocabSize,
    embedding_dim: spec.embeddingDim,
    hidden_sizes: spec.hiddenSizes,
    dense_size: spec.denseSize,
    state_inputs: spec.stateInputs,
    state_outputs: spec.stateOutputs,
    state_shapes: Object.fromEntries(spec.stateInputs.map((name, i) => [name, ["batch", spec.stateSizes[i]]])),
  };
  for (const [key, value] of Object.entries(expected)) {
    if (key in document && !sameJson(document[key], value)) {
      throw new ModelFileError(`metadata ${contract.KEY_ARCHITECTURE} lists other ${key} than its sizes give (${REEXPORT})`);
    }
  }
}

function sameJson(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameJson(a[key], b[key]));
  }
  return a === b;
}

function checkOperators(model) {
  for (const [domain, version] of model.opsets) {
    const allowed = contract.ALLOWED_OPSETS[domain];
    if (allowed === undefined || !(version >= allowed[0] && version < allowed[1])) {
      throw new ModelFileError(`imports opset ${domain || "ai.onnx"} ${version}, which lstm-edge models do not use`);
    }
  }
  for (const node of model.graph.nodes) {
    const attributes = contract.allowedAttributes(node.domain, node.opType);
    if (attributes === undefined) {
      const where = node.domain ? `${node.domain}.` : "";
      throw new ModelFileError(`uses operator ${where}${cut(node.opType, 60)}, which lstm-edge models do not use`);
    }
    const unexpected = [...node.attributes.keys()].filter((name) => !attributes.includes(name)).sort();
    if (unexpected.length) {
      throw new ModelFileError(
        `operator ${node.opType} has attribute ${pythonRepr(cut(unexpected[0], 60))}, which lstm-edge does not use`,
      );
    }
  }
}

/** The graph's inputs and outputs are exactly the spec's, with its types and widths. */
function checkSignature(graph, spec, tokenizer) {
  for (const [kind, values, names, shapes] of [
    ["input", graph.inputs, spec.graphInputs, spec.inputShapes()],
    ["output", graph.outputs, spec.graphOutputs, spec.outputShapes()],
  ]) {
    const found = values.map((value) => value.name);
    const missing = names.filter((name) => !found.includes(name));
    if (missing.length) {
      throw new ModelFileError(`graph lacks ${missing.join(", ")}; it does not follow the lstm-edge contract`);
    }
    if (found.length !== names.length || found.some((name, i) => name !== names[i])) {
      const listed = found.slice(0, 12).map((name) => cut(name, 40)).join(", ");
      throw new ModelFileError(`graph ${kind}s are ${listed}; the lstm-edge contract has exactly ${names.join(", ")}`);
    }
    for (const value of values) checkValue(value, shapes[value.name]);
  }
  const lstmSizes = graph.nodes
    .filter((node) => node.opType === "LSTM" || node.opType === "DynamicQuantizeLSTM")
    .map((node) => node.attributes.get("hidden_size") ?? null);
  if (lstmSizes.length !== spec.hiddenSizes.length || lstmSizes.some((size, i) => size !== spec.hiddenSizes[i])) {
    throw new ModelFileError(
      `the graph's LSTM layers have sizes ${pythonList(lstmSizes)}, the metadata says ${pythonList(spec.hiddenSizes)}`,
    );
  }
  if (tokenizer.size !== spec.vocabSize) {
    throw new VocabularyMismatch(
      `the vocabulary has ${tokenizer.size} words but the logits are ${spec.vocabSize} wide; ${REEXPORT}`,
    );
  }
}

function checkValue(value, shape) {
  const expectedType = value.name === contract.INPUT_IDS ? INT64 : FLOAT;
  if (value.elemType !== expectedType) {
    const kind = expectedType === INT64 ? contract.IDS_DTYPE : contract.FLOAT_DTYPE;
    throw new ModelFileError(`${value.name} must be ${kind}, the graph says type ${value.elemType}`);
  }
  if (value.dims === null || value.dims.length !== shape.length) {
    throw new ModelFileError(`${value.name} must have shape ${pythonList(shape)}, the graph gives ${pythonTuple(value.dims)}`);
  }
  value.dims.forEach((actual, axis) => {
    const expected = shape[axis];
    if (typeof expected === "number" && actual !== expected) {
      if (value.name === contract.LOGITS) {
        throw new VocabularyMismatch(
          `the metadata says ${expected} words but the logits are ${pythonValue(actual)} wide; ${REEXPORT}`,
        );
      }
      throw new ModelFileError(`${value.name} has width ${pythonValue(actual)}, the metadata says ${expected}`);
    }
    if (typeof expected === "string" && (typeof actual === "number" || typeof actual === "bigint")) {
      throw new ModelFileError(`${value.name}: axis ${axis} (${expected}) is fixed to ${actual}, it must be dynamic`);
    }
  });
}

/** The first `length` code points of `text` (Python's text[:length]). */
function cut(text, length) {
  return Array.from(text).slice(0, length).join("");
}

function pythonValue(value) {
  if (value === null || value === undefined) return "None";
  return typeof value === "string" ? pythonRepr(value) : String(value);
}

function pythonList(values) {
  return `[${values.map(pythonValue).join(", ")}]`;
}

function pythonTuple(values) {
  if (values === null) return "None";
  return values.length === 1 ? `(${pythonValue(values[0])},)` : `(${values.map(pythonValue).join(", ")})`;
}

// --- 5. the session ---

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
    const detail = firstLine(error).slice(0, 300);
    if (/no available backend/i.test(detail)) throw new LstmEdgeError(`onnxruntime-web could not start (${detail})`);
    throw new ModelFileError(`${name}: onnxruntime cannot load it (${detail})`);
  }
}

function firstLine(error) {
  const text = String(error?.message ?? error).trim();
  return text ? text.split("\n")[0] : (error?.name ?? "Error");
}
