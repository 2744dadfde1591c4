"""Read the network's weights out of a vetted step graph, by the graph's structure.

The numpy backend does not run the ONNX graph node by node; it runs the network the graph computes:

    Embedding(V, E) → LSTM(H_0) → … → LSTM(H_n) → last position → Dense(D) → ReLU → Dense(V)

`read_step_weights` proves that a graph computes exactly that, and returns its weights. It walks the
nodes in order and gives every value a meaning — the token ids, an embedding lookup with its axes, the
state inputs of layer i, the outputs of LSTM layer i, the last position with the dense operations applied
so far — from the meanings of the node's inputs alone. Initializer and node names are never read (they
are the exporter's business); shapes, attributes and data flow are. A node whose inputs have no meaning
its operator accepts, or a graph output that ends up meaning anything but what the contract says, is
refused with `ModelFileError`: a graph the backend cannot map is never run approximately.

The float32 file and its int8 twin map onto the same weights: integer initializers are dequantized here
(`(q - zero_point) * scale`), whether they feed `DequantizeLinear`, `MatMulInteger` (behind the
`DynamicQuantizeLinear` of its input) or `com.microsoft.DynamicQuantizeLSTM`. The numpy backend then
computes in float32 with those weights, where onnxruntime also quantizes the activations on every step;
the two agree on most but not all next words (measured in tests/test_numpy_backend.py).

ONNX LSTM conventions (opset 14+ `LSTM`, the default attributes our contract allows): gates in the
order i, o, f, c; W (1, 4H, in), R (1, 4H, H), B (1, 8H) = [Wb, Rb]; DynamicQuantizeLSTM stores W and R
transposed, (1, in, 4H) and (1, H, 4H), with scales and zero points per direction or per gate column.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .contract import MICROSOFT_DOMAIN, ModelSpec
from .errors import ModelFileError
from .onnx_proto import FLOAT, Graph, Node, Tensor

# Axis names of the symbolic shapes followed through the graph; "unit" is a size-1 axis (LSTM's
# num_directions, or one added by Unsqueeze).
BATCH, TIME, FEATURE, UNIT = "batch", "time", "feature", "unit"


class LayerWeights(NamedTuple):
    """One LSTM layer, gate columns in ONNX order i, o, f, c."""

    input_weights: np.ndarray  # (in, 4H): x @ input_weights (possibly a transposed view)
    recurrent_weights: np.ndarray  # (H, 4H): h @ recurrent_weights
    bias: np.ndarray  # (4H,): Wb + Rb

    @property
    def hidden_size(self) -> int:
        return int(self.recurrent_weights.shape[0])


class StepWeights(NamedTuple):
    """Everything the step computes, as float32 arrays."""

    embedding: np.ndarray  # (V, E)
    layers: list[LayerWeights]
    dense_weights: np.ndarray  # (H_last, D)
    dense_bias: np.ndarray  # (D,)
    output_weights: np.ndarray  # (D, V)
    output_bias: np.ndarray  # (V,)


class UnmappableGraph(ModelFileError):
    """The graph does not have the structure of the contract's network."""


# --- what a value in the graph means ------------------------------------------------------------------
# (named tuples and plain classes rather than dataclasses: creating a dataclass costs about a millisecond
# at import, and the numpy backend is the fast-starting one)


class _Ids(NamedTuple):
    axes: tuple[str, ...] = (BATCH, TIME)


class _Embedded(NamedTuple):
    """The embedding table gathered at the ids; `table` may still be integer (awaiting DequantizeLinear)."""

    table: np.ndarray
    axes: tuple[str, ...]


class _LayerOutput(NamedTuple):
    """The per-position output (Y) of LSTM layer `layer`."""

    layer: int
    axes: tuple[str, ...]


class _State(NamedTuple):
    """h or c of layer `layer`: a graph input (`is_output` False) or an LSTM's final state (True)."""

    kind: str  # "h" or "c"
    layer: int
    is_output: bool
    axes: tuple[str, ...]


class _Head:
    """The last position of the last layer's output, with the dense operations applied to it so far
    (compared by identity: the parts of one DynamicQuantizeLinear must belong to the same head)."""

    __slots__ = ("layer", "operations")

    def __init__(self, layer: int, operations: tuple[tuple[str, np.ndarray | None], ...] = ()) -> None:
        self.layer = layer
        self.operations = operations  # ("matmul", W), ("add", b), ("relu", None)

    def then(self, operation: str, weights: np.ndarray | None = None) -> _Head:
        return _Head(self.layer, (*self.operations, (operation, weights)))


class _Quantized(NamedTuple):
    """One output of DynamicQuantizeLinear(head): "q", "scale" or "zero_point"."""

    head: _Head
    part: str


class _IntegerProduct(NamedTuple):
    """MatMulInteger of a quantized head with integer weights, zero point removed: (q_w - zp_w) still unscaled;
    `cast` once Cast to float."""

    head: _Head
    weights: np.ndarray  # (K, N) float32 holding integers
    cast: bool = False


class _ScaleProduct(NamedTuple):
    """Mul(the head's dynamic scale, the weights' scale)."""

    head: _Head
    scale: np.ndarray  # (N,) or ()


class _Walk:
    """The state of one pass over the graph: meanings of values, and the LSTM layers found so far."""

    def __init__(self, graph: Graph, spec: ModelSpec) -> None:
        self.graph, self.spec = graph, spec
        self.meanings: dict[str, object] = {}
        self.constants: dict[str, np.ndarray] = {}
        self.layers: list[LayerWeights] = []
        self.embedding: np.ndarray | None = None


def read_step_weights(graph: Graph, spec: ModelSpec) -> StepWeights:
    """The weights of the network `graph` computes, proven by its structure; `UnmappableGraph` otherwise."""
    walk = _Walk(graph, spec)
    for value in graph.inputs:
        walk.meanings[value.name] = _input_meaning(value.name, spec)
    for node in graph.nodes:
        outputs = _NODE_RULES.get((node.domain, node.op_type))
        if outputs is None:
            raise UnmappableGraph(f"operator {node.op_type} has no place in the network")
        for name, meaning in zip(node.outputs, outputs(walk, node), strict=False):
            if name:
                walk.meanings[name] = meaning
    return _finish(walk)


def _input_meaning(name: str, spec: ModelSpec) -> object:
    if name == "input_ids":
        return _Ids()
    for layer in range(spec.layers):
        for kind in ("h", "c"):
            if name == spec.state_inputs[2 * layer + (kind == "c")]:
                return _State(kind, layer, False, (BATCH, FEATURE))
    raise UnmappableGraph(f"graph input {name!r} is not in the contract")


def _finish(walk: _Walk) -> StepWeights:
    spec, meanings = walk.spec, walk.meanings
    if len(walk.layers) != spec.layers:
        raise UnmappableGraph(f"found {len(walk.layers)} LSTM layers in a chain, the metadata says {spec.layers}")
    for layer in range(spec.layers):
        for kind, name in (("h", spec.state_outputs[2 * layer]), ("c", spec.state_outputs[2 * layer + 1])):
            if not _means(meanings.get(name), _State(kind, layer, True, (BATCH, FEATURE))):
                raise UnmappableGraph(f"{name} is not the final {kind} of LSTM layer {layer}")
    head = meanings.get("logits")
    shape = [operation for operation, _ in head.operations] if isinstance(head, _Head) else None
    if not isinstance(head, _Head) or head.layer != spec.layers - 1 or shape != _HEAD_SHAPE:
        raise UnmappableGraph("logits are not Dense → ReLU → Dense of the last layer's last position")
    (_, dense_weights), (_, dense_bias), _, (_, output_weights), (_, output_bias) = head.operations
    assert walk.embedding is not None and dense_weights is not None and output_weights is not None
    assert dense_bias is not None and output_bias is not None
    expected = {
        "embedding": (walk.embedding.shape, (spec.vocab_size, spec.embedding_dim)),
        "dense weights": (dense_weights.shape, (spec.hidden_sizes[-1], spec.dense_size)),
        "dense bias": (dense_bias.shape, (spec.dense_size,)),
        "output weights": (output_weights.shape, (spec.dense_size, spec.vocab_size)),
        "output bias": (output_bias.shape, (spec.vocab_size,)),
    }
    for what, (actual, wanted) in expected.items():
        if actual != wanted:
            raise UnmappableGraph(f"the {what} have shape {actual}, the metadata says {wanted}")
    return StepWeights(walk.embedding, walk.layers, dense_weights, dense_bias, output_weights, output_bias)


_HEAD_SHAPE = ["matmul", "add", "relu", "matmul", "add"]


# --- one rule per operator: the meanings of a node's outputs from those of its inputs -------------------


def _meaning(walk: _Walk, node: Node, index: int) -> object:
    name = node.inputs[index] if index < len(node.inputs) else ""
    if not name:
        return None
    if name in walk.meanings:
        return walk.meanings[name]
    if name in walk.constants:
        return walk.constants[name]
    if name in walk.graph.initializers:
        return _array(walk.graph.initializers[name])
    raise UnmappableGraph(f"{node.op_type} reads a value no earlier node produces")


def _constant_input(walk: _Walk, node: Node, index: int, what: str) -> np.ndarray:
    value = _meaning(walk, node, index)
    if not isinstance(value, np.ndarray):
        raise UnmappableGraph(f"{node.op_type}'s {what} is not a constant")
    return value


def _means(value: object, expected: object) -> bool:
    """`value` has exactly the meaning `expected` (never an elementwise array comparison)."""
    return type(value) is type(expected) and value == expected


def _array(tensor: Tensor) -> np.ndarray:
    return tensor.to_numpy()


def _constant(walk: _Walk, node: Node) -> list[object]:
    value = node.attributes.get("value")
    if not isinstance(value, Tensor):
        raise UnmappableGraph("a Constant without a tensor value")
    walk.constants[node.outputs[0]] = _array(value)
    return []


def _transpose(walk: _Walk, node: Node) -> list[object]:
    value = _meaning(walk, node, 0)
    perm = node.attributes.get("perm")
    axes = getattr(value, "axes", None)
    if axes is None or not isinstance(perm, list) or sorted(perm) != list(range(len(axes))):
        raise UnmappableGraph("a Transpose of something that is not a sequence, or without a full permutation")
    return [_with_axes(value, tuple(axes[i] for i in perm))]


def _squeeze(walk: _Walk, node: Node) -> list[object]:
    value = _meaning(walk, node, 0)
    axes = getattr(value, "axes", None)
    if axes is None:
        raise UnmappableGraph("a Squeeze of something that is not a sequence or a state")
    positions = _axis_list(walk, node, len(axes)) if len(node.inputs) > 1 and node.inputs[1] else None
    if positions is None:
        positions = [i for i, axis in enumerate(axes) if axis == UNIT]
    if any(axes[i] != UNIT for i in positions):
        raise UnmappableGraph("a Squeeze of an axis that is not of size 1")
    return [_with_axes(value, tuple(axis for i, axis in enumerate(axes) if i not in positions))]


def _unsqueeze(walk: _Walk, node: Node) -> list[object]:
    value = _meaning(walk, node, 0)
    axes = getattr(value, "axes", None)
    if axes is None:
        raise UnmappableGraph("an Unsqueeze of something that is not a sequence or a state")
    positions = _axis_list(walk, node, len(axes) + len(_constant_input(walk, node, 1, "axes").ravel()))
    widened = list(axes)
    for position in sorted(positions):
        widened.insert(position, UNIT)
    return [_with_axes(value, tuple(widened))]


def _axis_list(walk: _Walk, node: Node, rank: int) -> list[int]:
    positions = [int(a) for a in _constant_input(walk, node, 1, "axes").ravel()]
    normalized = [a + rank if a < 0 else a for a in positions]
    if any(not 0 <= a < rank for a in normalized) or len(set(normalized)) != len(normalized):
        raise UnmappableGraph(f"{node.op_type} axes {positions} do not fit the value's rank")
    return normalized


def _with_axes(value: object, axes: tuple[str, ...]) -> object:
    if isinstance(value, _Embedded):
        return _Embedded(value.table, axes)
    if isinstance(value, _LayerOutput):
        return _LayerOutput(value.layer, axes)
    if isinstance(value, _State):
        return _State(value.kind, value.layer, value.is_output, axes)
    raise UnmappableGraph("a shape operation on a value that has no axes")


def _gather(walk: _Walk, node: Node) -> list[object]:
    data, indices = _meaning(walk, node, 0), _meaning(walk, node, 1)
    axis = node.attributes.get("axis", 0)
    if isinstance(data, np.ndarray) and isinstance(indices, _Ids) and axis == 0 and data.ndim == 2:
        return [_Embedded(data, (*indices.axes, FEATURE))]
    if isinstance(data, _LayerOutput) and isinstance(indices, np.ndarray) and isinstance(axis, int):
        # the last position of a (…, time, …) sequence: index -1 on its time axis, dropping that axis
        axis = axis + len(data.axes) if axis < 0 else axis
        if indices.shape == () and int(indices) == -1 and 0 <= axis < len(data.axes) and data.axes[axis] == TIME:
            if set(data.axes) - {TIME} != {BATCH, FEATURE} or data.axes.index(BATCH) > data.axes.index(FEATURE):
                raise UnmappableGraph("the last position is not laid out as (batch, feature)")
            return [_Head(data.layer)]
    raise UnmappableGraph("a Gather that is neither the embedding lookup nor the last position")


def _dequantize_linear(walk: _Walk, node: Node) -> list[object]:
    value = _meaning(walk, node, 0)
    scale = _constant_input(walk, node, 1, "scale")
    zero_point = _meaning(walk, node, 2)
    if not isinstance(value, _Embedded) or value.table.dtype.kind not in "iu" or scale.shape not in ((), (1,)):
        raise UnmappableGraph("a DequantizeLinear other than one per-tensor scale on the embedding")
    zero = np.zeros((), value.table.dtype) if zero_point is None else zero_point
    if not isinstance(zero, np.ndarray) or zero.size != 1:
        raise UnmappableGraph("a DequantizeLinear whose zero point is not one constant")
    return [_Embedded(_dequantize(value.table, zero.reshape(()), scale.reshape(())), value.axes)]


def _dequantize(quantized: np.ndarray, zero_point: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(q - zero_point) * scale in float32, as ONNX DequantizeLinear computes it."""
    difference = quantized.astype(np.int32) - zero_point.astype(np.int32)
    return np.ascontiguousarray(difference.astype(np.float32) * scale.astype(np.float32))


def _lstm(walk: _Walk, node: Node) -> list[object]:
    layer = len(walk.layers)
    x = _meaning(walk, node, 0)
    if isinstance(x, _Embedded):
        if layer != 0 or x.table.dtype != np.float32:
            raise UnmappableGraph("the embedding feeds a layer other than the first, or is not dequantized")
        walk.embedding = np.ascontiguousarray(x.table)
    elif not isinstance(x, _LayerOutput) or x.layer != layer - 1:
        raise UnmappableGraph(f"LSTM layer {layer} does not read the output of layer {layer - 1}")
    if x.axes != (TIME, BATCH, FEATURE):
        raise UnmappableGraph(f"LSTM layer {layer} reads its input in the layout {x.axes}")
    hidden = node.attributes.get("hidden_size")
    if not isinstance(hidden, int) or hidden <= 0:
        raise UnmappableGraph("an LSTM without a hidden_size")
    for index, kind in ((5, "h"), (6, "c")):
        if not _means(_meaning(walk, node, index), _State(kind, layer, False, (UNIT, BATCH, FEATURE))):
            raise UnmappableGraph(f"LSTM layer {layer}'s initial {kind} is not the graph's {kind} input of that layer")
    if _meaning(walk, node, 4) is not None or _meaning(walk, node, 7) is not None:
        raise UnmappableGraph("an LSTM with sequence lengths or peepholes")
    input_weights: np.ndarray | None
    recurrent_weights: np.ndarray | None
    if node.domain == MICROSOFT_DOMAIN:
        input_weights, recurrent_weights = _quantized_lstm_weights(walk, node)
    else:
        input_weights, recurrent_weights = (_float_lstm_weights(walk, node, index) for index in (1, 2))
    bias = _meaning(walk, node, 3)
    combined = np.zeros(4 * hidden, np.float32)
    if bias is not None:
        if not isinstance(bias, np.ndarray) or bias.shape != (1, 8 * hidden) or bias.dtype != np.float32:
            raise UnmappableGraph(f"LSTM layer {layer}'s bias has shape {getattr(bias, 'shape', '?')}")
        combined = bias[0, : 4 * hidden] + bias[0, 4 * hidden :]
    inputs = walk.embedding.shape[1] if layer == 0 and walk.embedding is not None else None
    if layer > 0:
        inputs = walk.layers[-1].hidden_size
    for what, weights, rows in (("W", input_weights, inputs), ("R", recurrent_weights, hidden)):
        if weights is None or weights.shape != (rows, 4 * hidden) or weights.dtype != np.float32:
            raise UnmappableGraph(f"LSTM layer {layer}'s {what} does not fit {rows} inputs and {hidden} units")
    assert input_weights is not None and recurrent_weights is not None
    walk.layers.append(LayerWeights(input_weights, recurrent_weights, combined))
    return [
        _LayerOutput(layer, (TIME, UNIT, BATCH, FEATURE)),
        _State("h", layer, True, (UNIT, BATCH, FEATURE)),
        _State("c", layer, True, (UNIT, BATCH, FEATURE)),
    ]


def _float_lstm_weights(walk: _Walk, node: Node, index: int) -> np.ndarray | None:
    """LSTM: W (1, 4H, in) or R (1, 4H, H), returned as (in, 4H) or (H, 4H); None if not of that form."""
    weights = _constant_input(walk, node, index, "weights")
    return weights[0].T if weights.ndim == 3 and weights.shape[0] == 1 else None


def _quantized_lstm_weights(walk: _Walk, node: Node) -> tuple[np.ndarray, np.ndarray]:
    """DynamicQuantizeLSTM: W (1, in, 4H) and R (1, H, 4H) integers, scale and zero point at inputs 8–11."""
    weights = []
    for index, scale_index in ((1, 8), (2, 10)):
        quantized = _constant_input(walk, node, index, "weights")
        scale = _constant_input(walk, node, scale_index, "scale")
        zero_point = _constant_input(walk, node, scale_index + 1, "zero point")
        if quantized.ndim != 3 or quantized.shape[0] != 1 or quantized.dtype.kind not in "iu":
            raise UnmappableGraph("a DynamicQuantizeLSTM whose weights are not integer (1, in, 4H)")
        columns = quantized.shape[2]
        if scale.shape not in ((1,), (1, columns)) or zero_point.shape != scale.shape:
            raise UnmappableGraph("a DynamicQuantizeLSTM scale that is neither per direction nor per gate column")
        weights.append(_dequantize(quantized[0], zero_point.reshape(-1), scale.reshape(-1)))
    return weights[0], weights[1]


def _matmul(walk: _Walk, node: Node) -> list[object]:
    head, weights = _meaning(walk, node, 0), _meaning(walk, node, 1)
    if not isinstance(head, _Head) or not isinstance(weights, np.ndarray) or weights.ndim != 2:
        raise UnmappableGraph("a MatMul that is not the last position times a weight matrix")
    if weights.dtype != np.float32:
        raise UnmappableGraph("a MatMul with weights that are not float32")
    return [head.then("matmul", np.ascontiguousarray(weights))]


def _add(walk: _Walk, node: Node) -> list[object]:
    a, b = _meaning(walk, node, 0), _meaning(walk, node, 1)
    head, bias = (a, b) if isinstance(a, _Head) else (b, a)
    if not isinstance(head, _Head) or not isinstance(bias, np.ndarray) or bias.ndim != 1 or bias.dtype != np.float32:
        raise UnmappableGraph("an Add that is not a bias vector added to a dense layer")
    return [head.then("add", bias)]


def _relu(walk: _Walk, node: Node) -> list[object]:
    head = _meaning(walk, node, 0)
    if not isinstance(head, _Head):
        raise UnmappableGraph("a Relu outside the dense head")
    return [head.then("relu")]


def _dynamic_quantize_linear(walk: _Walk, node: Node) -> list[object]:
    head = _meaning(walk, node, 0)
    if not isinstance(head, _Head):
        raise UnmappableGraph("a DynamicQuantizeLinear outside the dense head")
    return [_Quantized(head, "q"), _Quantized(head, "scale"), _Quantized(head, "zero_point")]


def _matmul_integer(walk: _Walk, node: Node) -> list[object]:
    a, a_zero_point = _meaning(walk, node, 0), _meaning(walk, node, 2)
    weights = _constant_input(walk, node, 1, "weights")
    zero_point = _meaning(walk, node, 3)
    if (
        not isinstance(a, _Quantized)
        or a.part != "q"
        or not _means(a_zero_point, _Quantized(a.head, "zero_point"))
        or weights.ndim != 2
        or weights.dtype.kind not in "iu"
    ):
        raise UnmappableGraph("a MatMulInteger that is not a quantized dense layer")
    zero = np.zeros((), weights.dtype) if zero_point is None else zero_point
    if not isinstance(zero, np.ndarray) or zero.shape not in ((), (1,), (weights.shape[1],)):
        raise UnmappableGraph("a MatMulInteger whose weight zero point is neither per tensor nor per column")
    return [_IntegerProduct(a.head, _dequantize(weights, zero, np.ones((), np.float32)))]


def _cast(walk: _Walk, node: Node) -> list[object]:
    value = _meaning(walk, node, 0)
    if not isinstance(value, _IntegerProduct) or value.cast or node.attributes.get("to") != FLOAT:
        raise UnmappableGraph("a Cast other than an integer product to float")
    return [_IntegerProduct(value.head, value.weights, cast=True)]


def _mul(walk: _Walk, node: Node) -> list[object]:
    a, b = _meaning(walk, node, 0), _meaning(walk, node, 1)
    for first, second in ((a, b), (b, a)):
        if isinstance(first, _Quantized) and first.part == "scale" and isinstance(second, np.ndarray):
            if second.dtype == np.float32 and second.ndim <= 1:  # times the weights' scale (per tensor or column)
                return [_ScaleProduct(first.head, second)]
        elif _scales_its_product(first, second):
            assert isinstance(first, _IntegerProduct) and isinstance(second, _ScaleProduct)
            return [first.head.then("matmul", np.ascontiguousarray(first.weights * second.scale))]
    raise UnmappableGraph("a Mul that does not scale a quantized dense layer")


def _scales_its_product(product: object, scale: object) -> bool:
    """Cast(MatMulInteger(quantized head, W)) times (head's scale × W's scale), for the same head."""
    return (
        isinstance(product, _IntegerProduct)
        and product.cast
        and isinstance(scale, _ScaleProduct)
        and scale.head is product.head
        and scale.scale.shape in ((), (1,), (product.weights.shape[1],))
    )


_NODE_RULES: dict[tuple[str, str], Any] = {
    ("", "Constant"): _constant,
    ("", "Transpose"): _transpose,
    ("", "Squeeze"): _squeeze,
    ("", "Unsqueeze"): _unsqueeze,
    ("", "Gather"): _gather,
    ("", "DequantizeLinear"): _dequantize_linear,
    ("", "LSTM"): _lstm,
    (MICROSOFT_DOMAIN, "DynamicQuantizeLSTM"): _lstm,
    ("", "MatMul"): _matmul,
    ("", "Add"): _add,
    ("", "Relu"): _relu,
    ("", "DynamicQuantizeLinear"): _dynamic_quantize_linear,
    ("", "MatMulInteger"): _matmul_integer,
    ("", "Cast"): _cast,
    ("", "Mul"): _mul,
}
