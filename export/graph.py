"""PyTorch model → the stateful step graph of the ONNX contract (see lstm_edge.runtime.contract).

We use the TorchScript exporter (`dynamo=False`): on torch 2.13 it writes one native ONNX LSTM node
per layer with truly dynamic batch and sequence axes, while the dynamo exporter fixes the sequence
length to the example's and unrolls Slice/Concat nodes around it. `check_graph` proves both facts
about every file we write.
"""

from __future__ import annotations

import io
import warnings

import onnx
import torch
from torch import nn

from lstm_edge.runtime import contract
from lstm_edge.runtime.contract import DEFAULT_OPSET, ModelSpec
from lstm_edge.runtime.errors import ExportError, GraphError
from lstm_edge.train.model import LSTMLanguageModel

SUPPORTED_OPSETS = contract.ALLOWED_OPSETS[contract.ONNX_DOMAIN]


class StepModel(nn.Module):
    """(input_ids, h_in_0, c_in_0, …) → (logits of the last position, h_out_0, c_out_0, …).

    The dense head runs on the last position only, and as MatMul + Add rather than Gemm:
    onnxruntime fuses the pair back into one Gemm, and its int8 quantizer only handles MatMul.
    """

    def __init__(self, model: LSTMLanguageModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, *flat_state: torch.Tensor) -> tuple[torch.Tensor, ...]:
        state = list(zip(flat_state[0::2], flat_state[1::2], strict=True))
        features, new_state = self.model.encode(input_ids, state)
        last = features[:, -1]  # (B, H_last)
        hidden, output = self.model.hidden, self.model.output
        logits = torch.relu(last @ hidden.weight.T + hidden.bias) @ output.weight.T + output.bias  # (B, V)
        return (logits, *(tensor for pair in new_state for tensor in pair))


def spec_of(model: LSTMLanguageModel) -> ModelSpec:
    """The contract's view of a PyTorch model."""
    config = model.config
    return ModelSpec(config.vocab_size, config.embedding_dim, tuple(config.hidden_sizes), config.dense_size)


def export_step_graph(model: LSTMLanguageModel, opset: int = DEFAULT_OPSET) -> onnx.ModelProto:
    """The model as the contract's step graph: names, dynamic axes and state shapes all from its `ModelSpec`."""
    if opset not in SUPPORTED_OPSETS:
        raise ExportError(
            f"opset {opset} is not supported; choose {SUPPORTED_OPSETS.start}–{SUPPORTED_OPSETS.stop - 1}"
        )
    spec = spec_of(model)
    example = (torch.tensor([[2, 4, 5]], dtype=torch.long), *(torch.from_numpy(s) for s in spec.zero_state(1)))
    shapes = {**spec.input_shapes(), **spec.output_shapes()}
    dynamic_axes = {
        name: {axis: size for axis, size in enumerate(shape) if isinstance(size, str)} for name, shape in shapes.items()
    }
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and RNN-batch notes
        torch.onnx.export(
            StepModel(model.eval()),
            example,
            buffer,  # type: ignore[arg-type]  # a file object works; the stub names paths only
            input_names=spec.graph_inputs,
            output_names=spec.graph_outputs,
            dynamic_axes=dynamic_axes,
            opset_version=opset,
            dynamo=False,
            do_constant_folding=True,
        )
    graph = onnx.load_from_string(buffer.getvalue())
    check_graph(graph, spec)
    return graph


def check_graph(model: onnx.ModelProto, spec: ModelSpec) -> None:
    """Each LSTM layer is one native LSTM node, and no symbolic axis of the contract is fixed."""
    lstm_nodes = [node for node in model.graph.node if node.op_type == "LSTM"]
    if len(lstm_nodes) != spec.layers:
        raise GraphError(f"expected {spec.layers} native LSTM nodes, the exporter wrote {len(lstm_nodes)}")
    shapes = {**spec.input_shapes(), **spec.output_shapes()}
    for value in [*model.graph.input, *model.graph.output]:
        dims = value.type.tensor_type.shape.dim
        for axis, expected in enumerate(shapes[value.name]):
            if isinstance(expected, str) and not dims[axis].dim_param:
                raise GraphError(f"{value.name}: axis {axis} is fixed to {dims[axis].dim_value}, it must be dynamic")
