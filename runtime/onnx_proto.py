"""Just enough of the ONNX protobuf wire format to read and vet a model file without the `onnx` package.

`read_model(data)` parses a serialized `ModelProto` into plain objects: metadata, opsets, and the one
graph's nodes, initializers, inputs and outputs. An lstm-edge file is flat — one graph, no subgraphs,
no functions, no sparse tensors, every tensor inside the file — so the reader knows only the fields our
exporter writes and refuses every other field on sight (`ForbiddenContent`) instead of descending into
it: it never recurses, whatever the nesting of a crafted file, and a tensor that names an outside file
is never handed to onnxruntime. Bytes that do not parse (truncated, not protobuf, a field twice that
protobuf would merge, not UTF-8 where text belongs) raise `ProtoError`. The work is bounded: at most
`FIELD_BUDGET` fields and `NUMBER_BUDGET` numbers outside raw data per file, tensors of `MAX_RANK` axes.

Being strict about duplicates and wire types matters: a parser that reads a file differently from
onnxruntime's (which merges repeated messages and keeps the last of repeated scalars) could vet one
graph while onnxruntime runs another.

Field numbers are from onnx.proto (IR version 10); the ones marked * are the only ones read:

    ModelProto      ir_version=1* producer_name=2* producer_version=3* domain=4* model_version=5*
                    doc_string=6* graph=7* opset_import=8* metadata_props=14* training_info=20
                    functions=25 configuration=26
    GraphProto      node=1* name=2* initializer=5* doc_string=10* input=11* output=12* value_info=13*
                    quantization_annotation=14 sparse_initializer=15 metadata_props=16
    NodeProto       input=1* output=2* name=3* op_type=4* attribute=5* doc_string=6* domain=7* overload=8
                    metadata_props=9 device_configurations=10
    AttributeProto  name=1* f=2* i=3* s=4* t=5* g=6 floats=7* ints=8* strings=9* tensors=10 graphs=11
                    doc_string=13* tp=14 type_protos=15 type=20* ref_attr_name=21 sparse_tensor=22
                    sparse_tensors=23
    TensorProto     dims=1* data_type=2* segment=3 float_data=4* int32_data=5* string_data=6 int64_data=7*
                    name=8* raw_data=9* double_data=10 uint64_data=11 doc_string=12* external_data=13
                    data_location=14* (0 only) metadata_props=16
    ValueInfoProto  name=1* type=2* doc_string=3*     TypeProto tensor_type=1* denotation=6*
    TypeProto.Tensor elem_type=1* shape=2*   TensorShapeProto dim=1*   Dimension value=1* param=2* denotation=3*
    OperatorSetIdProto domain=1* version=2*   StringStringEntryProto key=1* value=2*
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple, Union

from .errors import ModelFileError

if TYPE_CHECKING:
    import numpy as np

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_EMPTY = memoryview(b"")  # an absent string field

# TensorProto.DataType → numpy dtype name, for the types our files hold
TENSOR_TYPES = {1: "float32", 2: "uint8", 3: "int8", 6: "int32", 7: "int64"}
FLOAT, UINT8, INT8, INT32, INT64 = 1, 2, 3, 6, 7
_ITEM_SIZES = {FLOAT: 4, UINT8: 1, INT8: 1, INT32: 4, INT64: 8}
_VALUE_FIELDS = {4: (FLOAT,), 5: (INT32, INT8, UINT8), 7: (INT64,)}  # typed data field → the types it may hold

FIELD_BUDGET = 200_000  # fields per file (ours: about 1,000, whatever the vocabulary); bounds the parse time
NUMBER_BUDGET = 4_000_000  # numbers outside raw_data (ours: int8 scales, about 2 per word); bounds the memory
MAX_RANK = 8  # axes of a tensor; ours have at most 3

OUTSIDE_DATA = "keeps tensor data in an outside file; an lstm-edge model is one self-contained file"

AttributeValue = Union[int, float, bytes, list[int], list[float], list[bytes], "Tensor"]


class ProtoError(ModelFileError):
    """The bytes are not a well-formed ONNX protobuf message."""


class ForbiddenContent(ModelFileError):
    """A well-formed ONNX file holding something an lstm-edge model never has (outside data, subgraphs, …)."""


class Tensor(NamedTuple):
    name: str
    dims: tuple[int, ...]
    data_type: int  # always a key of TENSOR_TYPES, and the data always fills `dims` (checked when read)
    raw: bytes | memoryview | None  # raw_data, when the tensor uses it: a view into the file's bytes
    values: tuple[float | int, ...] = ()  # float_data / int32_data / int64_data otherwise

    def to_numpy(self) -> np.ndarray:
        """The tensor as an array: read-only, and for raw data a view of the file's bytes, not a copy (a
        model's weights are megabytes; copying them twice cost the numpy backend's cold start 7 ms)."""
        import numpy as np

        dtype = np.dtype(TENSOR_TYPES[self.data_type])
        if self.raw is not None:
            stored = np.frombuffer(self.raw, dtype=dtype.newbyteorder("<")).reshape(self.dims)
            return stored if stored.dtype == dtype else stored.astype(dtype)  # a big-endian machine: converted
        array = np.array(self.values, dtype=dtype).reshape(self.dims)
        array.flags.writeable = False
        return array


class Node(NamedTuple):
    op_type: str
    domain: str
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attributes: dict[str, AttributeValue]


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
    return _Reader(max_nodes).model(memoryview(data))


# --- the messages we read: field number → wire type, which fields repeat, and what the others hold -----


class _Message:
    """One protobuf message type as we read it: the fields our files use (number → wire type), which of
    them repeat, and, for the refused fields ONNX defines, what a file holding one does."""

    def __init__(
        self,
        name: str,
        fields: dict[int, int],
        repeated: frozenset[int] = frozenset(),
        never: dict[int, str] | None = None,
    ) -> None:
        self.name = name
        self.fields = fields
        self.repeated = repeated
        self.never = never or {}

    def refusal(self, number: int) -> ModelFileError:
        """The error for a field we do not read: refused content when ONNX defines it, else not ONNX."""
        if self is _TENSOR and number == 13:
            return ForbiddenContent(OUTSIDE_DATA)
        if number in self.never:
            return ForbiddenContent(f"{self.never[number]}, which an lstm-edge model never has")
        return ProtoError(f"field {number} of a {self.name} is not in the ONNX format")


_MODEL = _Message(
    "model",
    {1: _VARINT, 2: _BYTES, 3: _BYTES, 4: _BYTES, 5: _VARINT, 6: _BYTES, 7: _BYTES, 8: _BYTES, 14: _BYTES},
    frozenset({8, 14}),
    {20: "holds training information", 25: "holds functions", 26: "holds device configurations"},
)
_GRAPH = _Message(
    "graph",
    {1: _BYTES, 2: _BYTES, 5: _BYTES, 10: _BYTES, 11: _BYTES, 12: _BYTES, 13: _BYTES},
    frozenset({1, 5, 11, 12, 13}),
    {14: "holds quantization annotations", 15: "holds sparse initializers", 16: "holds graph metadata"},
)
_NODE = _Message(
    "node",
    {1: _BYTES, 2: _BYTES, 3: _BYTES, 4: _BYTES, 5: _BYTES, 6: _BYTES, 7: _BYTES},
    frozenset({1, 2, 5}),
    {8: "calls a function overload", 9: "holds node metadata", 10: "holds device configurations"},
)
_ATTRIBUTE = _Message(
    "attribute",
    {
        1: _BYTES,
        2: _FIXED32,
        3: _VARINT,
        4: _BYTES,
        5: _BYTES,
        7: _FIXED32,
        8: _VARINT,
        9: _BYTES,
        13: _BYTES,
        20: _VARINT,
    },
    frozenset({7, 8, 9}),
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
)
_TENSOR = _Message(
    "tensor",
    {1: _VARINT, 2: _VARINT, 4: _FIXED32, 5: _VARINT, 7: _VARINT, 8: _BYTES, 9: _BYTES, 12: _BYTES, 14: _VARINT},
    frozenset({1, 4, 5, 7}),
    {
        3: "holds a segmented tensor",
        6: "holds a tensor of strings",
        10: "holds a tensor of doubles",
        11: "holds a tensor of uint64",
        16: "holds tensor metadata",
    },
)
_VALUE_INFO = _Message("value", {1: _BYTES, 2: _BYTES, 3: _BYTES}, never={4: "holds value metadata"})
_TYPE = _Message(
    "type",
    {1: _BYTES, 6: _BYTES},
    never={
        4: "holds a sequence-typed value",
        5: "holds a map-typed value",
        7: "holds an opaque-typed value",
        8: "holds a sparse-tensor-typed value",
        9: "holds an optional-typed value",
    },
)
_TENSOR_TYPE = _Message("tensor type", {1: _VARINT, 2: _BYTES})
_SHAPE = _Message("shape", {1: _BYTES}, frozenset({1}))
_DIMENSION = _Message("dimension", {1: _VARINT, 2: _BYTES, 3: _BYTES})
_OPSET = _Message("opset import", {1: _BYTES, 2: _VARINT})
_ENTRY = _Message("metadata entry", {1: _BYTES, 2: _BYTES})

# AttributeProto.type for each value field (FLOAT=1 INT=2 STRING=3 TENSOR=4 FLOATS=6 INTS=7 STRINGS=8)
_ATTRIBUTE_TYPES = {2: 1, 3: 2, 4: 3, 5: 4, 7: 6, 8: 7, 9: 8}


class _Reader:
    """One pass over one file; counts the fields it reads against the budget."""

    def __init__(self, max_nodes: int) -> None:
        self.max_nodes = max_nodes
        self.fields_left = FIELD_BUDGET
        self.numbers_left = NUMBER_BUDGET

    def model(self, view: memoryview) -> OnnxModel:
        model = OnnxModel()
        for number, value in self.fields(view, _MODEL):
            if number == 1:
                model.ir_version = _int(value)
            elif number == 7:
                model.graph = self.graph(_view(value))
            elif number == 8:
                opset = dict(self.fields(_view(value), _OPSET))
                domain = _text(opset.get(1, _EMPTY), "opset domain")
                if domain in model.opsets:
                    raise ProtoError(f"opset domain {domain[:60]!r} imported twice")
                model.opsets[domain] = _int(opset.get(2, 0))
            elif number == 14:
                entry = dict(self.fields(_view(value), _ENTRY))
                key = _text(entry.get(1, _EMPTY), "metadata key")
                if key in model.metadata:
                    raise ProtoError(f"metadata key {key[:60]!r} appears twice")
                model.metadata[key] = _text(entry.get(2, _EMPTY), f"metadata {key[:60]}")
        return model

    def graph(self, view: memoryview) -> Graph:
        graph = Graph()
        for number, value in self.fields(view, _GRAPH):
            if number == 1:
                if len(graph.nodes) >= self.max_nodes:
                    raise ForbiddenContent(f"has more than {self.max_nodes:,} nodes")
                graph.nodes.append(self.node(_view(value)))
            elif number == 5:
                tensor = self.tensor(_view(value))
                if tensor.name in graph.initializers:
                    raise ProtoError(f"initializer {tensor.name[:60]!r} appears twice")
                graph.initializers[tensor.name] = tensor
            elif number == 11:
                graph.inputs.append(self.value_info(_view(value)))
            elif number == 12:
                graph.outputs.append(self.value_info(_view(value)))
            elif number == 13:
                self.value_info(_view(value))  # read for what it may hold; the runtime needs none of it
        return graph

    def node(self, view: memoryview) -> Node:
        inputs: list[str] = []
        outputs: list[str] = []
        op_type = domain = name = ""
        attributes: dict[str, AttributeValue] = {}
        for number, value in self.fields(view, _NODE):
            if number == 1:
                inputs.append(_text(value, "node input"))
            elif number == 2:
                outputs.append(_text(value, "node output"))
            elif number == 3:
                name = _text(value, "node name")
            elif number == 4:
                op_type = _text(value, "op_type")
            elif number == 5:
                attribute_name, attribute_value = self.attribute(_view(value))
                if attribute_name in attributes:
                    raise ProtoError(f"attribute {attribute_name[:60]!r} given twice")
                attributes[attribute_name] = attribute_value
            elif number == 7:
                domain = _text(value, "domain")
        return Node(op_type, domain, name, tuple(inputs), tuple(outputs), attributes)

    def attribute(self, view: memoryview) -> tuple[str, AttributeValue]:
        name = ""
        declared: int | None = None
        kinds: set[int] = set()  # which value fields are present
        value: AttributeValue | None = None
        ints: list[int] = []
        floats: list[float] = []
        strings: list[bytes] = []
        for number, item in self.fields(view, _ATTRIBUTE):
            if number in _ATTRIBUTE_TYPES:
                kinds.add(number)
            if number == 1:
                name = _text(item, "attribute name")
            elif number == 20:
                declared = _int(item)
            elif number == 2:
                value = _float32(item)
            elif number == 3:
                value = _signed(_int(item))
            elif number == 4:
                value = bytes(_view(item))
            elif number == 5:
                value = self.tensor(_view(item))
            elif number == 7:
                floats.extend(self.packed_floats(item))
            elif number == 8:
                ints.extend(self.packed_varints(item))
            elif number == 9:
                strings.append(bytes(_view(item)))
        if len(kinds) > 1:  # onnxruntime would pick one by `type`, we another: refuse the ambiguity
            raise ProtoError(f"attribute {name[:60]!r} holds values of {len(kinds)} kinds")
        if declared is not None and kinds and declared != _ATTRIBUTE_TYPES[next(iter(kinds))]:
            raise ProtoError(f"attribute {name[:60]!r} declares type {declared} but holds another")
        if value is None:
            value = ints or floats or strings
        return name, value

    def tensor(self, view: memoryview) -> Tensor:
        dims: list[int] = []
        data_type = 0
        name = ""
        raw: memoryview | None = None
        values: list[float | int] = []
        sources: set[int] = set()  # data fields present
        for number, value in self.fields(view, _TENSOR):
            if number == 14:
                if value != 0:  # EXTERNAL, or anything onnxruntime might read as it
                    raise ForbiddenContent(OUTSIDE_DATA)
            elif number == 1:
                dims.extend(self.packed_varints(value))
                if len(dims) > MAX_RANK:
                    raise ForbiddenContent(f"has a tensor of more than {MAX_RANK} axes")
            elif number == 2:
                data_type = _int(value)
            elif number == 4:
                sources.add(number)
                values.extend(self.packed_floats(value))
            elif number in (5, 7):
                sources.add(number)
                values.extend(self.packed_varints(value))
            elif number == 8:
                name = _text(value, "tensor name")
            elif number == 9:
                sources.add(number)
                raw = _view(value)
        return _checked_tensor(name, dims, data_type, raw, values, sources)

    def value_info(self, view: memoryview) -> ValueInfo:
        name = ""
        elem_type = 0
        dims: list[int | str | None] | None = None
        for number, value in self.fields(view, _VALUE_INFO):
            if number == 1:
                name = _text(value, "value name")
            elif number == 2:
                for type_number, type_value in self.fields(_view(value), _TYPE):
                    if type_number != 1:
                        continue  # a denotation
                    for tensor_number, tensor_value in self.fields(_view(type_value), _TENSOR_TYPE):
                        if tensor_number == 1:
                            elem_type = _int(tensor_value)
                        else:
                            dims = [self.dimension(_view(d)) for _, d in self.fields(_view(tensor_value), _SHAPE)]
        return ValueInfo(name, elem_type, None if dims is None else tuple(dims))

    def dimension(self, view: memoryview) -> int | str | None:
        size: int | str | None = None
        for number, value in self.fields(view, _DIMENSION):
            if number in (1, 2) and size is not None:  # a oneof: protobuf keeps the last, we refuse both
                raise ProtoError("a dimension with both a size and a name")
            if number == 1:
                size = _signed(_int(value))
            elif number == 2:
                size = _text(value, "dim_param")
        return size

    # --- the wire format ---

    def fields(self, view: memoryview, message: _Message) -> Iterator[tuple[int, int | memoryview]]:
        """(field number, value) pairs of one message, each field checked against `message`: ints for
        varints and fixed-width fields, views for length-delimited ones (packed numbers included)."""
        seen: set[int] = set()
        position, end = 0, len(view)
        while position < end:
            self.fields_left -= 1
            if self.fields_left < 0:
                raise ForbiddenContent(f"has more than {FIELD_BUDGET:,} fields, far more than any lstm-edge model")
            key, position = _varint(view, position)
            number, wire_type = key >> 3, key & 7
            expected = message.fields.get(number)
            if expected is None:
                raise message.refusal(number)
            if wire_type != expected and not (number in message.repeated and wire_type == _BYTES):
                raise ProtoError(f"{message.name} field {number} has the wrong wire type")
            if number not in message.repeated:
                if number in seen:  # protobuf would merge or overwrite: two readings of one file
                    raise ProtoError(f"{message.name} field {number} appears twice")
                seen.add(number)
            value: int | memoryview
            if wire_type == _VARINT:
                value, position = _varint(view, position)
            elif wire_type == _BYTES:
                length, position = _varint(view, position)
                if length > end - position:
                    raise ProtoError("truncated field")
                value = view[position : position + length]
                position += length
            else:
                width = 8 if wire_type == _FIXED64 else 4
                if width > end - position:
                    raise ProtoError("truncated field")
                value = int.from_bytes(view[position : position + width], "little")
                position += width
            yield number, value

    def packed_varints(self, value: int | memoryview) -> list[int]:
        """The numbers of a packed (or one unpacked) varint field, read as int64."""
        if not isinstance(value, memoryview):  # one unpacked element
            self.count_numbers(1)
            return [_signed(value)]
        self.count_numbers(len(value))  # at least one byte each: an upper bound, checked before decoding
        data = bytes(value)
        if data.isascii():  # every number below 128, one byte each (dims, zero points): decoded in C
            return list(data)
        numbers: list[int] = []
        position = 0
        while position < len(data):
            number, position = _varint(value, position)
            numbers.append(_signed(number))
        return numbers

    def packed_floats(self, value: int | memoryview) -> list[float]:
        if not isinstance(value, memoryview):  # one unpacked fixed32 element
            self.count_numbers(1)
            return [_float32(value)]
        if len(value) % 4:
            raise ProtoError("packed floats of a length not divisible by 4")
        self.count_numbers(len(value) // 4)
        return list(struct.unpack(f"<{len(value) // 4}f", value))

    def count_numbers(self, count: int) -> None:
        self.numbers_left -= count
        if self.numbers_left < 0:
            raise ForbiddenContent(
                f"holds more than {NUMBER_BUDGET:,} numbers outside raw tensor data, far more than any lstm-edge model"
            )


def _checked_tensor(
    name: str,
    dims: list[int],
    data_type: int,
    raw: bytes | memoryview | None,
    values: list[float | int],
    sources: set[int],
) -> Tensor:
    """A tensor whose type is one of ours and whose data fills its shape exactly, from one source."""
    shown = repr(name[:60])
    if data_type not in TENSOR_TYPES:
        raise ForbiddenContent(f"has tensor {shown} of data type {data_type}, which lstm-edge models do not use")
    if any(d < 0 for d in dims):
        raise ProtoError(f"tensor {shown} has a negative dimension")
    if len(sources) > 1:
        raise ProtoError(f"tensor {shown} holds its data twice")
    count = 1
    for dim in dims:
        count *= dim
    if raw is not None:
        if len(raw) != count * _ITEM_SIZES[data_type]:
            raise ProtoError(f"tensor {shown} holds {len(raw):,} bytes, its shape needs another size")
    else:
        if sources and data_type not in _VALUE_FIELDS[next(iter(sources))]:
            raise ProtoError(f"tensor {shown} keeps its values in a field of another type")
        if len(values) != count:
            raise ProtoError(f"tensor {shown} holds {len(values):,} values, its shape needs another number")
    return Tensor(name, tuple(dims), data_type, raw, tuple(values))


def _varint(view: memoryview, position: int) -> tuple[int, int]:
    result, shift = 0, 0
    while True:
        if position >= len(view):
            raise ProtoError("truncated varint")
        byte = view[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if result >> 64:
                raise ProtoError("varint too long")
            return result, position
        shift += 7
        if shift > 63:
            raise ProtoError("varint too long")


def _view(value: int | memoryview) -> memoryview:
    assert isinstance(value, memoryview)  # `fields` checked the wire type
    return value


def _int(value: int | memoryview) -> int:
    assert not isinstance(value, memoryview)  # `fields` checked the wire type
    return value


def _text(value: int | memoryview, what: str) -> str:
    try:
        return bytes(_view(value)).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtoError(f"{what} is not UTF-8 text") from None


def _signed(value: int) -> int:
    """A varint read as int64 (negative numbers are sent as 64-bit two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _float32(value: int | memoryview) -> float:
    (number,) = struct.unpack("<f", _int(value).to_bytes(4, "little"))
    return float(number)
