"""Checkpoint → verified ONNX file (and optionally its verified int8 twin).

A file only appears at its final path after it passed verification: it is written to a temporary
name next to the target, checked there, and renamed; on any failure the temporary file is removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import onnx

from lstm_edge.runtime.console import describe_os_error
from lstm_edge.runtime.contract import DEFAULT_OPSET, int8_twin
from lstm_edge.runtime.decoding import PLAIN, Decoding
from lstm_edge.runtime.errors import CorpusError, ExportError, LstmEdgeError, QuantizationRefused
from lstm_edge.runtime.files import atomic_path, special_kind, unwritable_reason
from lstm_edge.runtime.generator import Generator, Sampling
from lstm_edge.runtime.model_file import load_model, printable_path
from lstm_edge.runtime.recommend import recommend
from lstm_edge.runtime.tokenizer import BOS_ID, EOS_ID, Tokenizer
from lstm_edge.train.batching import encode_all, split_by_description
from lstm_edge.train.checkpoint import load_checkpoint, model_from_checkpoint, resolve_checkpoint
from lstm_edge.train.config import TrainConfig
from lstm_edge.train.corpus import DEFAULT_COLUMN, load_corpus

from .graph import export_step_graph, spec_of
from .metadata import build_metadata, generation_metadata, set_metadata
from .quantize import MIN_AGREEMENT, QuantizationReport, compare, quantization_metadata, quantize_int8
from .verify import VerificationReport, check_finite_weights, sample_prompts, verify

HELD_OUT_LIMIT = 1000  # descriptions used to measure int8 agreement


@dataclass
class ExportResult:
    path: Path
    report: VerificationReport
    int8_path: Path | None = None
    quantization: QuantizationReport | None = None


def default_output(source: Path) -> Path:
    return (source if source.is_dir() else source.parent) / "model.onnx"


def export_model(
    source: Path,
    out: Path | None = None,
    opset: int = DEFAULT_OPSET,
    quantize: bool = False,
    force: bool = False,
    data: Path | None = None,
    min_agreement: float = MIN_AGREEMENT,
    log: Callable[[str], None] = print,
    decoding: Decoding | None = PLAIN,
) -> ExportResult:
    """Export `source` to `out`; `decoding` is the generation default to write, None to measure it
    on held-out prompts (what lstm-export does unless told)."""
    checkpoint_path = resolve_checkpoint(source)
    for given, what in ((checkpoint_path, "checkpoint"), (data, "--data")):
        kind = special_kind(given) if given is not None else None
        if kind is not None and kind != "a directory":  # a FIFO would block, /dev/zero never end
            raise ExportError(f"{given}: is {kind}, not a {what} file")
    checkpoint = load_checkpoint(checkpoint_path)
    model, tokenizer = model_from_checkpoint(checkpoint)
    check_finite_weights(model)
    out = out or default_output(source)
    check_writable(out)
    if quantize:
        check_writable(int8_twin(out))
        check_quantizable(int8_twin(out))

    graph = export_step_graph(model, opset)
    chosen_by = {"method": "set at export"} if decoding is not None else None  # None: measured below
    set_metadata(
        graph, build_metadata(checkpoint, tokenizer, model.config, spec_of(model), opset, decoding or PLAIN, chosen_by)
    )
    held_out: tuple[list[list[int]], str] | None = None
    recommendation = None
    with atomic_path(out) as temporary, _named_as(temporary, out):
        onnx.save(graph, temporary)  # one file: the weights are far below protobuf's 2 GB limit
        report = verify(temporary, model, tokenizer)
        if decoding is None:  # measure the decoding default on the verified file, then write it in
            fp32 = load_model(temporary)
            held_out = held_out_sequences(checkpoint, tokenizer, data, fp32)
            recommendation = recommend(Generator(fp32), held_out[0], held_out[1])
            set_metadata(graph, generation_metadata(recommendation.decoding, recommendation.to_metadata()))
            onnx.save(graph, temporary)
            load_model(temporary)  # the runtime accepts what is about to be written
            report.file_size = temporary.stat().st_size
    log(f"Exported {checkpoint_path} → {out}")
    for line in report.lines():
        log(f"  {line}")
    if recommendation is not None:
        chosen, prompts = recommendation.decoding.describe(), recommendation.prompts
        log(f"  decoding default     {chosen} (measured on {prompts} prompts from {recommendation.source})")
        for line in recommendation.lines():
            log(f"    {line}")
    result = ExportResult(out, report)
    if not quantize:
        return result

    fp32 = load_model(out)
    sequences, held_out_text = held_out or held_out_sequences(checkpoint, tokenizer, data, fp32)
    int8_path = int8_twin(out)
    with _written_anyway(out), atomic_path(int8_path) as temporary, _named_as(temporary, int8_path):
        quantize_int8(out, temporary)
        quantization = compare(fp32, load_model(temporary), sequences, sample_prompts(tokenizer, 24), held_out_text)
        for line in quantization.lines():
            log(f"  {line}")
        if not quantization.step_agreement >= min_agreement and not force:  # NaN agrees with nothing
            raise QuantizationRefused(
                f"int8 model agrees with float32 on {quantization.step_agreement:.2%} of held-out steps, below "
                f"{min_agreement:.2%}; not written (pass --force to write it anyway). {out} is written and verified"
            )
        quantized = onnx.load(temporary)
        set_metadata(quantized, quantization_metadata(quantization))
        onnx.save(quantized, temporary)
        load_model(temporary)  # the runtime accepts what we are about to ship
    log(f"Quantized → {int8_path}")
    result.int8_path, result.quantization = int8_path, quantization
    return result


def held_out_sequences(
    checkpoint: dict[str, Any], tokenizer: Tokenizer, data: Path | None, fp32: Any
) -> tuple[list[list[int]], str]:
    """The run's validation descriptions as ids, found again from the corpus the checkpoint names.

    When that corpus is gone (or `data` is not the same file), fall back to text sampled from the
    float32 model, and say so.
    """
    corpus_info = checkpoint.get("corpus", {})
    source = str(data) if data else corpus_info.get("source")
    try:
        corpus = load_corpus(None if source == "built-in" else source, corpus_info.get("column", DEFAULT_COLUMN))
    except (CorpusError, TypeError):
        corpus = None
    if corpus is not None and corpus.digests.matches(corpus_info.get("sha256")):
        config = TrainConfig.from_dict(checkpoint["train_config"])
        _, val = split_by_description(corpus.descriptions, config.val_fraction, config.split_seed)
        return encode_all(val[:HELD_OUT_LIMIT], tokenizer), f"{len(val[:HELD_OUT_LIMIT])} validation descriptions"
    if data is not None:
        raise ExportError(f"{data} is not the data this checkpoint was trained on (sha256 differs)")
    prompts = sample_prompts(tokenizer, 200, seed=1)
    sampled = Generator(fp32, decoding=PLAIN).generate_many(prompts, 30, Sampling(temperature=1.0, seed=0))
    sequences = [
        [BOS_ID, *tokenizer.encode(g.prompt).ids, *(tokenizer.ids[w] for w in g.words), EOS_ID] for g in sampled
    ]
    return [s for s in sequences if len(s) > 2], "text sampled from the float32 model (training data not found)"


@contextmanager
def _written_anyway(out: Path) -> Iterator[None]:
    """A file-system error while making the int8 twin also says that the float32 model is in place."""
    try:
        yield
    except OSError as error:
        raise ExportError(f"{describe_os_error(error)}; {out} is written and verified") from None


@contextmanager
def _named_as(temporary: Path, target: Path) -> Iterator[None]:
    """Report errors about the temporary file under the name the user asked for."""
    try:
        yield
    except LstmEdgeError as error:
        raise type(error)(str(error).replace(str(temporary), str(target))) from None


def check_writable(path: Path) -> None:
    """Fail before any work when `path` cannot be written, or holds something that is not a regular file."""
    reason = unwritable_reason(path, "lstm-export")
    if reason is not None:
        raise ExportError(f"cannot write {path}: {reason}")


def check_quantizable(int8_path: Path) -> None:
    """onnxruntime's quantizer works on files in a directory beside the int8 twin, and opens them from C++,
    which takes only UTF-8 paths: a directory whose name is not UTF-8 is refused before any work."""
    directory = int8_path.parent
    try:
        str(directory).encode("utf-8")
    except UnicodeEncodeError:
        shown = printable_path(directory)
        raise ExportError(
            f"cannot quantize into {shown}: its name is not UTF-8, which onnxruntime's quantizer cannot open; "
            "export into a directory with a UTF-8 name"
        ) from None
