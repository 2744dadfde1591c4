// Just enough of the ONNX protobuf wire format to read and vet a model file: a port of
// runtime/onnx_proto.py (onnxruntime-web's session does not expose `metadata_props`, and a file is
// vetted before onnxruntime-web sees it). `readModel(bytes)` parses a serialized ModelProto into plain
// objects: metadata, opsets, and the one graph's nodes, initializers, inputs and outputs. An lstm-edge
// file is flat — one graph, no subgraphs, functions or sparse tensors, every tensor inside the file — so
// the reader refuses those on sight (ForbiddenContent) and never recurses. Bytes that do not parse
// raise ProtoError. Field numbers (onnx.proto, IR version 10):
//
//     ModelProto      ir_version=1 graph=7 opset_import=8 metadata_props=14 training_info=20 functions=25
//     GraphProto      node=1 initializer=5 input=11 output=12 value_info=13 sparse_initializer=15
//     NodeProto       input=1 output=2 name=3 op_type=4 attribute=5 domain=7 overload=8
//     AttributeProto  name=1 f=2 i=3 s=4 t=5 g=6 floats=7 ints=8 strings=9 tensors=10 graphs=11 tp=14
//                     type_protos=15 type=20 ref_attr_name=21 sparse_tensor=22 sparse_tensors=23
//     TensorProto     dims=1 data_type=2 float_data=4 int32_data=5 int64_data=7 name=8 raw_data=9
//                     external_data=13 data_location=14
//     ValueInfoProto  name=1 type=2     TypeProto tensor_type=1 (elem_type=1 shape=2)   Dimension value=1 param=2
//
// Numbers are JavaScript numbers: exact up to 2**53, which covers every size and flag an lstm-edge file holds.

import { ModelFileError } from "./errors.mjs";

const VARINT = 0;
const FIXED64 = 1;
const BYTES = 2;
const FIXED32 = 5;
const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL
const EMPTY = new Uint8Array();

export const [FLOAT, UINT8, INT8, INT32, INT64] = [1, 2, 3, 6, 7];

const FORBIDDEN_MODEL_FIELDS = new Map([
  [20, "training information"],
  [25, "functions"],
]);
const FORBIDDEN_GRAPH_FIELDS = new Map([[15, "sparse initializers"]]);
const FORBIDDEN_ATTRIBUTE_FIELDS = new Map([
  [6, "a subgraph"],
  [10, "a list of tensors"],
  [11, "subgraphs"],
  [14, "a type"],
  [15, "types"],
  [21, "a function attribute reference"],
  [22, "a sparse tensor"],
  [23, "sparse tensors"],
]);

/** The bytes are not a well-formed ONNX protobuf message. */
export class ProtoError extends ModelFileError {}

/** A well-formed ONNX file holding something an lstm-edge model never has (outside data, subgraphs, …). */
export class ForbiddenContent extends ModelFileError {}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Python's repr() of a str, as the Python reader's messages show names. */
export function pythonRepr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  return quote + text.replaceAll("\\", "\\\\").replaceAll(quote, `\\${quote}`) + quote;
}

/**
 * Parse and vet a serialized ModelProto.
 * @returns {{irVersion: number, opsets: Map<string, number>, metadata: Map<string, string>, graph: object|null}}
 */
export function readModel(bytes, maxNodes = 100_000) {
  const model = { irVersion: 0, opsets: new Map(), metadata: new Map(), graph: null };
  for (const [number, value] of fields(bytes)) {
    if (FORBIDDEN_MODEL_FIELDS.has(number)) {
      throw new ForbiddenContent(`holds ${FORBIDDEN_MODEL_FIELDS.get(number)}, which an lstm-edge model never has`);
    }
    if (number === 1) {
      model.irVersion = int(value, "ir_version");
    } else if (number === 7) {
      if (model.graph !== null) throw new ProtoError("more than one graph");
      model.graph = graphOf(message(value, "graph"), maxNodes);
    } else if (number === 8) {
      const opset = new Map(fields(message(value, "opset_import")));
      const domain = text(opset.get(1) ?? EMPTY, "opset domain");
      if (model.opsets.has(domain)) throw new ProtoError(`opset domain ${pythonRepr(domain)} imported twice`);
      model.opsets.set(domain, int(opset.get(2) ?? 0, "opset version"));
    } else if (number === 14) {
      const entry = new Map(fields(message(value, "metadata_props")));
      const key = text(entry.get(1) ?? EMPTY, "metadata key");
      if (model.metadata.has(key)) throw new ProtoError(`metadata key ${pythonRepr(key)} appears twice`);
      model.metadata.set(key, text(entry.get(2) ?? EMPTY, `metadata ${key}`));
    }
  }
  return model;
}

function graphOf(view, maxNodes) {
  const graph = { nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  for (const [number, value] of fields(view)) {
    if (FORBIDDEN_GRAPH_FIELDS.has(number)) {
      throw new ForbiddenContent(`holds ${FORBIDDEN_GRAPH_FIELDS.get(number)}, which an lstm-edge model never has`);
    }
    if (number === 1) {
      if (graph.nodes.length >= maxNodes) throw new ForbiddenContent(`has more than ${maxNodes.toLocaleString("en-US")} nodes`);
      graph.nodes.push(nodeOf(message(value, "node")));
    } else if (number === 5) {
      const tensor = tensorOf(message(value, "initializer"));
      if (graph.initializers.has(tensor.name)) {
        throw new ProtoError(`initializer ${pythonRepr(tensor.name)} appears twice`);
      }
      graph.initializers.set(tensor.name, tensor);
    } else if (number === 11 || number === 12 || number === 13) {
      const info = valueInfoOf(message(value, "value_info"));
      if (number === 11) graph.inputs.push(info);
      else if (number === 12) graph.outputs.push(info);
    }
  }
  return graph;
}

function nodeOf(view) {
  const node = { opType: "", domain: "", name: "", inputs: [], outputs: [], attributes: new Map() };
  for (const [number, value] of fields(view)) {
    if (number === 1) node.inputs.push(text(value, "node input"));
    else if (number === 2) node.outputs.push(text(value, "node output"));
    else if (number === 3) node.name = text(value, "node name");
    else if (number === 4) node.opType = text(value, "op_type");
    else if (number === 5) {
      const [name, attribute] = attributeOf(message(value, "attribute"));
      if (node.attributes.has(name)) throw new ProtoError(`attribute ${pythonRepr(name)} given twice`);
      node.attributes.set(name, attribute);
    } else if (number === 7) node.domain = text(value, "domain");
    else if (number === 8 && text(value, "overload")) {
      throw new ForbiddenContent("calls a function overload, which an lstm-edge model never has");
    }
  }
  return node;
}

function attributeOf(view) {
  let name = "";
  let value = null;
  const ints = [];
  const floats = [];
  const strings = [];
  for (const [number, item] of fields(view)) {
    if (FORBIDDEN_ATTRIBUTE_FIELDS.has(number)) {
      const holding = FORBIDDEN_ATTRIBUTE_FIELDS.get(number);
      throw new ForbiddenContent(`has a node attribute holding ${holding}, which an lstm-edge model never has`);
    }
    if (number === 1) name = text(item, "attribute name");
    else if (number === 2) value = float32(item);
    else if (number === 3) value = signed(int(item, "attribute int"));
    else if (number === 4) value = message(item, "attribute string");
    else if (number === 5) value = tensorOf(message(item, "attribute tensor"));
    else if (number === 7) floats.push(...packedFloats(item));
    else if (number === 8) for (const i of packedVarints(item)) ints.push(signed(i));
    else if (number === 9) strings.push(message(item, "attribute strings"));
  }
  if (value === null) value = ints.length ? ints : floats.length ? floats : strings;
  return [name, value];
}

function tensorOf(view) {
  const tensor = { name: "", dims: [], dataType: 0, raw: null, values: 0 };
  for (const [number, value] of fields(view)) {
    if (number === 13 || (number === 14 && value === EXTERNAL)) {
      throw new ForbiddenContent("keeps tensor data in an outside file; an lstm-edge model is one self-contained file");
    }
    if (number === 1) for (const d of packedVarints(value)) tensor.dims.push(signed(d));
    else if (number === 2) tensor.dataType = int(value, "data_type");
    else if (number === 4) tensor.values += packedFloats(value).length;
    else if (number === 5 || number === 7) tensor.values += Array.from(packedVarints(value)).length;
    else if (number === 8) tensor.name = text(value, "tensor name");
    else if (number === 9) tensor.raw = message(value, "raw_data");
  }
  if (tensor.dims.some((d) => d < 0)) throw new ProtoError(`tensor ${pythonRepr(tensor.name)} has a negative dimension`);
  return tensor;
}

function valueInfoOf(view) {
  let name = "";
  let elemType = 0;
  let dims = null; // null: no shape; per axis a size, a symbolic name or null
  for (const [number, value] of fields(view)) {
    if (number === 1) {
      name = text(value, "value name");
    } else if (number === 2) {
      for (const [typeNumber, typeValue] of fields(message(value, "type"))) {
        if (typeNumber !== 1) {
          // sequence, map, optional, sparse tensor: never ours
          if ([4, 5, 8, 9].includes(typeNumber)) throw new ForbiddenContent(`${name || "a value"} is not a plain tensor`);
          continue;
        }
        for (const [tensorNumber, tensorValue] of fields(message(typeValue, "tensor_type"))) {
          if (tensorNumber === 1) elemType = int(tensorValue, "elem_type");
          else if (tensorNumber === 2) {
            dims = [];
            for (const [n, d] of fields(message(tensorValue, "shape"))) if (n === 1) dims.push(dimensionOf(message(d, "dim")));
          }
        }
      }
    }
  }
  return { name, elemType, dims };
}

function dimensionOf(view) {
  let size = null;
  for (const [number, value] of fields(view)) {
    if (number === 1) size = signed(int(value, "dim_value"));
    else if (number === 2) size = text(value, "dim_param");
  }
  return size;
}

// --- the wire format ---

/** (field number, value) pairs of one message: numbers for varints and fixed-width fields, byte views
 * for length-delimited ones. */
function* fields(view) {
  let position = 0;
  const end = view.length;
  while (position < end) {
    let key;
    [key, position] = varint(view, position);
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number === 0) throw new ProtoError("field number 0");
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
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      const width = wireType === FIXED64 ? 8 : 4;
      if (width > end - position) throw new ProtoError("truncated field");
      let value = 0;
      for (let i = width - 1; i >= 0; i--) value = value * 256 + view[position + i];
      yield [number, value];
      position += width;
    } else {
      throw new ProtoError(`unknown wire type ${wireType}`);
    }
  }
}

function varint(view, position) {
  let result = 0;
  let scale = 1;
  for (let shift = 0; ; shift += 7) {
    if (shift > 63) throw new ProtoError("varint too long");
    if (position >= view.length) throw new ProtoError("truncated varint");
    const byte = view[position++];
    result += (byte & 0x7f) * scale;
    if (!(byte & 0x80)) return [result, position];
    scale *= 128;
  }
}

function message(value, what) {
  if (!(value instanceof Uint8Array)) throw new ProtoError(`${what} has the wrong wire type`);
  return value;
}

function int(value, what) {
  if (value instanceof Uint8Array) throw new ProtoError(`${what} has the wrong wire type`);
  return value;
}

function text(value, what) {
  try {
    return utf8.decode(message(value, what));
  } catch (error) {
    if (error instanceof ProtoError) throw error;
    throw new ProtoError(`${what} is not UTF-8 text`);
  }
}

/** A varint read as int64 (negative numbers are sent as 64-bit two's complement). */
function signed(value) {
  return value >= 2 ** 63 ? value - 2 ** 64 : value;
}

function* packedVarints(value) {
  if (!(value instanceof Uint8Array)) {
    yield value; // one unpacked element
    return;
  }
  let position = 0;
  while (position < value.length) {
    let number;
    [number, position] = varint(value, position);
    yield number;
  }
}

function packedFloats(value) {
  if (!(value instanceof Uint8Array)) return [float32(value)]; // one unpacked fixed32 element
  if (value.length % 4) throw new ProtoError("packed floats of a length not divisible by 4");
  return new Float32Array(value.slice().buffer);
}

function float32(value) {
  if (value instanceof Uint8Array || value >= 2 ** 32) throw new ProtoError("a float has the wrong wire type");
  return new Float32Array(new Uint32Array([value]).buffer)[0];
}
