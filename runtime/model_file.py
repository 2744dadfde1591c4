"""Loading an lstm-edge ONNX file: vet the bytes, read the metadata, open one onnxruntime session.

Every refusal is a `ModelFileError` whose message names the file and the problem in one line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import contract
from .errors import ModelFileError, VocabularyMismatch
from .onnx_proto import ProtoError, summarize_model
from .tokenizer import Tokenizer, TokenizerError

DEFAULT_MODEL_NAME = "fashion-lstm.onnx"
REEXPORT = "re-export it with lstm-export"


@dataclass(frozen=True)
class Architecture:
    vocab_size: int
    embedding_dim: int
    hidden_sizes: tuple[int, ...]
    dense_size: int

    @property
    def layers(self) -> int:
        return len(self.hidden_sizes)


@dataclass
class ModelFile:
    """A vetted model: its session, tokenizer, architecture and metadata."""

    path: Path
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Tokenizer
    architecture: Architecture
    metadata: dict[str, str]
    generation: dict[str, Any] = field(default_factory=dict)
    size_bytes: int = 0

    def info(self) -> dict[str, Any]:
        """What `lstm-gen --info` shows: the metadata, decoded."""
        decoded: dict[str, Any] = {"path": str(self.path), "size_bytes": self.size_bytes}
        for key, value in sorted(self.metadata.items()):
            name = key.removeprefix("lstm_edge.")
            if key == contract.KEY_TOKENIZER:
                decoded["vocabulary_size"] = len(self.tokenizer)
                continue
            try:
                decoded[name] = json.loads(value)
            except json.JSONDecodeError:
                decoded[name] = value
        return decoded


def default_model_path() -> Path:
    """The shipped model, inside the installed `lstm_edge.models` package."""
    from lstm_edge import models  # a plain file path: cheaper at start-up than importlib.resources

    return Path(models.__file__).parent / DEFAULT_MODEL_NAME


def load_model(path: str | Path | None = None, threads: int = 1) -> ModelFile:
    """Open the model file at `path` (the shipped default when None) for generation.

    `threads` is onnxruntime's intra-op thread count; 1 with spinning off suits small devices.
    """
    if path is None:
        path = default_model_path()
        if not path.is_file():
            raise ModelFileError(f"{path}: no default model is installed; pass --model, or build one with `make model`")
    path = Path(path)
    data = _read(path)
    metadata = _vet_bytes(path, data)
    tokenizer = _tokenizer(path, metadata)
    architecture = _architecture(path, metadata)
    generation = _json(path, metadata, contract.KEY_GENERATION)
    session = _session(path, data, threads)
    _check_signature(path, session, architecture, tokenizer)
    return ModelFile(path, session, tokenizer, architecture, metadata, generation, len(data))


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a directory, expected an .onnx file") from None
    except OSError as error:
        raise ModelFileError(f"{path}: cannot read ({error.strerror})") from None
    if not data:
        raise ModelFileError(f"{path}: the file is empty")
    return data


def _vet_bytes(path: Path, data: bytes) -> dict[str, str]:
    try:
        summary = summarize_model(data)
    except ProtoError as error:
        raise ModelFileError(f"{path}: not an ONNX model, or a truncated one ({error})") from None
    if not summary.has_graph or summary.ir_version == 0:
        raise ModelFileError(f"{path}: not an ONNX model (no graph)")
    if summary.external_data:
        raise ModelFileError(
            f"{path}: keeps weights in external data files; an lstm-edge model is one self-contained file ({REEXPORT})"
        )
    metadata = summary.metadata
    if contract.KEY_FORMAT_VERSION not in metadata:
        raise ModelFileError(
            f"{path}: an ONNX model without lstm-edge metadata; only files from lstm-export can be run"
        )
    version = metadata[contract.KEY_FORMAT_VERSION]
    if version != str(contract.FORMAT_VERSION):
        raise ModelFileError(
            f"{path}: model format version {version!r} is not supported (this lstm-edge reads version "
            f"{contract.FORMAT_VERSION}); {REEXPORT} from the same lstm-edge release"
        )
    missing = [key for key in contract.REQUIRED_KEYS if key not in metadata]
    if missing:
        raise ModelFileError(f"{path}: metadata lacks {', '.join(missing)} ({REEXPORT})")
    return metadata


def _json(path: Path, metadata: dict[str, str], key: str) -> Any:
    try:
        return json.loads(metadata[key])
    except json.JSONDecodeError:
        raise ModelFileError(f"{path}: metadata {key} is not valid JSON ({REEXPORT})") from None


def _tokenizer(path: Path, metadata: dict[str, str]) -> Tokenizer:
    document = metadata[contract.KEY_TOKENIZER]
    if hashlib.sha256(document.encode()).hexdigest() != metadata[contract.KEY_TOKENIZER_SHA256]:
        raise ModelFileError(f"{path}: tokenizer does not match its sha256; the file was altered ({REEXPORT})")
    try:
        return Tokenizer.from_json(document)
    except TokenizerError as error:
        raise ModelFileError(f"{path}: {error} ({REEXPORT})") from None


def _architecture(path: Path, metadata: dict[str, str]) -> Architecture:
    data = _json(path, metadata, contract.KEY_ARCHITECTURE)
    try:
        architecture = Architecture(
            vocab_size=int(data["vocab_size"]),
            embedding_dim=int(data["embedding_dim"]),
            hidden_sizes=tuple(int(size) for size in data["hidden_sizes"]),
            dense_size=int(data["dense_size"]),
        )
    except (KeyError, TypeError, ValueError):
        raise ModelFileError(f"{path}: metadata {contract.KEY_ARCHITECTURE} is incomplete ({REEXPORT})") from None
    if not architecture.hidden_sizes:
        raise ModelFileError(f"{path}: architecture has no LSTM layers ({REEXPORT})")
    return architecture


def _session(path: Path, data: bytes, threads: int) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # onnxruntime warnings are not the user's problem
    try:
        return onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own Fail/InvalidGraph/… types
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelFileError(f"{path}: onnxruntime cannot load it ({detail[:300]})") from None


def _check_signature(path: Path, session: Any, architecture: Architecture, tokenizer: Tokenizer) -> None:
    inputs = {i.name: i for i in session.get_inputs()}
    outputs = {o.name: o for o in session.get_outputs()}
    layers = architecture.layers
    missing = [n for n in contract.graph_inputs(layers) if n not in inputs]
    missing += [n for n in contract.graph_outputs(layers) if n not in outputs]
    if missing:
        raise ModelFileError(f"{path}: graph lacks {', '.join(missing)}; it does not follow the lstm-edge contract")
    if inputs[contract.INPUT_IDS].type != "tensor(int64)":
        raise ModelFileError(f"{path}: input_ids must be int64, not {inputs[contract.INPUT_IDS].type}")
    for i, size in enumerate(architecture.hidden_sizes):
        for name in (f"h_in_{i}", f"c_in_{i}", f"h_out_{i}", f"c_out_{i}"):
            tensor = inputs.get(name) or outputs[name]
            if tensor.shape[-1] != size:
                raise ModelFileError(f"{path}: {name} has width {tensor.shape[-1]}, the metadata says {size}")
    width = outputs[contract.LOGITS].shape[-1]
    if width != architecture.vocab_size or width != len(tokenizer):
        raise VocabularyMismatch(
            f"{path}: the vocabulary has {len(tokenizer)} words but the logits are {width} wide "
            f"(architecture says {architecture.vocab_size}); {REEXPORT}"
        )
