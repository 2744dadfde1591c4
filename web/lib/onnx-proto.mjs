// Just enough of the ONNX protobuf wire format to read and vet a model file: a port of
// runtime/onnx_proto.py (onnxruntime-web's session does not expose `metadata_props`, and a file is
// vetted before onnxruntime-web sees it). `readModel(bytes)` parses a serialized ModelProto into plain
// objects: metadata, opsets, and the one graph's nodes, initializers, inputs and outputs. The reader knows
// only the fields our exporter writes and refuses every other field on sight (ForbiddenContent when ONNX
// defines it: subgraphs, functions, sparse tensors, outside data, …; ProtoError otherwise) instead of
// descending into it: it never recurses. A singular field given twice (protobuf would merge or overwrite
// it), a wrong wire type, bytes that do not parse or text that is not UTF-8 raise ProtoError. The work is
// bounded: FIELD_BUDGET fields and NUMBER_BUDGET numbers outside raw data per file, MAX_RANK axes.
// Messages are Python's, word for word (tests/test_web.py compares them). Field numbers: see the Python
// module's docstring.
//
// Numbers are JavaScript numbers: exact up to 2**53, which covers every size and flag an lstm-edge file holds.

import { ModelFileError } from "./errors.mjs";

const VARINT = 0;
const FIXED64 = 1;
const BYTES = 2;
const FIXED32 = 5;
const EMPTY = new Uint8Array();

export const [FLOAT, UINT8, INT8, INT32, INT64] = [1, 2, 3, 6, 7];
const TENSOR_TYPES = new Set([FLOAT, UINT8, INT8, INT32, INT64]);
const ITEM_SIZES = new Map([
  [FLOAT, 4],
  [UINT8, 1],
  [INT8, 1],
  [INT32, 4],
  [INT64, 8],
]);
const VALUE_FIELDS = new Map([
  [4, [FLOAT]],
  [5, [INT32, INT8, UINT8]],
  [7, [INT64]],
]); // typed data field → the types it may hold

export const FIELD_BUDGET = 200_000;
export const NUMBER_BUDGET = 4_000_000;
export const MAX_RANK = 8;

const OUTSIDE_DATA = "keeps tensor data in an outside file; an lstm-edge model is one self-contained file";

/** The bytes are not a well-formed ONNX protobuf message. */
export class ProtoError extends ModelFileError {}

/** A well-formed ONNX file holding something an lstm-edge model never has (outside data, subgraphs, …). */
export class ForbiddenContent extends ModelFileError {}

const utf8 = new TextDecoder("utf-8", { fatal: true });

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u; // Python's non-printables (and " ")
const ESCAPES = new Map([
  ["\\", "\\\\"],
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
]);

/** Python's repr() of a str, as the Python reader's messages show names: control characters escaped. */
export function pythonRepr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let shown = "";
  for (const character of text) {
    const code = character.codePointAt(0);
    if (ESCAPES.has(character)) shown += ESCAPES.get(character);
    else if (character === quote) shown += `\\${quote}`;
    else if (character === " " || !NOT_PRINTABLE.test(character)) shown += character;
    else if (code < 0x100) shown += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code < 0x10000) shown += `\\u${code.toString(16).padStart(4, "0")}`;
    else shown += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return quote + shown + quote;
}

/** Python's f"{number:,}". */
function grouped(number) {
  return number.toLocaleString("en-US");
}

/** The first `length` code points of `text` (Python's text[:length]). */
function cut(text, length) {
  return Array.from(text).slice(0, length).join("");
}

// --- the messages we read: field number → wire type, which fields repeat, what the others mean ---

class Message {
  constructor(name, fields, repeated = [], never = {}) {
    this.name = name;
    this.fields = new Map(Object.entries(fields).map(([number, wire]) => [Number(number), wire]));
    this.repeated = new Set(repeated);
    this.never = new Map(Object.entries(never).map(([number, what]) => [Number(number), what]));
  }

  refusal(number) {
    if (this === TENSOR && number === 13) return new ForbiddenContent(OUTSIDE_DATA);
    if (this.never.has(number)) return new ForbiddenContent(`${this.never.get(number)}, which an lstm-edge model never has`);
    return new ProtoError(`field ${number} of a ${this.name} is not in the ONNX format`);
  }
}

const MODEL = new Message(
  "model",
  { 1: VARINT, 2: BYTES, 3: BYTES, 4: BYTES, 5: VARINT, 6: BYTES, 7: BYTES, 8: BYTES, 14: BYTES },
  [8, 14],
  { 20: "holds training information", 25: "holds functions", 26: "holds device configurations" },
);
const GRAPH = new Message(
  "graph",
  { 1: BYTES, 2: BYTES, 5: BYTES, 10: BYTES, 11: BYTES, 12: BYTES, 13: BYTES },
  [1, 5, 11, 12, 13],
  { 14: "holds quantization annotations", 15: "holds sparse initializers", 16: "holds graph metadata" },
);
const NODE = new Message(
  "node",
  { 1: BYTES, 2: BYTES, 3: BYTES, 4: BYTES, 5: BYTES, 6: BYTES, 7: BYTES },
  [1, 2, 5],
  { 8: "calls a function overload", 9: "holds node metadata", 10: "holds device configurations" },
);
const ATTRIBUTE = new Message(
  "attribute",
  { 1: BYTES, 2: FIXED32, 3: VARINT, 4: BYTES, 5: BYTES, 7: FIXED32, 8: VARINT, 9: BYTES, 13: BYTES, 20: VARINT },
  [7, 8, 9],
  {
    6: "has a node attribute holding a subgraph",
    10: "has a node attribute holding a list of tensors",
    11: "has a node attribute holding subgraphs",
    14: "has a node attribute holding a type",
    15: "has a node attribute holding types",
    21: "has a node attribute holding a function attribute reference",
    22: "has a node attribute holding a sparse tensor",
    23: "has a node attribute holding sparse tensors",
  },
);
const TENSOR = new Message(
  "tensor",
  { 1: VARINT, 2: VARINT, 4: FIXED32, 5: VARINT, 7: VARINT, 8: BYTES, 9: BYTES, 12: BYTES, 14: VARINT },
  [1, 4, 5, 7],
  {
    3: "holds a segmented tensor",
    6: "holds a tensor of strings",
    10: "holds a tensor of doubles",
    11: "holds a tensor of uint64",
    16: "holds tensor metadata",
  },
);
const VALUE_INFO = new Message("value", { 1: BYTES, 2: BYTES, 3: BYTES }, [], { 4: "holds value metadata" });
const TYPE = new Message("type", { 1: BYTES, 6: BYTES }, [], {
  4: "holds a sequence-typed value",
  5: "holds a map-typed value",
  7: "holds an opaque-typed value",
  8: "holds a sparse-tensor-typed value",
  9: "holds an optional-typed value",
});
const TENSOR_TYPE = new Message("tensor type", { 1: VARINT, 2: BYTES });
const SHAPE = new Message("shape", { 1: BYTES }, [1]);
const DIMENSION = new Message("dimension", { 1: VARINT, 2: BYTES, 3: BYTES });
const OPSET = new Message("opset import", { 1: BYTES, 2: VARINT });
const ENTRY = new Message("metadata entry", { 1: BYTES, 2: BYTES });

// AttributeProto.type for each value field (FLOAT=1 INT=2 STRING=3 TENSOR=4 FLOATS=6 INTS=7 STRINGS=8)
const ATTRIBUTE_TYPES = new Map([
  [2, 1],
  [3, 2],
  [4, 3],
  [5, 4],
  [7, 6],
  [8, 7],
  [9, 8],
]);

/**
 * Parse and vet a serialized ModelProto.
 * @returns {{irVersion: number, opsets: Map<string, number>, metadata: Map<string, string>, graph: object|null}}
 */
export function readModel(bytes, maxNodes = 100_000) {
  return new Reader(maxNodes).model(bytes);
}

class Reader {
  constructor(maxNodes) {
    this.maxNodes = maxNodes;
    this.fieldsLeft = FIELD_BUDGET;
    this.numbersLeft = NUMBER_BUDGET;
  }

  model(view) {
    const model = { irVersion: 0, opsets: new Map(), metadata: new Map(), graph: null };
    for (const [number, value] of this.fields(view, MODEL)) {
      if (number === 1) {
        model.irVersion = value;
      } else if (number === 7) {
        model.graph = this.graph(value);
      } else if (number === 8) {
        const opset = new Map(this.fields(value, OPSET));
        const domain = text(opset.get(1) ?? EMPTY, "opset domain");
        if (model.opsets.has(domain)) throw new ProtoError(`opset domain ${pythonRepr(cut(domain, 60))} imported twice`);
        model.opsets.set(domain, opset.get(2) ?? 0);
      } else if (number === 14) {
        const entry = new Map(this.fields(value, ENTRY));
        const key = text(entry.get(1) ?? EMPTY, "metadata key");
        if (model.metadata.has(key)) throw new ProtoError(`metadata key ${pythonRepr(cut(key, 60))} appears twice`);
        model.metadata.set(key, text(entry.get(2) ?? EMPTY, `metadata ${cut(key, 60)}`));
      }
    }
    return model;
  }

  graph(view) {
    const graph = { nodes: [], initializers: new Map(), inputs: [], outputs: [] };
    for (const [number, value] of this.fields(view, GRAPH)) {
      if (number === 1) {
        if (graph.nodes.length >= this.maxNodes) {
          throw new ForbiddenContent(`has more than ${grouped(this.maxNodes)} nodes`);
        }
        graph.nodes.push(this.node(value));
      } else if (number === 5) {
        const tensor = this.tensor(value);
        if (graph.initializers.has(tensor.name)) {
          throw new ProtoError(`initializer ${pythonRepr(cut(tensor.name, 60))} appears twice`);
        }
        graph.initializers.set(tensor.name, tensor);
      } else if (number === 11) {
        graph.inputs.push(this.valueInfo(value));
      } else if (number === 12) {
        graph.outputs.push(this.valueInfo(value));
      } else if (number === 13) {
        this.valueInfo(value); // read for what it may hold; the runtime needs none of it
      }
    }
    return graph;
  }

  node(view) {
    const node = { opType: "", domain: "", name: "", inputs: [], outputs: [], attributes: new Map() };
    for (const [number, value] of this.fields(view, NODE)) {
      if (number === 1) node.inputs.push(text(value, "node input"));
      else if (number === 2) node.outputs.push(text(value, "node output"));
      else if (number === 3) node.name = text(value, "node name");
      else if (number === 4) node.opType = text(value, "op_type");
      else if (number === 5) {
        const [name, attribute] = this.attribute(value);
        if (node.attributes.has(name)) throw new ProtoError(`attribute ${pythonRepr(cut(name, 60))} given twice`);
        node.attributes.set(name, attribute);
      } else if (number === 7) node.domain = text(value, "domain");
    }
    return node;
  }

  attribute(view) {
    let name = "";
    let declared = null;
    const kinds = new Set(); // which value fields are present
    let value = null;
    const ints = [];
    const floats = [];
    const strings = [];
    for (const [number, item] of this.fields(view, ATTRIBUTE)) {
      if (ATTRIBUTE_TYPES.has(number)) kinds.add(number);
      if (number === 1) name = text(item, "attribute name");
      else if (number === 20) declared = item;
      else if (number === 2) value = float32(item);
      else if (number === 3) value = signed(item);
      else if (number === 4) value = item;
      else if (number === 5) value = this.tensor(item);
      else if (number === 7) floats.push(...this.packedFloats(item));
      else if (number === 8) ints.push(...this.packedVarints(item));
      else if (number === 9) strings.push(item);
    }
    if (kinds.size > 1) throw new ProtoError(`attribute ${pythonRepr(cut(name, 60))} holds values of ${kinds.size} kinds`);
    if (declared !== null && kinds.size && declared !== ATTRIBUTE_TYPES.get([...kinds][0])) {
      throw new ProtoError(`attribute ${pythonRepr(cut(name, 60))} declares type ${declared} but holds another`);
    }
    if (value === null) value = ints.length ? ints : floats.length ? floats : strings;
    return [name, value];
  }

  tensor(view) {
    const dims = [];
    let dataType = 0;
    let name = "";
    let raw = null;
    let values = 0; // how many, outside raw_data
    const sources = new Set(); // data fields present
    for (const [number, value] of this.fields(view, TENSOR)) {
      if (number === 14) {
        if (value !== 0) throw new ForbiddenContent(OUTSIDE_DATA); // EXTERNAL, or anything read as it
      } else if (number === 1) {
        dims.push(...this.packedVarints(value));
        if (dims.length > MAX_RANK) throw new ForbiddenContent(`has a tensor of more than ${MAX_RANK} axes`);
      } else if (number === 2) {
        dataType = value;
      } else if (number === 4) {
        sources.add(number);
        values += this.packedFloats(value).length;
      } else if (number === 5 || number === 7) {
        sources.add(number);
        values += this.packedVarints(value).length;
      } else if (number === 8) {
        name = text(value, "tensor name");
      } else if (number === 9) {
        sources.add(number);
        raw = value;
      }
    }
    return checkedTensor(name, dims, dataType, raw, values, sources);
  }

  valueInfo(view) {
    let name = "";
    let elemType = 0;
    let dims = null; // null: no shape; per axis a size, a symbolic name or null
    for (const [number, value] of this.fields(view, VALUE_INFO)) {
      if (number === 1) {
        name = text(value, "value name");
      } else if (number === 2) {
        for (const [typeNumber, typeValue] of this.fields(value, TYPE)) {
          if (typeNumber !== 1) continue; // a denotation
          for (const [tensorNumber, tensorValue] of this.fields(typeValue, TENSOR_TYPE)) {
            if (tensorNumber === 1) elemType = tensorValue;
            else dims = Array.from(this.fields(tensorValue, SHAPE), ([, d]) => this.dimension(d));
          }
        }
      }
    }
    return { name, elemType, dims };
  }

  dimension(view) {
    let size = null;
    for (const [number, value] of this.fields(view, DIMENSION)) {
      if ((number === 1 || number === 2) && size !== null) throw new ProtoError("a dimension with both a size and a name");
      if (number === 1) size = signed(value);
      else if (number === 2) size = text(value, "dim_param");
    }
    return size;
  }

  // --- the wire format ---

  /** (field number, value) pairs of one message, each checked against `message`: numbers for varints and
   * fixed-width fields, byte views for length-delimited ones (packed numbers included). */
  *fields(view, message) {
    const seen = new Set();
    let position = 0;
    const end = view.length;
    while (position < end) {
      this.fieldsLeft -= 1;
      if (this.fieldsLeft < 0) {
        throw new ForbiddenContent(`has more than ${grouped(FIELD_BUDGET)} fields, far more than any lstm-edge model`);
      }
      let key;
      [key, position] = varint(view, position);
      const number = typeof key === "bigint" ? key >> 3n : Math.floor(key / 8);
      const wireType = Number(typeof key === "bigint" ? key & 7n : key % 8);
      const expected = message.fields.get(Number(number));
      if (expected === undefined) throw message.refusal(number);
      if (wireType !== expected && !(message.repeated.has(number) && wireType === BYTES)) {
        throw new ProtoError(`${message.name} field ${number} has the wrong wire type`);
      }
      if (!message.repeated.has(number)) {
        if (seen.has(number)) throw new ProtoError(`${message.name} field ${number} appears twice`);
        seen.add(number);
      }
      if (wireType === VARINT) {
        let value;
        [value, position] = varint(view, position);
        yield [number, value];
      } else if (wireType === BYTES) {
        let length;
        [length, position] = varint(view, position);
        if (length > end - position) throw new ProtoError("truncated field");
        yield [number, view.subarray(position, position + length)];
        position += length;
      } else {
        const width = wireType === FIXED64 ? 8 : 4;
        if (width > end - position) throw new ProtoError("truncated field");
        let value = 0;
        for (let i = width - 1; i >= 0; i--) value = value * 256 + view[position + i];
        yield [number, value];
        position += width;
      }
    }
  }

  /** The numbers of a packed (or one unpacked) varint field, read as int64. */
  packedVarints(value) {
    if (!(value instanceof Uint8Array)) {
      this.countNumbers(1);
      return [signed(value)]; // one unpacked element
    }
    this.countNumbers(value.length); // at least one byte each: an upper bound, checked before decoding
    const numbers = [];
    let position = 0;
    while (position < value.length) {
      let number;
      [number, position] = varint(value, position);
      numbers.push(signed(number));
    }
    return numbers;
  }

  packedFloats(value) {
    if (!(value instanceof Uint8Array)) {
      this.countNumbers(1);
      return [float32(value)]; // one unpacked fixed32 element
    }
    if (value.length % 4) throw new ProtoError("packed floats of a length not divisible by 4");
    this.countNumbers(value.length / 4);
    return new Float32Array(value.slice().buffer);
  }

  countNumbers(count) {
    this.numbersLeft -= count;
    if (this.numbersLeft < 0) {
      throw new ForbiddenContent(
        `holds more than ${grouped(NUMBER_BUDGET)} numbers outside raw tensor data, far more than any lstm-edge model`,
      );
    }
  }
}

/** A tensor whose type is one of ours and whose data fills its shape exactly, from one source. */
function checkedTensor(name, dims, dataType, raw, values, sources) {
  const shown = pythonRepr(cut(name, 60));
  if (!TENSOR_TYPES.has(dataType)) {
    throw new ForbiddenContent(`has tensor ${shown} of data type ${dataType}, which lstm-edge models do not use`);
  }
  if (dims.some((d) => d < 0)) throw new ProtoError(`tensor ${shown} has a negative dimension`);
  if (sources.size > 1) throw new ProtoError(`tensor ${shown} holds its data twice`);
  const count = dims.reduce((product, dim) => product * BigInt(dim), 1n); // exact, as Python's int
  if (raw !== null) {
    if (BigInt(raw.length) !== count * BigInt(ITEM_SIZES.get(dataType))) {
      throw new ProtoError(`tensor ${shown} holds ${grouped(raw.length)} bytes, its shape needs another size`);
    }
  } else {
    if (sources.size && !VALUE_FIELDS.get([...sources][0]).includes(dataType)) {
      throw new ProtoError(`tensor ${shown} keeps its values in a field of another type`);
    }
    if (BigInt(values) !== count) {
      throw new ProtoError(`tensor ${shown} holds ${grouped(values)} values, its shape needs another number`);
    }
  }
  return { name, dims, dataType, raw, values };
}

/** A varint: a Number when exact (below 2**53), else a BigInt, so large values print as Python's do. */
function varint(view, position) {
  let result = 0;
  let scale = 1;
  for (let shift = 0; ; shift += 7) {
    if (shift > 63) throw new ProtoError("varint too long");
    if (position >= view.length) throw new ProtoError("truncated varint");
    const byte = view[position++];
    if (shift === 63 && (byte & 0x7f) > 1) throw new ProtoError("varint too long"); // 2**64 or more
    if (shift >= 49) return bigVarint(view, position - 1, result, shift);
    result += (byte & 0x7f) * scale;
    if (!(byte & 0x80)) return [result, position];
    scale *= 128;
  }
}

/** The rest of a varint from its 8th byte on, in BigInt arithmetic (`low`: the value of the first 7). */
function bigVarint(view, position, low, shift) {
  let result = BigInt(low);
  for (let bits = BigInt(shift); ; bits += 7n) {
    if (bits > 63n) throw new ProtoError("varint too long");
    if (position >= view.length) throw new ProtoError("truncated varint");
    const byte = view[position++];
    if (bits === 63n && (byte & 0x7f) > 1) throw new ProtoError("varint too long");
    result += BigInt(byte & 0x7f) << bits;
    if (!(byte & 0x80)) return [result <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(result) : result, position];
  }
}

function text(value, what) {
  try {
    return utf8.decode(value);
  } catch {
    throw new ProtoError(`${what} is not UTF-8 text`);
  }
}

/** A varint read as int64 (negative numbers are sent as 64-bit two's complement): exact, as a Number when
 * it fits one, else a BigInt. */
function signed(value) {
  if (typeof value !== "bigint") return value;
  const number = value >= 2n ** 63n ? value - 2n ** 64n : value;
  return number >= BigInt(Number.MIN_SAFE_INTEGER) && number <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(number) : number;
}

function float32(value) {
  return new Float32Array(new Uint32Array([value]).buffer)[0];
}
