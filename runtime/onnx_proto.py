"""Just enough of the ONNX protobuf wire format to read and vet a model file without the `onnx` package.

`read_model(data)` parses a serialized `ModelProto` into plain objects: metadata, opsets, and the one
graph's nodes, initializers, inputs and outputs. An lstm-edge file is flat — one graph, no subgraphs,
no functions, no sparse tensors, every tensor inside the file — so the reader refuses all of those on
sight (`ForbiddenContent`) instead of descending into them: it never recurses, whatever the nesting of a
crafted file, and a tensor that names an outside file is never handed to onnxruntime. Bytes that do not
parse (truncated, not protobuf, not UTF-8 where text belongs) raise `ProtoError`.

Field numbers are from onnx.proto (IR version 10):

    ModelProto      ir_version=1 graph=7 opset_import=8 metadata_props=14 training_info=20 functions=25
    GraphProto      node=1 initializer=5 input=11 output=12 value_info=13 sparse_initializer=15
    NodeProto       input=1 output=2 name=3 op_type=4 attribute=5 domain=7 overload=8
    AttributeProto  name=1 f=2 i=3 s=4 t=5 g=6 floats=7 ints=8 strings=9 tensors=10 graphs=11 tp=14
                    type_protos=15 type=20 ref_attr_name=21 sparse_tensor=22 sparse_tensors=23
    TensorProto     dims=1 data_type=2 float_data=4 int32_data=5 int64_data=7 name=8 raw_data=9
                    external_data=13 data_location=14
    ValueInfoProto  name=1 type=2     TypeProto tensor_type=1 (elem_type=1 shape=2)   Dimension value=1 param=2
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from .errors import ModelFileError

if TYPE_CHECKING:
    import numpy as np

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_EXTERNAL = 1  # TensorProto.DataLocation.EXTERNAL
_EMPTY = memoryview(b"")  # an absent string field

# TensorProto.DataType → numpy dtype name, for the types our files hold
TENSOR_TYPES = {1: "float32", 2: "uint8", 3: "int8", 6: "int32", 7: "int64"}
FLOAT, UINT8, INT8, INT32, INT64 = 1, 2, 3, 6, 7

# Fields that hold nested graphs, functions, sparse or outside data: never in our files, refused unread.
_FORBIDDEN_MODEL_FIELDS = {20: "training information", 25: "functions"}
_FORBIDDEN_GRAPH_FIELDS = {15: "sparse initializers"}
_FORBIDDEN_ATTRIBUTE_FIELDS = {
    6: "a subgraph",
    10: "a list of tensors",
    11: "subgraphs",
    14: "a type",
    15: "types",
    21: "a function attribute reference",
    22: "a sparse tensor",
    23: "sparse tensors",
}


class ProtoError(ModelFileError):
    """The bytes are not a well-formed ONNX protobuf message."""


class ForbiddenContent(ModelFileError):
    """A well-formed ONNX file holding something an lstm-edge model never has (outside data, subgraphs, …)."""


class Tensor(NamedTuple):
    name: str
    dims: tuple[int, ...]
    data_type: int
    raw: bytes | None  # raw_data, when the tensor uses it
    values: tuple[float | int, ...] = ()  # float_data / int32_data / int64_data otherwise

    def to_numpy(self) -> np.ndarray:
        """The tensor as an array (a copy); a size that does not match its dims raises `ProtoError`."""
        import numpy as np

        dtype = TENSOR_TYPES.get(self.data_type)
        if dtype is None:
            raise ProtoError(f"tensor {self.name!r} has data type {self.data_type}, which lstm-edge does not use")
        count = 1
        for dim in self.dims:
            count *= dim
        if self.raw is not None:
            if len(self.raw) != count * np.dtype(dtype).itemsize:
                raise ProtoError(f"tensor {self.name!r} holds {len(self.raw)} bytes, its shape needs another size")
            return np.frombuffer(self.raw, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype).reshape(self.dims)
        if len(self.values) != count:
            raise ProtoError(f"tensor {self.name!r} holds {len(self.values)} values, its shape needs {count}")
        return np.array(self.values, dtype=dtype).reshape(self.dims)


class Node(NamedTuple):
    op_type: str
    domain: str
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attributes: dict[str, int | float | bytes | list[int] | list[float] | list[bytes] | Tensor]


class ValueInfo(NamedTuple):
    name: str
    elem_type: int  # 0 when the type is not given
    dims: tuple[int | str | None, ...] | None  # None: no shape; per axis a size, a symbolic name or unknown


# Named tuples and plain classes, not dataclasses: every dataclass costs about a millisecond at import,
# and this module is on every cold start.


class Graph:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.initializers: dict[str, Tensor] = {}
        self.inputs: list[ValueInfo] = []
        self.outputs: list[ValueInfo] = []


class OnnxModel:
    def __init__(self) -> None:
        self.ir_version = 0
        self.opsets: dict[str, int] = {}  # domain ("" = ai.onnx) → version
        self.metadata: dict[str, str] = {}
        self.graph: Graph | None = None


def read_model(data: bytes | memoryview, max_nodes: int = 100_000) -> OnnxModel:
    """Parse and vet a serialized ModelProto (see the module docstring for what is refused)."""
    model = OnnxModel()
    for number, value in _fields(memoryview(data)):
        if number in _FORBIDDEN_MODEL_FIELDS:
            raise ForbiddenContent(f"holds {_FORBIDDEN_MODEL_FIELDS[number]}, which an lstm-edge model never has")
        if number == 1:
            model.ir_version = _int(value, "ir_version")
        elif number == 7:
            if model.graph is not None:
                raise ProtoError("more than one graph")
            model.graph = _graph(_message(value, "graph"), max_nodes)
        elif number == 8:
            opset = dict(_fields(_message(value, "opset_import")))
            domain = _text(opset.get(1, _EMPTY), "opset domain")
            if domain in model.opsets:
                raise ProtoError(f"opset domain {domain!r} imported twice")
            model.opsets[domain] = _int(opset.get(2, 0), "opset version")
        elif number == 14:
            entry = dict(_fields(_message(value, "metadata_props")))
            key = _text(entry.get(1, _EMPTY), "metadata key")
            if key in model.metadata:
                raise ProtoError(f"metadata key {key!r} appears twice")
            model.metadata[key] = _text(entry.get(2, _EMPTY), f"metadata {key}")
    return model


def _graph(view: memoryview, max_nodes: int) -> Graph:
    graph = Graph()
    for number, value in _fields(view):
        if number in _FORBIDDEN_GRAPH_FIELDS:
            raise ForbiddenContent(f"holds {_FORBIDDEN_GRAPH_FIELDS[number]}, which an lstm-edge model never has")
        if number == 1:
            if len(graph.nodes) >= max_nodes:
                raise ForbiddenContent(f"has more than {max_nodes:,} nodes")
            graph.nodes.append(_node(_message(value, "node")))
        elif number == 5:
            tensor = _tensor(_message(value, "initializer"))
            if tensor.name in graph.initializers:
                raise ProtoError(f"initializer {tensor.name!r} appears twice")
            graph.initializers[tensor.name] = tensor
        elif number in (11, 12, 13):
            info = _value_info(_message(value, "value_info"))
            if number == 11:
                graph.inputs.append(info)
            elif number == 12:
                graph.outputs.append(info)
    return graph


def _node(view: memoryview) -> Node:
    inputs: list[str] = []
    outputs: list[str] = []
    op_type = domain = name = ""
    attributes: dict[str, int | float | bytes | list[int] | list[float] | list[bytes] | Tensor] = {}
    for number, value in _fields(view):
        if number == 1:
            inputs.append(_text(value, "node input"))
        elif number == 2:
            outputs.append(_text(value, "node output"))
        elif number == 3:
            name = _text(value, "node name")
        elif number == 4:
            op_type = _text(value, "op_type")
        elif number == 5:
            attribute_name, attribute_value = _attribute(_message(value, "attribute"))
            if attribute_name in attributes:
                raise ProtoError(f"attribute {attribute_name!r} given twice")
            attributes[attribute_name] = attribute_value
        elif number == 7:
            domain = _text(value, "domain")
        elif number == 8 and _text(value, "overload"):
            raise ForbiddenContent("calls a function overload, which an lstm-edge model never has")
    return Node(op_type, domain, name, tuple(inputs), tuple(outputs), attributes)


def _attribute(view: memoryview) -> tuple[str, int | float | bytes | list[int] | list[float] | list[bytes] | Tensor]:
    name = ""
    value: int | float | bytes | list[int] | list[float] | list[bytes] | Tensor | None = None
    ints: list[int] = []
    floats: list[float] = []
    strings: list[bytes] = []
    for number, item in _fields(view):
        if number in _FORBIDDEN_ATTRIBUTE_FIELDS:
            holding = _FORBIDDEN_ATTRIBUTE_FIELDS[number]
            raise ForbiddenContent(f"has a node attribute holding {holding}, which an lstm-edge model never has")
        if number == 1:
            name = _text(item, "attribute name")
        elif number == 2:
            value = _float32(item)
        elif number == 3:
            value = _signed(_int(item, "attribute int"))
        elif number == 4:
            value = bytes(_message(item, "attribute string"))
        elif number == 5:
            value = _tensor(_message(item, "attribute tensor"))
        elif number == 7:
            floats.extend(_packed_floats(item))
        elif number == 8:
            ints.extend(_signed(i) for i in _packed_varints(item))
        elif number == 9:
            strings.append(bytes(_message(item, "attribute strings")))
    if value is None:
        value = ints or floats or strings
    return name, value


def _tensor(view: memoryview) -> Tensor:
    dims: list[int] = []
    data_type = 0
    name = ""
    raw: bytes | None = None
    values: list[float | int] = []
    for number, value in _fields(view):
        if number == 13 or (number == 14 and value == _EXTERNAL):
            raise ForbiddenContent(
                "keeps tensor data in an outside file; an lstm-edge model is one self-contained file"
            )
        if number == 1:
            dims.extend(_signed(d) for d in _packed_varints(value))
        elif number == 2:
            data_type = _int(value, "data_type")
        elif number == 4:
            values.extend(_packed_floats(value))
        elif number in (5, 7):
            values.extend(_signed(v) for v in _packed_varints(value))
        elif number == 8:
            name = _text(value, "tensor name")
        elif number == 9:
            raw = bytes(_message(value, "raw_data"))
    if any(d < 0 for d in dims):
        raise ProtoError(f"tensor {name!r} has a negative dimension")
    return Tensor(name, tuple(dims), data_type, raw, tuple(values))


def _value_info(view: memoryview) -> ValueInfo:
    name = ""
    elem_type = 0
    dims: list[int | str | None] | None = None
    for number, value in _fields(view):
        if number == 1:
            name = _text(value, "value name")
        elif number == 2:
            for type_number, type_value in _fields(_message(value, "type")):
                if type_number != 1:  # sequence, map, optional, sparse tensor: never ours
                    if type_number in (4, 5, 8, 9):
                        raise ForbiddenContent(f"{name or 'a value'} is not a plain tensor")
                    continue
                for tensor_number, tensor_value in _fields(_message(type_value, "tensor_type")):
                    if tensor_number == 1:
                        elem_type = _int(tensor_value, "elem_type")
                    elif tensor_number == 2:
                        dims = [
                            _dimension(_message(d, "dim"))
                            for n, d in _fields(_message(tensor_value, "shape"))
                            if n == 1
                        ]
    return ValueInfo(name, elem_type, None if dims is None else tuple(dims))


def _dimension(view: memoryview) -> int | str | None:
    size: int | str | None = None
    for number, value in _fields(view):
        if number == 1:
            size = _signed(_int(value, "dim_value"))
        elif number == 2:
            size = _text(value, "dim_param")
    return size


# --- the wire format ----------------------------------------------------------------------------------


def _fields(view: memoryview) -> Iterator[tuple[int, int | memoryview]]:
    """(field number, value) pairs of one message: ints for varints and fixed-width fields, views for
    length-delimited ones."""
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
            if length > end - position:
                raise ProtoError("truncated field")
            yield number, view[position : position + length]
            position += length
        elif wire_type in (_FIXED64, _FIXED32):
            width = 8 if wire_type == _FIXED64 else 4
            if width > end - position:
                raise ProtoError("truncated field")
            yield number, int.from_bytes(view[position : position + width], "little")
            position += width
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


def _message(value: int | memoryview, what: str) -> memoryview:
    if not isinstance(value, memoryview):
        raise ProtoError(f"{what} has the wrong wire type")
    return value


def _int(value: int | memoryview, what: str) -> int:
    if isinstance(value, memoryview):
        raise ProtoError(f"{what} has the wrong wire type")
    return value


def _text(value: int | memoryview, what: str) -> str:
    try:
        return bytes(_message(value, what)).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtoError(f"{what} is not UTF-8 text") from None


def _signed(value: int) -> int:
    """A varint read as int64 (negative numbers are sent as 64-bit two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _packed_varints(value: int | memoryview) -> Iterator[int]:
    if not isinstance(value, memoryview):  # one unpacked element
        yield value
        return
    position = 0
    while position < len(value):
        number, position = _varint(value, position)
        yield number


def _packed_floats(value: int | memoryview) -> list[float]:
    if not isinstance(value, memoryview):  # one unpacked fixed32 element
        return [_float32(value)]
    if len(value) % 4:
        raise ProtoError("packed floats of a length not divisible by 4")
    return list(struct.unpack(f"<{len(value) // 4}f", value))


def _float32(value: int | memoryview) -> float:
    if isinstance(value, memoryview) or value >= 1 << 32:
        raise ProtoError("a float has the wrong wire type")
    (number,) = struct.unpack("<f", value.to_bytes(4, "little"))
    return float(number)
