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
from lstm_edge.train.model import LSTMLanguageModel

DEFAULT_OPSET = 17
SUPPORTED_OPSETS = range(14, 21)


class GraphError(RuntimeError):
    """The exported graph does not have the shape the contract promises."""


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


def export_step_graph(model: LSTMLanguageModel, opset: int = DEFAULT_OPSET) -> onnx.ModelProto:
    if opset not in SUPPORTED_OPSETS:
        raise ValueError(f"opset {opset} is not supported; choose {SUPPORTED_OPSETS.start}–{SUPPORTED_OPSETS.stop - 1}")
    layers = len(model.config.hidden_sizes)
    example = (
        torch.tensor([[2, 4, 5]], dtype=torch.long),
        *(torch.zeros(1, size) for size in model.config.hidden_sizes for _ in ("h", "c")),
    )
    dynamic_axes = {name: {0: "batch"} for name in contract.state_inputs(layers) + contract.graph_outputs(layers)}
    dynamic_axes[contract.INPUT_IDS] = {0: "batch", 1: "sequence"}
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and RNN-batch notes
        torch.onnx.export(
            StepModel(model.eval()),
            example,
            buffer,
            input_names=contract.graph_inputs(layers),
            output_names=contract.graph_outputs(layers),
            dynamic_axes=dynamic_axes,
            opset_version=opset,
            dynamo=False,
            do_constant_folding=True,
        )
    graph = onnx.load_from_string(buffer.getvalue())
    check_graph(graph, layers)
    return graph


def check_graph(model: onnx.ModelProto, layers: int) -> None:
    """Each LSTM layer is one native LSTM node, and no batch or sequence axis is fixed."""
    lstm_nodes = [node for node in model.graph.node if node.op_type == "LSTM"]
    if len(lstm_nodes) != layers:
        raise GraphError(f"expected {layers} native LSTM nodes, the exporter wrote {len(lstm_nodes)}")
    for value in [*model.graph.input, *model.graph.output]:
        dims = value.type.tensor_type.shape.dim
        dynamic = 2 if value.name == contract.INPUT_IDS else 1  # [batch, sequence] or [batch, …]
        fixed = [i for i, dim in enumerate(dims[:dynamic]) if not dim.dim_param]
        if fixed:
            raise GraphError(
                f"{value.name}: axis {fixed[0]} is fixed to {dims[fixed[0]].dim_value}, it must be dynamic"
            )
