"""int8 dynamic quantization with onnxruntime, and what it costs in agreement and accuracy.

Two settings matter, measured on the default model (AVX2, no VNNI), share of held-out steps where int8
picks float32's next word:

- `per_channel=True`: one scale per output column. Per-tensor scales on the output layer alone drop the
  agreement to 83%; per channel it is 94%, for 4% more bytes.
- `reduce_range=True` (7-bit weights): on CPUs without VNNI the u8×s8 multiply-add can saturate with
  full 8-bit weights (reported to change the top word in about 45% of steps on such a machine).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx

from lstm_edge.runtime import contract
from lstm_edge.runtime.errors import ExportError
from lstm_edge.runtime.files import private_directory
from lstm_edge.runtime.generator import Generator
from lstm_edge.runtime.model_file import ModelFile
from lstm_edge.runtime.tokenizer import PAD_ID
from lstm_edge.train.batching import collate

from .metadata import get_metadata, set_metadata

MIN_AGREEMENT = contract.MIN_INT8_AGREEMENT


@dataclass
class QuantizationReport:
    fp32_bytes: int
    int8_bytes: int
    step_agreement: float  # share of held-out positions where both pick the same next word
    positions: int
    continuations_identical: int
    continuations: int
    val_accuracy_fp32: float
    val_accuracy_int8: float
    held_out: str  # what the agreement was measured on

    def to_metadata(self) -> dict[str, Any]:
        return {
            "type": "int8-dynamic",
            "per_channel": True,
            "reduce_range": True,
            "greedy_agreement": self.step_agreement,
            "agreement_positions": self.positions,
            "continuations_identical": f"{self.continuations_identical}/{self.continuations}",
            "val_accuracy": self.val_accuracy_int8,
            "val_accuracy_fp32": self.val_accuracy_fp32,
            "size_bytes_fp32": self.fp32_bytes,
            "held_out": self.held_out,
        }

    def lines(self) -> list[str]:
        return [
            f"size                 {self.fp32_bytes / 1e6:.3f} MB float32 → {self.int8_bytes / 1e6:.3f} MB int8 "
            f"({self.fp32_bytes / self.int8_bytes:.1f}× smaller)",
            f"greedy agreement     {self.step_agreement:.2%} of {self.positions:,} held-out steps ({self.held_out})",
            f"continuations        {self.continuations_identical}/{self.continuations} identical",
            f"val accuracy         {self.val_accuracy_fp32:.4f} float32 → {self.val_accuracy_int8:.4f} int8 "
            f"({self.val_accuracy_int8 - self.val_accuracy_fp32:+.4f})",
        ]


def quantize_int8(fp32_path: Path, int8_path: Path) -> None:
    """Write the int8 twin of `fp32_path` to `int8_path` (weights int8, activations quantized at run time).

    onnxruntime's quantizer writes `NAME-inferred.onnx` beside its input and may make temporary directories;
    it works on a copy in a private directory beside `int8_path`, with Python's temporary directory pointed
    there too, so nothing of it lands next to the user's files, and all of it goes when this returns.
    """
    from google.protobuf.message import DecodeError  # type: ignore[import-untyped]
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with private_directory(int8_path) as scratch, _temporary_files_in(scratch), _quiet_root_logger():
        # onnx's C++ shape inference writes a truncated file on a full disk without a word: check first
        if shutil.disk_usage(scratch).free < SPACE_FACTOR * fp32_path.stat().st_size:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(int8_path))
        source, raw = scratch / "model.onnx", scratch / "int8.onnx"
        try:
            shutil.copyfile(fp32_path, source)
            quantize_dynamic(source, raw, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
        except OSError as error:
            error.filename, error.filename2 = str(int8_path), None  # what could not be written, in the user's words
            raise
        except DecodeError:  # onnx's shape inference wrote its file short: did the disk fill up meanwhile?
            if shutil.disk_usage(scratch).free >= fp32_path.stat().st_size:
                raise  # no: a bug, with its traceback
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(int8_path)) from None
        quantized = onnx.load(raw)
    set_metadata(quantized, get_metadata(onnx.load(fp32_path)))
    onnx.save(quantized, int8_path)


SPACE_FACTOR = 3  # free space the quantizer needs, in float32 sizes: a copy, its shape-inferred twin, int8 (2.6)


@contextmanager
def _temporary_files_in(directory: Path) -> Iterator[None]:
    """Point `tempfile` (which onnxruntime's quantizer uses) at `directory` for the block."""
    previous = tempfile.tempdir
    tempfile.tempdir = str(directory)
    try:
        yield
    finally:
        tempfile.tempdir = previous


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """onnxruntime's quantizer logs a pre-processing hint on the root logger at every call."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def compare(
    fp32: ModelFile, int8: ModelFile, sequences: list[list[int]], prompts: list[str], held_out: str
) -> QuantizationReport:
    """Teacher-forced agreement and accuracy on `sequences` (<bos> … <eos> ids), and greedy continuations."""
    fp32_choice, fp32_correct, scored = teacher_forced(fp32, sequences)
    int8_choice, int8_correct, _ = teacher_forced(int8, sequences)
    valid = fp32_choice >= 0
    agreement = float((fp32_choice[valid] == int8_choice[valid]).mean())
    fp32_text = Generator(fp32).generate_many(prompts)
    int8_text = Generator(int8).generate_many(prompts)
    identical = sum(a.words == b.words for a, b in zip(fp32_text, int8_text, strict=True))
    return QuantizationReport(
        fp32_bytes=fp32.size_bytes,
        int8_bytes=int8.size_bytes,
        step_agreement=agreement,
        positions=int(valid.sum()),
        continuations_identical=identical,
        continuations=len(prompts),
        val_accuracy_fp32=fp32_correct / max(scored, 1),
        val_accuracy_int8=int8_correct / max(scored, 1),
        held_out=held_out,
    )


def teacher_forced(model: ModelFile, sequences: list[list[int]], batch_size: int = 512) -> tuple[np.ndarray, int, int]:
    """Read each sequence one step at a time (the decode path), many sequences per batch.

    Returns the greedy choice at every position (-1 where padded), and the correct and scored
    counts of the training's accuracy (plain argmax over the tutorial's targets).
    """
    if not sequences:
        raise ExportError("no held-out text to measure the int8 model's agreement on")
    longest = max(len(s) for s in sequences) - 1
    choices = np.full((len(sequences), longest), -1, dtype=np.int64)
    correct = scored = 0
    for start in range(0, len(sequences), batch_size):
        batch = collate(sequences[start : start + batch_size])
        inputs, targets, mask = batch.inputs.numpy(), batch.targets.numpy(), batch.accuracy_mask.numpy()
        state = model.spec.zero_state(len(inputs))
        for position in range(inputs.shape[1]):
            logits, state = model.backend.run(inputs[:, position : position + 1], state)
            correct += int(((logits.argmax(axis=1) == targets[:, position]) & mask[:, position]).sum())
            scored += int(mask[:, position].sum())
            contract.mask_never_emitted(logits)  # what the generator may choose
            real = targets[:, position] != PAD_ID
            choices[start : start + len(inputs), position] = np.where(real, logits.argmax(axis=1), -1)
    return choices, correct, scored


def quantization_metadata(report: QuantizationReport) -> dict[str, str]:
    return {contract.KEY_QUANTIZATION: json.dumps(report.to_metadata())}
