"""The stacked LSTM language model (the tutorial's network, in PyTorch)."""

from __future__ import annotations

import torch
from torch import nn

from lstm_edge.runtime.errors import TrainingError
from lstm_edge.runtime.tokenizer import PAD_ID

from .config import LSTMConfig

# One (h, c) pair per LSTM layer, each (B, H_layer): the shape the ONNX contract uses.
State = list[tuple[torch.Tensor, torch.Tensor]]


class LSTMLanguageModel(nn.Module):
    """Embedding → LSTM × n → Dense (ReLU) → Dense over the vocabulary.

    Layers are separate `nn.LSTM` modules because their hidden sizes differ (128 then 64 by default).
    """

    def __init__(self, config: LSTMConfig) -> None:
        if config.vocab_size == 0:
            raise TrainingError("the network's vocabulary size is not set (it comes from the tokenizer)")
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        sizes = (config.embedding_dim, *config.hidden_sizes)
        self.lstms = nn.ModuleList(
            nn.LSTM(sizes[i], sizes[i + 1], batch_first=True) for i in range(len(config.hidden_sizes))
        )
        self.dropout = nn.Dropout(config.dropout)
        self.hidden = nn.Linear(config.hidden_sizes[-1], config.dense_size)
        self.output = nn.Linear(config.dense_size, config.vocab_size)

    def zero_state(self, batch_size: int) -> State:
        weight = self.output.weight
        return [
            (weight.new_zeros(batch_size, size), weight.new_zeros(batch_size, size))
            for size in self.config.hidden_sizes
        ]

    def forward(self, input_ids: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """Logits for every position, (B, T) ids → (B, T, V), and the state after the last position."""
        features, new_state = self.encode(input_ids, state)
        return self.head(features), new_state

    def encode(self, input_ids: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """The last LSTM layer's output, (B, T) → (B, T, H_last), and the new state."""
        if state is None:
            state = self.zero_state(input_ids.shape[0])
        x = self.dropout(self.embedding(input_ids))  # (B, T, E)
        new_state: State = []
        for lstm, (h, c) in zip(self.lstms, state, strict=True):
            x, (h, c) = lstm(x, (h.unsqueeze(0), c.unsqueeze(0)))  # (B, T, H), (1, B, H)
            x = self.dropout(x)
            new_state.append((h.squeeze(0), c.squeeze(0)))
        return x, new_state

    def head(self, features: torch.Tensor) -> torch.Tensor:
        """Dense (ReLU) → Dense: (…, H_last) → (…, V)."""
        return self.output(torch.relu(self.hidden(features)))
