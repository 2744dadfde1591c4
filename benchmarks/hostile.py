"""Crafted model files: the catalogue of attacks the runtime's loader must refuse, built with the `onnx` package.

Every case starts from a real lstm-edge file (the shipped model) and changes one thing, so the loader must
find that one thing: outside data hidden anywhere ONNX allows a tensor, subgraphs and functions, bombs,
and metadata that disagrees with the graph. A case that points at outside data points at a *sentinel*: a
FIFO with a writer waiting on it, so opening it for reading — by our reader or by onnxruntime — is seen.

    case.build(base, sentinel) -> bytes      # base: a fresh copy of the shipped ModelProto

`tests/test_hostile_models.py` asserts each refusal; `python -m benchmarks fuzz` counts them with the fuzzers.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from lstm_edge.runtime import contract

OUTSIDE = "keeps tensor data in an outside file"
REFUSED = "which an lstm-edge model never has"
MALFORMED = "not an ONNX model, or a truncated one"


@dataclass(frozen=True)
class Case:
    name: str
    group: str  # outside data | structure | bomb | metadata | onnxruntime
    build: Callable[[onnx.ModelProto, Path], bytes]
    message: str  # a part of the one-line error
    error: str = "ModelFileError"  # the class the loader raises (ModelFileError or a subclass)
    sentinel: bool = False  # points at the sentinel
    at_run: bool = False  # passes vetting; onnxruntime refuses it when it runs


class Sentinel:
    """A FIFO with a writer thread blocked in open(): anything that opens the FIFO for reading releases it.

    `opened()` stops the writer (by opening the FIFO itself) and says whether something else did first.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self._released = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._wait, daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def _wait(self) -> None:
        self._ready.set()
        descriptor = os.open(self.path, os.O_WRONLY)  # blocks until a reader opens the FIFO
        self._released.set()
        os.close(descriptor)

    def opened(self, wait: float = 0.1) -> bool:
        """True when something opened the FIFO before now (waiting `wait` s for the writer to notice)."""
        by_other = self._released.wait(wait)
        if not by_other:
            descriptor = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)  # let the writer go
            self._thread.join(5)
            os.close(descriptor)
        self._thread.join(5)
        return by_other


# --- building blocks ----------------------------------------------------------------------------------


def shipped_model() -> onnx.ModelProto:
    from lstm_edge.runtime.model_file import default_model_path

    return onnx.load(default_model_path())


def external(tensor: TensorProto, location: str) -> TensorProto:
    """`tensor`, its data moved (on paper) to `location`: what onnx writes for external data."""
    tensor.ClearField("raw_data")
    for name in ("float_data", "int32_data", "int64_data"):
        tensor.ClearField(name)
    tensor.data_location = TensorProto.EXTERNAL
    size = int(np.prod(tensor.dims)) * (8 if tensor.data_type == TensorProto.INT64 else 4)
    for key, value in (("location", location), ("offset", "0"), ("length", str(size))):
        tensor.external_data.add(key=key, value=value)
    return tensor


def outside_tensor(location: str, name: str = "outside") -> TensorProto:
    return external(numpy_helper.from_array(np.ones(1, np.float32), name), location)


def outside_sparse(location: str, part: str = "values") -> onnx.SparseTensorProto:
    values = numpy_helper.from_array(np.ones(1, np.float32), "values")
    indices = numpy_helper.from_array(np.array([0], np.int64), "indices")
    external(values if part == "values" else indices, location)
    return helper.make_sparse_tensor(values, indices, [4])


def first_constant(model: onnx.ModelProto) -> onnx.NodeProto:
    return next(node for node in model.graph.node if node.op_type == "Constant")


def serialized(model: onnx.ModelProto) -> bytes:
    return model.SerializeToString()


def with_graph_extra(model: onnx.ModelProto, extra: bytes) -> bytes:
    """The model's bytes with `extra` (encoded GraphProto fields) appended inside its graph."""
    graph = model.graph.SerializeToString() + extra
    without = copy.deepcopy(model)
    without.ClearField("graph")
    return without.SerializeToString() + field(7, graph)


def varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        out.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def set_metadata(model: onnx.ModelProto, changes: dict[str, str | None]) -> onnx.ModelProto:
    entries: dict[str, str | None] = {prop.key: prop.value for prop in model.metadata_props}
    entries.update(changes)
    del model.metadata_props[:]
    for key, value in entries.items():
        if value is not None:
            model.metadata_props.add(key=key, value=value)
    return model


def metadata(model: onnx.ModelProto, key: str) -> str:
    return next(prop.value for prop in model.metadata_props if prop.key == key)


def architecture(model: onnx.ModelProto) -> dict:
    return json.loads(metadata(model, contract.KEY_ARCHITECTURE))


def with_vocabulary(model: onnx.ModelProto, change: Callable[[list], list]) -> bytes:
    """The model with its tokenizer's vocabulary changed (and the sha256 made to match, so only the words
    themselves are wrong)."""
    import hashlib

    document = json.loads(metadata(model, contract.KEY_TOKENIZER))
    document["vocabulary"] = change(document["vocabulary"])
    text = json.dumps(document)
    changes = {contract.KEY_TOKENIZER: text, contract.KEY_TOKENIZER_SHA256: hashlib.sha256(text.encode()).hexdigest()}
    return serialized(set_metadata(model, changes))


def with_json(model: onnx.ModelProto, key: str, text: str) -> bytes:
    return serialized(set_metadata(model, {key: text}))


def graph_value(model: onnx.ModelProto, name: str) -> onnx.ValueInfoProto:
    return next(v for v in [*model.graph.input, *model.graph.output] if v.name == name)


# --- outside data: every place ONNX allows a tensor ---------------------------------------------------


def _initializer(model: onnx.ModelProto, sentinel: Path) -> bytes:
    external(model.graph.initializer[0], sentinel.name)
    return serialized(model)


def _initializer_absolute(model: onnx.ModelProto, sentinel: Path) -> bytes:
    external(model.graph.initializer[0], str(sentinel))
    return serialized(model)


def _initializer_traversal(model: onnx.ModelProto, sentinel: Path) -> bytes:
    external(model.graph.initializer[0], f"subdirectory/../{sentinel.name}")
    return serialized(model)


def _data_location_only(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.graph.initializer[0].data_location = TensorProto.EXTERNAL  # the flag alone, raw data kept
    return serialized(model)


def _sparse_initializer(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.graph.sparse_initializer.append(outside_sparse(sentinel.name))
    return serialized(model)


def _constant_value(model: onnx.ModelProto, sentinel: Path) -> bytes:
    gather = [node for node in model.graph.node if node.op_type == "Gather"][-1]  # its indices: a Constant's
    constant = next(node for node in model.graph.node if node.output[0] == gather.input[1])
    external(constant.attribute[0].t, sentinel.name)  # (shape inference needs no data here: onnxruntime reads it)
    return serialized(model)


def _constant_sparse_value(model: onnx.ModelProto, sentinel: Path, part: str = "values") -> bytes:
    constant = first_constant(model)
    del constant.attribute[:]
    constant.attribute.append(helper.make_attribute("sparse_value", outside_sparse(sentinel.name, part)))
    return serialized(model)


def _constant_sparse_indices(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return _constant_sparse_value(model, sentinel, "indices")


def _tensors_attribute(model: onnx.ModelProto, sentinel: Path) -> bytes:
    first_constant(model).attribute.append(helper.make_attribute("value_tensors", [outside_tensor(sentinel.name)]))
    return serialized(model)


def _tensor_attribute_elsewhere(model: onnx.ModelProto, sentinel: Path) -> bytes:
    relu = next(node for node in model.graph.node if node.op_type == "Relu")
    relu.attribute.append(helper.make_attribute("weights", outside_tensor(sentinel.name)))
    return serialized(model)


def _outside_branch(location: str) -> onnx.GraphProto:
    return helper.make_graph(
        [helper.make_node("Constant", [], ["branch_out"], value=outside_tensor(location))],
        "branch",
        [],
        [helper.make_tensor_value_info("branch_out", TensorProto.FLOAT, [1])],
    )


def _if_subgraph(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.graph.initializer.append(numpy_helper.from_array(np.array(True), "always"))
    branch = _outside_branch(sentinel.name)
    model.graph.node.append(helper.make_node("If", ["always"], ["unused"], then_branch=branch, else_branch=branch))
    return serialized(model)


def _loop_subgraph(model: onnx.ModelProto, sentinel: Path) -> bytes:
    body = helper.make_graph(
        [helper.make_node("Identity", ["condition_in"], ["condition_out"])],
        "body",
        [
            helper.make_tensor_value_info("iteration", TensorProto.INT64, []),
            helper.make_tensor_value_info("condition_in", TensorProto.BOOL, []),
        ],
        [helper.make_tensor_value_info("condition_out", TensorProto.BOOL, [])],
        initializer=[outside_tensor(sentinel.name, "loop_weight")],
    )
    model.graph.node.append(helper.make_node("Loop", ["", ""], [], body=body))
    return serialized(model)


def nested_if(depth: int, location: str) -> bytes:
    """An If node whose then-branch holds an If node … `depth` levels down, the last one holding a
    Constant with outside data; encoded by hand (protobuf libraries refuse to build such nesting)."""
    node = helper.make_node("Constant", [], ["deep"], value=outside_tensor(location)).SerializeToString()
    for _ in range(depth):
        graph = field(1, node) + field(2, b"g")
        attribute = field(1, b"then_branch") + varint(20 << 3) + varint(5) + field(6, graph)  # type GRAPH, g
        node = field(2, b"deep") + field(4, b"If") + field(5, attribute)
    return node


def _nested_subgraphs(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_graph_extra(model, field(1, nested_if(2500, sentinel.name)))


def _function(model: onnx.ModelProto, sentinel: Path, called: bool = True) -> bytes:
    function = helper.make_function(
        "evil",
        "Load",
        ["x"],
        ["y"],
        [
            helper.make_node("Constant", [], ["c"], value=outside_tensor(sentinel.name)),
            helper.make_node("Add", ["x", "c"], ["y"]),
        ],
        [helper.make_opsetid("", contract.DEFAULT_OPSET)],
    )
    model.functions.append(function)
    model.opset_import.append(helper.make_opsetid("evil", 1))
    if called:
        model.graph.node.append(helper.make_node("Load", ["/Relu_output_0"], ["unused"], domain="evil"))
    return serialized(model)


def _function_unused(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return _function(model, sentinel, called=False)


def _training_info(model: onnx.ModelProto, sentinel: Path) -> bytes:
    info = model.training_info.add()
    info.initialization.CopyFrom(
        helper.make_graph([], "initialization", [], [], initializer=[outside_tensor(sentinel.name)])
    )
    return serialized(model)


# --- structure: well-formed ONNX that our exporter never writes -------------------------------------


def _foreign_operator(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.opset_import.append(helper.make_opsetid("com.evil", 1))
    model.graph.node.append(helper.make_node("Exec", ["input_ids"], ["unused"], domain="com.evil"))
    return serialized(model)


def _foreign_attribute(model: onnx.ModelProto, sentinel: Path) -> bytes:
    lstm = next(node for node in model.graph.node if node.op_type == "LSTM")
    lstm.attribute.append(helper.make_attribute("direction", "reverse"))
    return serialized(model)


def _foreign_opset(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.opset_import[0].version = 99
    return serialized(model)


def _double_tensor(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.graph.initializer.append(numpy_helper.from_array(np.ones(2, np.float64), "doubles"))
    return serialized(model)


def _string_tensor(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.graph.initializer.append(helper.make_tensor("strings", TensorProto.STRING, [1], [b"x"]))
    return serialized(model)


def _two_graphs(model: onnx.ModelProto, sentinel: Path) -> bytes:
    extra = helper.make_graph([], "second", [], [])
    return serialized(model) + field(7, extra.SerializeToString())  # protobuf would merge the two


def _duplicate_data_type(model: onnx.ModelProto, sentinel: Path) -> bytes:
    """An initializer that says data_type twice (float, then double): protobuf keeps the second."""
    tensor = model.graph.initializer.pop(0)
    forged = tensor.SerializeToString() + varint(2 << 3) + varint(TensorProto.DOUBLE)
    return with_graph_extra(model, field(5, forged))


def _both_raw_and_values(model: onnx.ModelProto, sentinel: Path) -> bytes:
    tensor = model.graph.initializer[0]
    tensor.float_data.extend([1.0] * int(np.prod(tensor.dims)))
    return serialized(model)


def _overload(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.graph.node[0].overload = "evil"
    return serialized(model)


def _sequence_input(model: onnx.ModelProto, sentinel: Path) -> bytes:
    ids = graph_value(model, contract.INPUT_IDS)
    ids.type.CopyFrom(helper.make_sequence_type_proto(helper.make_tensor_type_proto(TensorProto.INT64, None)))
    return serialized(model)


# --- bombs --------------------------------------------------------------------------------------------


def _huge_dims(model: onnx.ModelProto, sentinel: Path) -> bytes:
    tensor = model.graph.initializer[0]
    del tensor.dims[:]
    tensor.dims.extend([2**31, 2**31, 2**31])  # 9.9e27 floats in a 1 MB file
    return serialized(model)


def _negative_dims(model: onnx.ModelProto, sentinel: Path) -> bytes:
    tensor = model.graph.initializer[0]
    tensor.dims[0] = -tensor.dims[0]
    return serialized(model)


def _rank_bomb(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.graph.initializer.append(helper.make_tensor("ranks", TensorProto.FLOAT, [1] * 1000, [1.0]))
    return serialized(model)


def _huge_logits_width(model: onnx.ModelProto, sentinel: Path) -> bytes:
    logits = graph_value(model, contract.LOGITS)
    logits.type.tensor_type.shape.dim[1].dim_value = 2**62
    return serialized(model)


def _many_nodes(model: onnx.ModelProto, sentinel: Path) -> bytes:
    nodes = [helper.make_node("Relu", ["/Relu_output_0"], [f"r{i}"]) for i in range(contract.MAX_NODES + 1)]
    model.graph.node.extend(nodes)
    return serialized(model)


def _many_fields(model: onnx.ModelProto, sentinel: Path) -> bytes:
    from lstm_edge.runtime.onnx_proto import FIELD_BUDGET

    model.graph.node[0].input.extend(["x"] * FIELD_BUDGET)  # cheap to write, a field each to read
    return serialized(model)


def _many_numbers(model: onnx.ModelProto, sentinel: Path) -> bytes:
    from lstm_edge.runtime.onnx_proto import NUMBER_BUDGET

    packed = b"\x00" * (NUMBER_BUDGET + 1)  # int64 zeros, one byte each
    tensor = varint(1 << 3) + varint(NUMBER_BUDGET + 1) + varint(2 << 3) + varint(TensorProto.INT64)
    tensor += field(7, packed) + field(8, b"numbers")
    return with_graph_extra(model, field(5, tensor))


def _many_floats(model: onnx.ModelProto, sentinel: Path) -> bytes:
    from lstm_edge.runtime.onnx_proto import NUMBER_BUDGET

    count = NUMBER_BUDGET + 1
    tensor = varint(1 << 3) + varint(count) + varint(2 << 3) + varint(TensorProto.FLOAT)
    tensor += field(4, bytes(4 * count)) + field(8, b"floats")
    return with_graph_extra(model, field(5, tensor))


# --- metadata that disagrees with the graph, or with itself ------------------------------------------


def _state_sizes(model: onnx.ModelProto, sentinel: Path) -> bytes:
    document = architecture(model)
    document["hidden_sizes"] = [document["hidden_sizes"][0], document["hidden_sizes"][1] // 2]
    document.pop("state_shapes")
    return with_json(model, contract.KEY_ARCHITECTURE, json.dumps(document))


def _extra_layer(model: onnx.ModelProto, sentinel: Path) -> bytes:
    document = {key: value for key, value in architecture(model).items() if not key.startswith("state_")}
    document["hidden_sizes"] = [*document["hidden_sizes"], 32]
    return with_json(model, contract.KEY_ARCHITECTURE, json.dumps(document))


def _state_names_in_metadata(model: onnx.ModelProto, sentinel: Path) -> bytes:
    document = architecture(model)
    document["state_inputs"] = ["h_in_0", "c_in_0", "hidden", "cell"]
    return with_json(model, contract.KEY_ARCHITECTURE, json.dumps(document))


def _state_name_in_graph(model: onnx.ModelProto, sentinel: Path) -> bytes:
    graph_value(model, "h_in_1").name = "h_in_one"
    for node in model.graph.node:
        node.input[:] = ["h_in_one" if name == "h_in_1" else name for name in node.input]
    return serialized(model)


def _lstm_hidden_size(model: onnx.ModelProto, sentinel: Path) -> bytes:
    lstm = [node for node in model.graph.node if node.op_type == "LSTM"][1]
    next(a for a in lstm.attribute if a.name == "hidden_size").i = 32
    return serialized(model)


def _missing_shape(model: onnx.ModelProto, sentinel: Path) -> bytes:
    graph_value(model, "c_in_0").type.tensor_type.ClearField("shape")
    return serialized(model)


def _state_type(model: onnx.ModelProto, sentinel: Path) -> bytes:
    graph_value(model, "h_in_0").type.tensor_type.elem_type = TensorProto.DOUBLE
    return serialized(model)


def _non_utf8_dim_param(model: onnx.ModelProto, sentinel: Path) -> bytes:
    graph_value(model, "h_in_0").type.tensor_type.shape.dim[0].dim_param = "qqqqqqqq"
    return serialized(model).replace(b"qqqqqqqq", b"\xff\xfeqqqqqq")


def _shorter_vocabulary(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_vocabulary(model, lambda words: words[:-1])


def _empty_word(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_vocabulary(model, lambda words: [*words[:10], "", *words[11:]])


def _escape_word(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_vocabulary(model, lambda words: [*words[:10], "\x1b[2J\x1b[31mpwned\nline", *words[11:]])


def _duplicate_word(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_vocabulary(model, lambda words: [*words[:10], words[20], *words[11:]])


def _number_word(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_vocabulary(model, lambda words: [*words[:10], 12345, *words[11:]])


def _deep_json(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_json(model, contract.KEY_ARCHITECTURE, "[" * 200_000 + "]" * 200_000)


def _deep_generation_json(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_json(model, contract.KEY_GENERATION, '{"a":' * 100_000 + "1" + "}" * 100_000)


def _infinity_json(model: onnx.ModelProto, sentinel: Path) -> bytes:
    text = metadata(model, contract.KEY_ARCHITECTURE).replace('"dense_size": ', '"dense_size": Infinity, "x": ')
    return with_json(model, contract.KEY_ARCHITECTURE, text)


def _overflowing_json(model: onnx.ModelProto, sentinel: Path) -> bytes:
    text = metadata(model, contract.KEY_ARCHITECTURE).replace('"dense_size": ', '"dense_size": 1e999, "x": ')
    return with_json(model, contract.KEY_ARCHITECTURE, text)


def _long_number_json(model: onnx.ModelProto, sentinel: Path) -> bytes:
    document = architecture(model)
    text = json.dumps(document).replace(f'"vocab_size": {document["vocab_size"]}', '"vocab_size": ' + "9" * 5000)
    return with_json(model, contract.KEY_ARCHITECTURE, text)


def _nan_json(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_json(model, contract.KEY_GENERATION, '{"temperature": NaN}')


def _wrong_typed_sizes(model: onnx.ModelProto, sentinel: Path) -> bytes:
    document = architecture(model)
    document["hidden_sizes"] = ["128", 64.0]
    return with_json(model, contract.KEY_ARCHITECTURE, json.dumps(document))


def _generation_not_object(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_json(model, contract.KEY_GENERATION, "[1, 2]")


def _tokenizer_altered(model: onnx.ModelProto, sentinel: Path) -> bytes:
    text = metadata(model, contract.KEY_TOKENIZER).replace('"coat"', '"boat"', 1)
    return with_json(model, contract.KEY_TOKENIZER, text)


def _huge_metadata(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_json(model, contract.KEY_GENERATION, '"' + "x" * (65 * 2**20) + '"')


def _format_version(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_json(model, contract.KEY_FORMAT_VERSION, "1.0")


def _no_metadata(model: onnx.ModelProto, sentinel: Path) -> bytes:
    del model.metadata_props[:]
    return serialized(model)


def _duplicate_metadata_key(model: onnx.ModelProto, sentinel: Path) -> bytes:
    model.metadata_props.add(key=contract.KEY_GENERATION, value="{}")
    return serialized(model)


def _non_utf8_metadata(model: onnx.ModelProto, sentinel: Path) -> bytes:
    return with_json(model, contract.KEY_TRAINING, '"qqqqqqqqqq"').replace(b"qqqqqqqqqq", b"\xc3\x28qqqqqqqq")


# --- passes vetting; onnxruntime refuses it --------------------------------------------------------


def _small_embedding(model: onnx.ModelProto, sentinel: Path) -> bytes:
    table = next(t for t in model.graph.initializer if t.name.endswith("embedding.weight"))
    rows = numpy_helper.to_array(table)[:5]
    table.CopyFrom(numpy_helper.from_array(rows, table.name))
    return serialized(model)


def _wrong_lstm_weights(model: onnx.ModelProto, sentinel: Path) -> bytes:
    lstm = next(node for node in model.graph.node if node.op_type == "LSTM")
    weights = next(t for t in model.graph.initializer if t.name == lstm.input[1])
    array = numpy_helper.to_array(weights)
    weights.CopyFrom(numpy_helper.from_array(array[:, :-4], weights.name))
    return serialized(model)


CASES = [
    # outside data: the sentinel must stay unopened
    Case("initializer with outside data", "outside data", _initializer, OUTSIDE, "ForbiddenContent", True),
    Case("… at an absolute path", "outside data", _initializer_absolute, OUTSIDE, "ForbiddenContent", True),
    Case("… through ../", "outside data", _initializer_traversal, OUTSIDE, "ForbiddenContent", True),
    Case("data_location EXTERNAL only", "outside data", _data_location_only, OUTSIDE, "ForbiddenContent"),
    Case("sparse initializer", "outside data", _sparse_initializer, "sparse initializers", "ForbiddenContent", True),
    Case("Constant value", "outside data", _constant_value, OUTSIDE, "ForbiddenContent", True),
    Case(
        "Constant sparse_value (values)",
        "outside data",
        _constant_sparse_value,
        "sparse tensor",
        "ForbiddenContent",
        True,
    ),
    Case(
        "Constant sparse_value (indices)",
        "outside data",
        _constant_sparse_indices,
        "sparse tensor",
        "ForbiddenContent",
        True,
    ),
    Case("tensors attribute", "outside data", _tensors_attribute, "list of tensors", "ForbiddenContent", True),
    Case(
        "tensor attribute on another node",
        "outside data",
        _tensor_attribute_elsewhere,
        OUTSIDE,
        "ForbiddenContent",
        True,
    ),
    Case("If subgraph", "outside data", _if_subgraph, "subgraph", "ForbiddenContent", True),
    Case("Loop body", "outside data", _loop_subgraph, "subgraph", "ForbiddenContent", True),
    Case("subgraphs nested 2,500 deep", "outside data", _nested_subgraphs, "subgraph", "ForbiddenContent", True),
    Case("function (called)", "outside data", _function, "functions", "ForbiddenContent", True),
    Case("function (not called)", "outside data", _function_unused, "functions", "ForbiddenContent", True),
    Case("training_info", "outside data", _training_info, "training information", "ForbiddenContent", True),
    # structure
    Case("foreign operator", "structure", _foreign_operator, "imports opset com.evil 1"),
    Case("foreign attribute", "structure", _foreign_attribute, "operator LSTM has attribute 'direction'"),
    Case("foreign opset version", "structure", _foreign_opset, "imports opset ai.onnx 99"),
    Case("float64 tensor", "structure", _double_tensor, "data type 11", "ForbiddenContent"),
    Case("string tensor", "structure", _string_tensor, "a tensor of strings", "ForbiddenContent"),
    Case("two graphs (merged by protobuf)", "structure", _two_graphs, "field 7 appears twice", "ModelFileError"),
    Case("data_type twice (last wins)", "structure", _duplicate_data_type, "field 2 appears twice", "ModelFileError"),
    Case("raw and typed data", "structure", _both_raw_and_values, "holds its data twice", "ModelFileError"),
    Case("function overload", "structure", _overload, "function overload", "ForbiddenContent"),
    Case("sequence-typed input", "structure", _sequence_input, "sequence-typed value", "ForbiddenContent"),
    # bombs
    Case("huge dims (1e28 floats)", "bomb", _huge_dims, "its shape needs another size", "ModelFileError"),
    Case("negative dims", "bomb", _negative_dims, "negative dimension", "ModelFileError"),
    Case("1,000 axes", "bomb", _rank_bomb, "more than 8 axes", "ForbiddenContent"),
    Case("logits 2**62 wide", "bomb", _huge_logits_width, "logits are 4611686018427387904 wide", "VocabularyMismatch"),
    Case("10,001 nodes", "bomb", _many_nodes, "has more than 10,000 nodes", "ForbiddenContent"),
    Case("200,001 fields", "bomb", _many_fields, "fields, far more than any", "ForbiddenContent"),
    Case("4,000,001 packed integers", "bomb", _many_numbers, "numbers outside raw tensor data", "ForbiddenContent"),
    Case("4,000,001 packed floats", "bomb", _many_floats, "numbers outside raw tensor data", "ForbiddenContent"),
    # metadata
    Case("state sizes", "metadata", _state_sizes, "h_in_1 has width"),
    Case("an extra layer", "metadata", _extra_layer, "graph lacks h_in_2, c_in_2"),
    Case("state names in metadata", "metadata", _state_names_in_metadata, "lists other state_inputs than its sizes"),
    Case("state name in graph", "metadata", _state_name_in_graph, "graph lacks h_in_1"),
    Case("LSTM hidden_size", "metadata", _lstm_hidden_size, "32], the metadata says"),
    Case("state input without shape", "metadata", _missing_shape, "c_in_0 must have shape"),
    Case("state input of float64", "metadata", _state_type, "h_in_0 must be float32"),
    Case("non-UTF-8 dim_param", "metadata", _non_utf8_dim_param, "dim_param is not UTF-8", "ModelFileError"),
    Case("vocabulary one short", "metadata", _shorter_vocabulary, "words but the logits are", "VocabularyMismatch"),
    Case("empty vocabulary word", "metadata", _empty_word, "vocabulary entry 10 ('')"),
    Case("escape codes in a word", "metadata", _escape_word, "vocabulary entry 10 ('\\x1b[2J\\x1b[31mpwned\\nline')"),
    Case("duplicate word", "metadata", _duplicate_word, "duplicate entries"),
    Case("number as a word", "metadata", _number_word, "no list of vocabulary strings"),
    Case("JSON nested 200,000 deep", "metadata", _deep_json, "nested too deeply"),
    Case("generation JSON nested 100,000 deep", "metadata", _deep_generation_json, "nested too deeply"),
    Case("Infinity in JSON", "metadata", _infinity_json, "Infinity is not JSON"),
    Case("1e999 in JSON", "metadata", _overflowing_json, "a number out of range"),
    Case("5,000-digit number", "metadata", _long_number_json, "a number with too many digits"),
    Case("NaN in JSON", "metadata", _nan_json, "NaN is not JSON"),
    Case("sizes as strings and floats", "metadata", _wrong_typed_sizes, "is incomplete"),
    Case("generation not an object", "metadata", _generation_not_object, "is not a JSON object"),
    Case("tokenizer altered", "metadata", _tokenizer_altered, "tokenizer does not match its sha256"),
    Case("65 MB metadata document", "metadata", _huge_metadata, "too long"),
    Case("format version 1.0", "metadata", _format_version, "model format version '1.0' is not supported"),
    Case("no metadata", "metadata", _no_metadata, "an ONNX model without lstm-edge metadata"),
    Case("metadata key twice", "metadata", _duplicate_metadata_key, "appears twice", "ModelFileError"),
    Case("non-UTF-8 metadata", "metadata", _non_utf8_metadata, "is not UTF-8", "ModelFileError"),
    # onnxruntime's own refusals, reported in one line
    Case("embedding of 5 rows", "onnxruntime", _small_embedding, "onnxruntime failed to run it", at_run=True),
    Case(
        "LSTM weights of the wrong shape",
        "onnxruntime",
        _wrong_lstm_weights,
        "onnxruntime failed to run it",
        at_run=True,
    ),
]


# --- paths that name no model file: never opened if special, never read if huge ----------------------

PATH_CASES = [
    "600 MB (sparse)",
    "/dev/zero",
    "link to /dev/zero",
    "FIFO",
    "directory",
    "socket",
    "symlink loop",
    "empty",
    "missing",
    "under a file",
    "truncated",
    "random bytes",
]


def path_cases(directory: Path) -> tuple[dict[str, tuple[Path, str]], Sentinel]:
    """name → (path given as --model, the error's message after "PATH: "), made in `directory`; and the
    FIFO's sentinel (`.opened()` says whether anything opened it)."""
    import random
    import socket

    from lstm_edge.runtime.model_file import default_model_path

    sparse = directory / "sparse-600MB.onnx"
    with open(sparse, "wb") as handle:
        handle.truncate(600 * 2**20)  # a hole: no disk used, 600 MB if read
    folder = directory / "directory.onnx"
    folder.mkdir()
    bound = directory / "socket.onnx"
    _SOCKETS.append(socket.socket(socket.AF_UNIX))
    _SOCKETS[-1].bind(str(bound))
    loop = directory / "loop.onnx"
    loop.symlink_to(loop)
    zero_link = directory / "zero.onnx"
    zero_link.symlink_to("/dev/zero")
    empty = directory / "empty.onnx"
    empty.write_bytes(b"")
    a_file = directory / "file"
    a_file.write_text("x")
    shipped = default_model_path().read_bytes()
    truncated = directory / "truncated.onnx"
    truncated.write_bytes(shipped[: len(shipped) // 3])
    noise = directory / "noise.onnx"
    noise.write_bytes(random.Random(0).randbytes(4096))
    fifo = Sentinel(directory / "fifo.onnx")
    special = "not a regular file (a device, FIFO or socket); save the model to a file"
    malformed = "not an ONNX model, or a truncated one"
    cases = {
        "600 MB (sparse)": (
            sparse,
            f"larger than {contract.MAX_MODEL_BYTES // 2**20} MiB, far beyond any lstm-edge model",
        ),
        "/dev/zero": (Path("/dev/zero"), special),
        "link to /dev/zero": (zero_link, special),
        "FIFO": (fifo.path, special),
        "directory": (folder, "is a directory, expected an .onnx file"),
        "socket": (bound, special),
        "symlink loop": (loop, "cannot read (Too many levels of symbolic links)"),
        "empty": (empty, "the file is empty"),
        "missing": (directory / "missing.onnx", "no such model file"),
        "under a file": (a_file / "model.onnx", "cannot read (Not a directory)"),
        "truncated": (truncated, malformed),
        "random bytes": (noise, malformed),
    }
    return cases, fifo


_SOCKETS: list = []  # bound sockets stay open while their process lives
