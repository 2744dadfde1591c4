// Just enough of the ONNX protobuf wire format to vet a model file and read its metadata, as
// runtime/onnx_proto.py does (onnxruntime-web's session does not expose `metadata_props`).
// Field numbers are from onnx.proto:
//
//     ModelProto:  ir_version=1  graph=7  metadata_props=14      StringStringEntryProto: key=1 value=2
//     GraphProto:  node=1  initializer=5  sparse_initializer=15  NodeProto: attribute=5
//     AttributeProto: t=5  g=6  tensors=10  graphs=11            TensorProto: external_data=13 data_location=14

const VARINT = 0;
const FIXED64 = 1;
const BYTES = 2;
const FIXED32 = 5;
const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

/** The bytes are not a well-formed protobuf message. */
export class ProtoError extends Error {}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** @returns {{irVersion: number, metadata: Map<string, string>, hasGraph: boolean, externalData: boolean}} */
export function summarizeModel(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let irVersion = 0;
  let hasGraph = false;
  let externalData = false;
  const metadata = new Map();
  for (const [number, value] of fields(view)) {
    if (number === 1 && typeof value === "number") {
      irVersion = value;
    } else if (number === 7 && value instanceof Uint8Array) {
      hasGraph = true;
      externalData = externalData || graphHasExternalData(value);
    } else if (number === 14 && value instanceof Uint8Array) {
      const entry = new Map();
      for (const [field, text] of fields(value)) if (text instanceof Uint8Array) entry.set(field, text);
      try {
        metadata.set(utf8.decode(entry.get(1) ?? new Uint8Array()), utf8.decode(entry.get(2) ?? new Uint8Array()));
      } catch {
        throw new ProtoError("metadata is not UTF-8");
      }
    }
  }
  return { irVersion, metadata, hasGraph, externalData };
}

function graphHasExternalData(graph) {
  for (const [number, value] of fields(graph)) {
    if (!(value instanceof Uint8Array)) continue;
    if (number === 5 && tensorIsExternal(value)) return true;
    if (number === 15) {
      for (const [, tensor] of fields(value)) if (tensor instanceof Uint8Array && tensorIsExternal(tensor)) return true;
    }
    if (number === 1 && nodeHasExternalData(value)) return true;
  }
  return false;
}

function nodeHasExternalData(node) {
  for (const [number, attribute] of fields(node)) {
    if (number !== 5 || !(attribute instanceof Uint8Array)) continue;
    for (const [field, value] of fields(attribute)) {
      if (!(value instanceof Uint8Array)) continue;
      if ((field === 5 || field === 10) && tensorIsExternal(value)) return true;
      if ((field === 6 || field === 11) && graphHasExternalData(value)) return true;
    }
  }
  return false;
}

function tensorIsExternal(tensor) {
  for (const [number, value] of fields(tensor)) {
    if ((number === 14 && value === EXTERNAL) || number === 13) return true;
  }
  return false;
}

/** (field number, value) pairs of one message: numbers for varints, byte views for length-delimited fields. */
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
      if (position + length > end) throw new ProtoError("truncated field");
      yield [number, view.subarray(position, position + length)];
      position += length;
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      position += wireType === FIXED64 ? 8 : 4;
      if (position > end) throw new ProtoError("truncated field");
    } else {
      throw new ProtoError(`unknown wire type ${wireType}`);
    }
  }
}

/** A varint as a Number: exact below 2**53, which covers every length, key and flag read here. */
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
