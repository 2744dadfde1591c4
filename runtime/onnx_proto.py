"""Just enough of the ONNX protobuf wire format to vet a model file without the `onnx` package.

Reads a serialized `ModelProto` and reports its metadata and whether any tensor keeps its data
outside the file. A file that does not parse as a ModelProto (truncated, or not ONNX at all)
raises `ProtoError`. Field numbers are from onnx.proto:

    ModelProto:  ir_version=1  graph=7  metadata_props=14      StringStringEntryProto: key=1 value=2
    GraphProto:  node=1  initializer=5  sparse_initializer=15  NodeProto: attribute=5
    AttributeProto: t=5  g=6  tensors=10  graphs=11            TensorProto: external_data=13 data_location=14
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_EXTERNAL = 1  # TensorProto.DataLocation.EXTERNAL


class ProtoError(ValueError):
    """The bytes are not a well-formed protobuf message."""


@dataclass(frozen=True)
class ModelSummary:
    ir_version: int
    metadata: dict[str, str]
    has_graph: bool
    external_data: bool


def summarize_model(data: bytes | memoryview) -> ModelSummary:
    view = memoryview(data)
    ir_version, metadata, has_graph, external = 0, {}, False, False
    for number, value in _fields(view):
        if number == 1 and isinstance(value, int):
            ir_version = value
        elif number == 7 and isinstance(value, memoryview):
            has_graph = True
            external = external or _graph_has_external_data(value)
        elif number == 14 and isinstance(value, memoryview):
            entry = {n: v for n, v in _fields(value) if isinstance(v, memoryview)}
            try:
                metadata[bytes(entry.get(1, b"")).decode()] = bytes(entry.get(2, b"")).decode()
            except UnicodeDecodeError:
                raise ProtoError("metadata is not UTF-8") from None
    return ModelSummary(ir_version, metadata, has_graph, external)


def _graph_has_external_data(graph: memoryview) -> bool:
    for number, value in _fields(graph):
        if not isinstance(value, memoryview):
            continue
        if number == 5 and _tensor_is_external(value):
            return True
        if number == 15 and any(_tensor_is_external(v) for _, v in _fields(value) if isinstance(v, memoryview)):
            return True
        if number == 1 and _node_has_external_data(value):
            return True
    return False


def _node_has_external_data(node: memoryview) -> bool:
    for number, attribute in _fields(node):
        if number != 5 or not isinstance(attribute, memoryview):
            continue
        for field, value in _fields(attribute):
            if not isinstance(value, memoryview):
                continue
            if field in (5, 10) and _tensor_is_external(value):
                return True
            if field in (6, 11) and _graph_has_external_data(value):
                return True
    return False


def _tensor_is_external(tensor: memoryview) -> bool:
    return any((number == 14 and value == _EXTERNAL) or number == 13 for number, value in _fields(tensor))


def _fields(view: memoryview) -> Iterator[tuple[int, int | memoryview]]:
    """(field number, value) pairs of one message: ints for varints, views for length-delimited fields."""
    position, end = 0, len(view)
    while position < end:
        key, position = _varint(view, position)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise ProtoError("field number 0")
        if wire_type == _VARINT:
            value, position = _varint(view, position)
            yield number, value
        elif wire_type == _BYTES:
            length, position = _varint(view, position)
            if position + length > end:
                raise ProtoError("truncated field")
            yield number, view[position : position + length]
            position += length
        elif wire_type in (_FIXED64, _FIXED32):
            position += 8 if wire_type == _FIXED64 else 4
            if position > end:
                raise ProtoError("truncated field")
        else:
            raise ProtoError(f"unknown wire type {wire_type}")


def _varint(view: memoryview, position: int) -> tuple[int, int]:
    result, shift = 0, 0
    while True:
        if position >= len(view):
            raise ProtoError("truncated varint")
        byte = view[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise ProtoError("varint too long")
