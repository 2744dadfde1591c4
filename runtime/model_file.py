"""Loading an lstm-edge ONNX file: read it safely, vet every byte against the contract, open a backend.

A model file is accepted only if it is what our exporter writes. In order:

1. read: a regular file (a FIFO or device is refused before it is opened), at most
   `contract.MAX_MODEL_BYTES` (a larger file is refused before it is read);
2. parse and vet with the runtime's own reader (`onnx_proto`): only the fields our exporter writes, so no
   outside data, subgraphs, functions or sparse tensors anywhere, no field protobuf would merge; then only
   the operators, attributes and opsets of the contract;
3. read the metadata: format version, tokenizer (its sha256; no empty word, none with spaces or control
   characters), architecture → `ModelSpec`;
4. check the graph against the spec: input and output names, types and widths, LSTM sizes, the
   vocabulary against the logits' width, and the names and shapes the architecture document lists;
5. only then hand the file to a backend (onnxruntime, or the numpy backend, which maps the graph itself).

Every refusal is a `ModelFileError` whose message names the file and the problem in one line.
"""

from __future__ import annotations

import json
import os
import stat
from typing import TYPE_CHECKING, Any, NamedTuple

from . import contract
from .contract import ModelSpec
from .decoding import Decoding
from .errors import GenerationError, LstmEdgeError, ModelFileError, VocabularyMismatch
from .onnx_proto import FLOAT, INT64, Graph, OnnxModel, ProtoError, ValueInfo, read_model
from .tokenizer import SPECIAL_TOKENS, Tokenizer

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_MODEL_NAME = "fashion-lstm.onnx"
REEXPORT = "re-export it with lstm-export"
_INFO_FACTS = frozenset({"path", "size_bytes", "backend", "vocabulary_size"})  # `info()` keys not from metadata
_JSON_LIMIT = 64 * 1024 * 1024  # one metadata document; the tokenizer of a 60k vocabulary is about 1 MB


class ModelFile(NamedTuple):
    """A vetted model: its spec, tokenizer and metadata, and the backend that runs its step graph."""

    path: str | os.PathLike[str]  # as given (a string for the shipped model: pathlib costs a start 2 ms)
    spec: ModelSpec
    tokenizer: Tokenizer
    metadata: dict[str, str]
    backend: Any  # a `backend.StepBackend`
    generation: dict[str, Any]  # the recommended decoding's document
    size_bytes: int

    def info(self) -> dict[str, Any]:
        """What `lstm-gen --info` shows: the file's own facts, then its metadata decoded (a metadata key
        named like one of those facts is left out)."""
        decoded: dict[str, Any] = {
            "path": printable_path(self.path),
            "size_bytes": self.size_bytes,
            "backend": self.backend.name,
        }
        for key, value in sorted(self.metadata.items()):
            name = key.removeprefix("lstm_edge.")
            if key == contract.KEY_TOKENIZER:
                decoded["vocabulary_size"] = len(self.tokenizer)
            elif name not in _INFO_FACTS:
                try:
                    decoded[name] = _parse_json(value)
                except ValueError:
                    decoded[name] = value
        return decoded


def printable_path(path: str | os.PathLike[str]) -> str:
    """`path` as valid Unicode: bytes of a non-UTF-8 file name become U+FFFD (so JSON output stays UTF-8)."""
    return os.fsencode(path).decode("utf-8", "replace")


def default_model_path() -> Path:
    """The shipped model, inside the installed `lstm_edge.models` package."""
    from pathlib import Path

    return Path(_shipped_model())


def _shipped_model() -> str:
    from lstm_edge import models  # a plain file path: cheaper at start-up than importlib.resources

    return os.path.join(os.path.dirname(models.__file__), DEFAULT_MODEL_NAME)


def load_model(path: str | os.PathLike[str] | None = None, threads: int = 1, backend: str = "auto") -> ModelFile:
    """Open the model file at `path` (the shipped default when None) for generation.

    `backend` is "auto" (onnxruntime where it imports, numpy otherwise), "onnxruntime" or "numpy";
    `threads` is onnxruntime's intra-op thread count; 1 suits small devices.
    """
    if path is None:
        path = _shipped_model()
        if not os.path.isfile(path):
            raise ModelFileError(f"{path}: no default model is installed; pass --model, or build one with `make model`")
    data = read_model_bytes(path)
    try:
        model = read_model(data, max_nodes=contract.MAX_NODES)
        spec, tokenizer, generation = vet(model)
    except ProtoError as error:
        raise ModelFileError(f"{path}: not an ONNX model, or a truncated one ({error})") from None
    except ModelFileError as error:
        raise type(error)(f"{path}: {error}") from None
    from .backend import open_backend

    return ModelFile(
        path,
        spec,
        tokenizer,
        model.metadata,
        open_backend(backend, path, data, model, spec, threads),
        generation,
        len(data),
    )


def read_model_bytes(path: str | os.PathLike[str], limit: int = contract.MAX_MODEL_BYTES) -> bytes:
    """The file's bytes: a regular file only (a FIFO or device could block, act on being opened, or never
    end), refused unread when it is larger than `limit`."""
    try:
        _check_regular(path, os.stat(path))  # before opening: opening a FIFO or a device can block or act
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except OSError as error:
        raise ModelFileError(f"{path}: cannot read ({error.strerror or error})") from None
    except ValueError:  # a NUL in the name
        raise ModelFileError(f"{str(path)!r}: not a valid file name (it holds a NUL character)") from None
    try:
        status = os.fstat(descriptor)
        _check_regular(path, status)  # the same file we looked at, or a regular file swapped in since
        if status.st_size > limit:
            raise ModelFileError(f"{path}: larger than {limit // 2**20} MiB, far beyond any lstm-edge model")
        with open(descriptor, "rb", closefd=False) as handle:
            # one byte past the size seen: enough to notice growth, and a read of `limit` would allocate
            # `limit` bytes first (3 ms of a cold start for nothing)
            data = handle.read(status.st_size + 1)
    except OSError as error:
        raise ModelFileError(f"{path}: cannot read ({error.strerror or error})") from None
    finally:
        os.close(descriptor)
    if not data:
        raise ModelFileError(f"{path}: the file is empty")
    if len(data) > status.st_size:
        raise ModelFileError(f"{path}: the file grew while it was read; try again once it is written")
    return data


def _check_regular(path: str | os.PathLike[str], status: os.stat_result) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise ModelFileError(f"{path}: is a directory, expected an .onnx file")
    if not stat.S_ISREG(status.st_mode):
        raise ModelFileError(f"{path}: not a regular file (a device, FIFO or socket); save the model to a file")


def vet(model: OnnxModel) -> tuple[ModelSpec, Tokenizer, dict[str, Any]]:
    """Check a parsed file against the contract; returns its spec, tokenizer and generation settings.

    Messages do not name the file: `load_model` puts the path in front.
    """
    if model.graph is None or model.ir_version == 0:
        raise ModelFileError("not an ONNX model (no graph)")
    metadata = _metadata(model.metadata)
    tokenizer = _tokenizer(metadata)
    architecture = _json(metadata, contract.KEY_ARCHITECTURE)
    spec = ModelSpec.from_architecture(architecture)
    generation = _json(metadata, contract.KEY_GENERATION)
    if not isinstance(generation, dict):
        raise ModelFileError(f"metadata {contract.KEY_GENERATION} is not a JSON object ({REEXPORT})")
    try:
        Decoding.from_metadata(generation)
    except GenerationError as error:
        raise ModelFileError(f"metadata {contract.KEY_GENERATION}: {error} ({REEXPORT})") from None
    _check_operators(model)
    _check_signature(model.graph, spec, tokenizer)
    _check_architecture_lists(architecture, spec)
    return spec, tokenizer, generation


def _metadata(metadata: dict[str, str]) -> dict[str, str]:
    if contract.KEY_FORMAT_VERSION not in metadata:
        raise ModelFileError("an ONNX model without lstm-edge metadata; only files from lstm-export can be run")
    version = metadata[contract.KEY_FORMAT_VERSION]
    if version != str(contract.FORMAT_VERSION):
        raise ModelFileError(
            f"model format version {version[:40]!r} is not supported (this lstm-edge reads version "
            f"{contract.FORMAT_VERSION}); {REEXPORT} from the same lstm-edge release"
        )
    missing = [key for key in contract.REQUIRED_KEYS if key not in metadata]
    if missing:
        raise ModelFileError(f"metadata lacks {', '.join(missing)} ({REEXPORT})")
    return metadata


def _json(metadata: dict[str, str], key: str) -> Any:
    try:
        return _parse_json(metadata[key])
    except ValueError as error:
        raise ModelFileError(f"metadata {key} is not valid JSON ({error}; {REEXPORT})") from None


def _parse_json(text: str) -> Any:
    """json.loads for untrusted text: bounded length and nesting, finite numbers of sane length only."""
    if len(text) > _JSON_LIMIT:
        raise ValueError("too long")

    def number(literal: str) -> float | int:
        if len(literal) > 40:
            raise ValueError("a number with too many digits")
        value = float(literal) if any(c in literal for c in ".eE") else int(literal)
        if value in (float("inf"), float("-inf")):
            raise ValueError("a number out of range")
        return value

    def constant(name: str) -> float:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(text, parse_int=number, parse_float=number, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise ValueError(error.msg) from None
    except RecursionError:  # the C parser counts its nesting and stops cleanly
        raise ValueError("nested too deeply") from None


def _tokenizer(metadata: dict[str, str]) -> Tokenizer:
    document = metadata[contract.KEY_TOKENIZER]
    if _sha256_hex(document.encode()) != metadata[contract.KEY_TOKENIZER_SHA256]:
        raise ModelFileError(f"tokenizer does not match its sha256; the file was altered ({REEXPORT})")
    try:
        tokenizer = Tokenizer.from_document(_json(metadata, contract.KEY_TOKENIZER))
    except LstmEdgeError as error:
        raise ModelFileError(f"{error} ({REEXPORT})") from None
    _check_vocabulary(tokenizer)
    return tokenizer


def _check_vocabulary(tokenizer: Tokenizer) -> None:
    """No word is empty (detokenizing it would fail) or holds spaces or control characters (which would break
    the output's lines or reach the terminal). One pass in C over the whole vocabulary."""
    words = tokenizer.vocabulary[len(SPECIAL_TOKENS) :]
    text = "".join(words)
    if "" not in words and text.isprintable() and " " not in text:
        return
    for index, word in enumerate(words, len(SPECIAL_TOKENS)):
        if not word or not word.isprintable() or " " in word:
            raise ModelFileError(
                f"vocabulary entry {index} ({word[:40]!r}) is empty or holds spaces or control characters ({REEXPORT})"
            )


def _check_architecture_lists(document: dict[str, Any], spec: ModelSpec) -> None:
    """The names and shapes the architecture document also lists are the ones its layer sizes give."""
    for key, expected in spec.architecture().items():
        if key in document and document[key] != expected:
            raise ModelFileError(
                f"metadata {contract.KEY_ARCHITECTURE} lists other {key} than its sizes give ({REEXPORT})"
            )


def _sha256_hex(data: bytes) -> str:
    """sha256 from CPython's small built-in module where it has one: hashlib loads OpenSSL, about 3 ms of
    a 100 ms cold start."""
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]  # Python ≥ 3.12
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found]  # Python ≤ 3.11
        except ImportError:
            from hashlib import sha256
    return str(sha256(data).hexdigest())


def _check_operators(model: OnnxModel) -> None:
    for domain, version in model.opsets.items():
        allowed = contract.ALLOWED_OPSETS.get(domain)
        if allowed is None or version not in allowed:
            raise ModelFileError(f"imports opset {domain or 'ai.onnx'} {version}, which lstm-edge models do not use")
    assert model.graph is not None
    for node in model.graph.nodes:
        attributes = contract.ALLOWED_OPERATORS.get((node.domain, node.op_type))
        if attributes is None:
            where = f"{node.domain}." if node.domain else ""
            raise ModelFileError(f"uses operator {where}{node.op_type[:60]}, which lstm-edge models do not use")
        unexpected = sorted(set(node.attributes) - attributes)
        if unexpected:
            raise ModelFileError(
                f"operator {node.op_type} has attribute {unexpected[0][:60]!r}, which lstm-edge does not use"
            )


def _check_signature(graph: Graph, spec: ModelSpec, tokenizer: Tokenizer) -> None:
    """The graph's inputs and outputs are exactly the spec's, with its types and widths."""
    for kind, values, names, shapes in (
        ("input", graph.inputs, spec.graph_inputs, spec.input_shapes()),
        ("output", graph.outputs, spec.graph_outputs, spec.output_shapes()),
    ):
        found = [value.name for value in values]
        missing = [name for name in names if name not in found]
        if missing:
            raise ModelFileError(f"graph lacks {', '.join(missing)}; it does not follow the lstm-edge contract")
        if found != names:
            listed = ", ".join(name[:40] for name in found[:12])
            raise ModelFileError(f"graph {kind}s are {listed}; the lstm-edge contract has exactly {', '.join(names)}")
        for value in values:
            _check_value(value, shapes[value.name])
    lstm_sizes = [n.attributes.get("hidden_size") for n in graph.nodes if n.op_type in ("LSTM", "DynamicQuantizeLSTM")]
    if lstm_sizes != list(spec.hidden_sizes):
        raise ModelFileError(
            f"the graph's LSTM layers have sizes {lstm_sizes}, the metadata says {list(spec.hidden_sizes)}"
        )
    if len(tokenizer) != spec.vocab_size:
        raise VocabularyMismatch(
            f"the vocabulary has {len(tokenizer)} words but the logits are {spec.vocab_size} wide; {REEXPORT}"
        )


def _check_value(value: ValueInfo, shape: list[int | str]) -> None:
    expected_type = INT64 if value.name == contract.INPUT_IDS else FLOAT
    if value.elem_type != expected_type:
        kind = contract.IDS_DTYPE if expected_type == INT64 else contract.FLOAT_DTYPE
        raise ModelFileError(f"{value.name} must be {kind}, the graph says type {value.elem_type}")
    if value.dims is None or len(value.dims) != len(shape):
        raise ModelFileError(f"{value.name} must have shape {shape}, the graph gives {value.dims}")
    for axis, (actual, expected) in enumerate(zip(value.dims, shape, strict=True)):
        if isinstance(expected, int) and actual != expected:
            what = "logits" if value.name == contract.LOGITS else value.name
            if value.name == contract.LOGITS:
                raise VocabularyMismatch(
                    f"the metadata says {expected} words but the {what} are {actual} wide; {REEXPORT}"
                )
            raise ModelFileError(f"{value.name} has width {actual}, the metadata says {expected}")
        if isinstance(expected, str) and isinstance(actual, int):
            raise ModelFileError(f"{value.name}: axis {axis} ({expected}) is fixed to {actual}, it must be dynamic")
