"""Two other shapes the decode graph could take, kept to measure them against the shipped one
(`python -m dev.decode_graphs`); lstm-export does not write them.

onnxruntime's LSTM kernel costs several times its matrix products at sequence length 1, and decoding is
nothing but sequence-length-1 calls. So, built from an exported lstm-edge file:

- `step_only`: the step as Gemm and gate ops (per layer: x·Wᵀ + h·Rᵀ + b, a sigmoid over i, o, f and a
  tanh over c, the cell update), no LSTM node. It cannot read a prompt in one call, so it is not a
  model on its own; it shows what the step costs without the LSTM kernel.
- `add_step_branch`: a complete model that dispatches on the sequence length,

      input_ids ─ Shape[1] == 1 ? ─┬─ then: the step-only graph
                                   └─ else: the exported graph (one native LSTM node per layer)

  Both branches read the same weights, once: the step branch's matrices come from the LSTM node's W, R
  and B through nodes on initializers only, which onnxruntime folds into constants at session creation.

Measured (benchmarks README): the Gemm step is a little faster than the LSTM-node graph, but the If
node costs more than that on every call, so the shipped contract keeps the plain LSTM-node graph.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from lstm_edge.runtime import contract
from lstm_edge.runtime.errors import GraphError

STEP = "step/"
PROMPT = "prompt/"


def add_step_branch(model: onnx.ModelProto, hidden_sizes: tuple[int, ...]) -> onnx.ModelProto:
    """Return a new model whose graph dispatches on the sequence length (see the module docstring)."""
    graph = model.graph
    layers = len(hidden_sizes)
    initializers = {tensor.name for tensor in graph.initializer}
    embedding = _embedding_name(graph)
    lstm_nodes = [node for node in graph.node if node.op_type == "LSTM"]
    if len(lstm_nodes) != layers:
        raise GraphError(f"expected {layers} LSTM nodes to build the step branch from, found {len(lstm_nodes)}")
    dense = [node for node in graph.node if node.op_type == "MatMul" and node.input[1] in initializers]
    biases = [node for node in graph.node if node.op_type == "Add" and node.input[1] in initializers]
    if len(dense) != 2 or len(biases) != 2:
        raise GraphError("expected the dense head as two MatMul + Add pairs on initializers")

    prep: list[onnx.NodeProto] = []  # main-graph nodes on initializers only: folded at session creation
    constants = [
        numpy_helper.from_array(np.array([0], dtype=np.int64), STEP + "axis0"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), STEP + "one"),
    ]
    step: list[onnx.NodeProto] = [
        helper.make_node("Squeeze", [contract.INPUT_IDS, STEP + "one"], [STEP + "ids"]),  # (B,)
        helper.make_node("Gather", [embedding, STEP + "ids"], [STEP + "x0"]),  # (B, E)
    ]
    x = STEP + "x0"
    for layer, (node, size) in enumerate(zip(lstm_nodes, hidden_sizes, strict=True)):
        w, r, b = node.input[1], node.input[2], node.input[3]
        p = f"{STEP}l{layer}/"
        constants.append(numpy_helper.from_array(np.array([3 * size, size], dtype=np.int64), p + "gate_split"))
        prep += [
            helper.make_node("Squeeze", [w, STEP + "axis0"], [p + "W"]),  # (4H, in)
            helper.make_node("Squeeze", [r, STEP + "axis0"], [p + "R"]),  # (4H, H)
            helper.make_node("Split", [b], [p + "Wb", p + "Rb"], axis=1, num_outputs=2)
            if model.opset_import[0].version >= 18
            else helper.make_node("Split", [b], [p + "Wb", p + "Rb"], axis=1),
            helper.make_node("Add", [p + "Wb", p + "Rb"], [p + "bias"]),  # (1, 4H)
        ]
        h_in, c_in = [f"h_in_{layer}", f"c_in_{layer}"]
        h_out, c_out = p + "h_out", p + "c_out"
        step += [
            helper.make_node("Gemm", [x, p + "W", p + "bias"], [p + "gx"], transB=1),  # (B, 4H)
            helper.make_node("Gemm", [h_in, p + "R", p + "gx"], [p + "gates"], transB=1),
            helper.make_node("Split", [p + "gates", p + "gate_split"], [p + "iof_pre", p + "c_pre"], axis=1),
            helper.make_node("Sigmoid", [p + "iof_pre"], [p + "iof"]),
            helper.make_node("Tanh", [p + "c_pre"], [p + "candidate"]),
            _split3(p + "iof", [p + "i", p + "o", p + "f"], model.opset_import[0].version),
            helper.make_node("Mul", [p + "f", c_in], [p + "kept"]),
            helper.make_node("Mul", [p + "i", p + "candidate"], [p + "added"]),
            helper.make_node("Add", [p + "kept", p + "added"], [c_out]),
            helper.make_node("Tanh", [c_out], [p + "c_tanh"]),
            helper.make_node("Mul", [p + "o", p + "c_tanh"], [h_out]),
        ]
        x = h_out
    hidden = STEP + "dense/relu"
    step += [
        helper.make_node("MatMul", [x, dense[0].input[1]], [STEP + "dense/mm"]),
        helper.make_node("Add", [STEP + "dense/mm", biases[0].input[1]], [STEP + "dense/pre"]),
        helper.make_node("Relu", [STEP + "dense/pre"], [hidden]),
        helper.make_node("MatMul", [hidden, dense[1].input[1]], [STEP + "out/mm"]),
        helper.make_node("Add", [STEP + "out/mm", biases[1].input[1]], [STEP + "logits"]),
    ]
    step_outputs = [STEP + "logits"] + [f"{STEP}l{i}/{kind}_out" for i in range(layers) for kind in ("h", "c")]

    outputs = list(graph.output)
    then_branch = helper.make_graph(
        step, "step", [], [_like(v, name) for v, name in zip(outputs, step_outputs, strict=True)]
    )
    prompt_nodes, prompt_outputs = _renamed(graph, PROMPT)
    else_branch = helper.make_graph(
        prompt_nodes, "prompt", [], [_like(v, name) for v, name in zip(outputs, prompt_outputs, strict=True)]
    )
    dispatch = [
        helper.make_node("Shape", [contract.INPUT_IDS], ["sequence_length"], start=1, end=2),
        helper.make_node("Equal", ["sequence_length", STEP + "one"], ["is_step"]),
        helper.make_node(
            "If", ["is_step"], [v.name for v in outputs], then_branch=then_branch, else_branch=else_branch
        ),
    ]
    new_graph = helper.make_graph(
        prep + dispatch,
        graph.name,
        list(graph.input),
        outputs,
        [*graph.initializer, *constants],
    )
    result = helper.make_model(new_graph, opset_imports=list(model.opset_import), producer_name=model.producer_name)
    result.ir_version = model.ir_version
    result.producer_version = model.producer_version
    result.metadata_props.extend(model.metadata_props)
    return result


def _embedding_name(graph: onnx.GraphProto) -> str:
    for node in graph.node:
        if node.op_type == "Gather" and node.input[1] == contract.INPUT_IDS:
            return node.input[0]
    raise GraphError("no embedding Gather on input_ids in the exported graph")


def _split3(source: str, targets: list[str], opset: int) -> onnx.NodeProto:
    if opset >= 18:
        return helper.make_node("Split", [source], targets, axis=1, num_outputs=3)
    return helper.make_node("Split", [source], targets, axis=1)


def _renamed(graph: onnx.GraphProto, prefix: str) -> tuple[list[onnx.NodeProto], list[str]]:
    """The graph's nodes with every value they produce renamed under `prefix` (subgraph values must
    not shadow names of the outer graph), and the renamed graph outputs."""
    produced = {name for node in graph.node for name in node.output if name}
    rename = {name: prefix + name for name in produced}
    nodes = []
    for node in graph.node:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        copy.name = prefix + node.name if node.name else ""
        copy.input[:] = [rename.get(name, name) for name in node.input]
        copy.output[:] = [rename.get(name, name) for name in node.output]
        nodes.append(copy)
    return nodes, [rename[v.name] for v in graph.output]


def _like(value: onnx.ValueInfoProto, name: str) -> onnx.ValueInfoProto:
    shape = [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def step_only(model: onnx.ModelProto, hidden_sizes: tuple[int, ...]) -> onnx.ModelProto:
    """The then-branch of `add_step_branch` as a flat graph: valid for sequence length 1 only."""
    dispatched = add_step_branch(model, hidden_sizes)
    graph = dispatched.graph
    branch_node = next(node for node in graph.node if node.op_type == "If")
    then_branch = next(a.g for a in branch_node.attribute if a.name == "then_branch")
    prep = [node for node in graph.node if node.op_type not in ("If", "Shape", "Equal")]
    final = dict(zip([v.name for v in then_branch.output], [v.name for v in graph.output], strict=True))
    nodes = []
    for node in [*prep, *then_branch.node]:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        copy.output[:] = [final.get(name, name) for name in node.output]
        copy.input[:] = [final.get(name, name) for name in node.input]
        nodes.append(copy)
    flat = helper.make_graph(nodes, "step_only", list(graph.input), list(graph.output), list(graph.initializer))
    result = helper.make_model(flat, opset_imports=list(dispatched.opset_import))
    result.ir_version = dispatched.ir_version
    return result
