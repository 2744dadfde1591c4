"""Coherence of the fashion model's greedy continuations, per category (issue 14's acceptance check).

348 prompts, 12 per category of the built-in corpus: "A <colour> <material> <product>", "<Audience>
<product>", "This <adjective> <product>"; each continued for up to 30 words as `lstm-gen` continues it
(greedy, with the decoding rules the model file recommends), and judged by
the corpus checker (lstm_edge.train.catalogue.checker): one product, one colour, one material, and only
attributes, parts, audiences, occasions and seasons its category can have (issue 14's bar) — or, stricter,
that its own family and item can have (the level every corpus row passes).

Reproduce: `python -m benchmarks coherence [--quick]` (`make coherence`)
"""

from __future__ import annotations

from benchmarks.common import print_table
from benchmarks.models import fashion_model


def main(quick: bool = False) -> None:
    from lstm_edge.runtime.generator import Generator
    from lstm_edge.train.catalogue.coherence import coherence_report

    model = fashion_model(quick)
    generator = Generator(model.fp32)
    report = coherence_report(generator)
    rows = [
        [category, total, f"{good} ({good / total:.0%})", f"{strict} ({strict / total:.0%})"]
        for category, (good, strict, total) in report.by_category().items()
    ]
    good = sum(r.coherent for r in report.results)
    strict = sum(r.strict.coherent for r in report.results)
    rows.append(["all", len(report.results), f"{good} ({report.share:.1%})", f"{strict} ({report.strict_share:.1%})"])
    print_table(
        f"Coherent continuations ({model.fp32.name}, {model.description}; up to {report.words} words, "
        f"{generator.decoding.describe()} as lstm-gen does by default)",
        ["category", "prompts", "coherent: category level (issue 14)", "coherent: product level"],
        rows,
        f"python -m benchmarks coherence{' --quick' if quick else ''}",
    )
    failures = [r for r in report.results if not r.coherent][:12]
    if failures:
        print("Incoherent continuations:")
        for result in failures:
            print(f"  {result.text}  ({'; '.join(result.verdict.problems)})")
