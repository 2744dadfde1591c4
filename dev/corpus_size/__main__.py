"""How many rows should the built-in corpus have? Train the shipped network on 2.5k … 40k rows and measure.

For each row count: write the corpus (same seed, so each is a prefix of the next), train with the
shipped settings (`lstm-train --seed 0 --threads 1`, early stopping), export, then record the best
validation loss and accuracy, the epochs and training time, the vocabulary, the unknown-word rate on
the real reviews, and the share of coherent greedy continuations (catalogue.coherence, 30 words).

    python -m dev.corpus_size [--rows 10000,20000,40000] [--out runs/corpus-size] [--network "..."]

Runs one row count at a time (one CPU thread each) and skips row counts already finished in --out,
so an interrupted sweep resumes. Results: OUT/results.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# as `make model` trains it
SHIPPED_NETWORK = "--embedding-dim 128 --hidden-sizes 256,128 --dense-size 128 --dropout 0 --min-count 1"
REVIEWS = ROOT.parent / "shared" / "data" / "womens_clothing_reviews_1000.csv"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dev.corpus_size")
    parser.add_argument("--rows", default="10000,20000,40000")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "corpus-size")
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument("--network", default=SHIPPED_NETWORK, help="lstm-train options for the network's shape")
    arguments = parser.parse_args(argv)
    arguments.out.mkdir(parents=True, exist_ok=True)
    results_path = arguments.out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.is_file() else {}
    for rows in map(int, arguments.rows.split(",")):
        if str(rows) in results:
            continue
        results[str(rows)] = measure(rows, arguments.out / f"rows{rows}", arguments.patience, arguments.network.split())
        results_path.write_text(json.dumps(results, indent=2))
        print(table(results), flush=True)


def measure(rows: int, run: Path, patience: int, network: list[str]) -> dict[str, float]:
    python = sys.executable
    data = run.with_suffix(".csv")
    subprocess.run([python, "-m", "lstm_edge.train.catalogue", "--rows", str(rows), "--out", str(data)], check=True)
    started = time.perf_counter()
    train = [python, "-m", "lstm_edge.train", "--data", str(data), "--out", str(run), "--overwrite", "--seed", "0"]
    subprocess.run([*train, *network, "--threads", "1", "--quiet", "--patience", str(patience)], check=True)
    seconds = time.perf_counter() - started
    subprocess.run([python, "-m", "lstm_edge.export", str(run)], check=True, stdout=subprocess.DEVNULL)
    history = json.loads((run / "history.json").read_text())
    best = next(row for row in history["history"] if row["epoch"] == history["best_epoch"])
    return {
        "epochs": len(history["history"]),
        "best_epoch": history["best_epoch"],
        "val_loss": best["val_loss"],
        "val_accuracy": best["val_accuracy"],
        "train_minutes": seconds / 60,
        **model_figures(run / "model.onnx"),
    }


def model_figures(model_path: Path) -> dict[str, float]:
    import pandas as pd

    from lstm_edge.runtime.generator import Generator
    from lstm_edge.runtime.tokenizer import split_words
    from lstm_edge.train.catalogue.coherence import coherence_report

    generator = Generator(model_path)
    report = coherence_report(generator)
    figures = {"vocabulary": len(generator.tokenizer), "coherent": report.share, "coherent_strict": report.strict_share}
    if REVIEWS.is_file():
        texts = pd.read_csv(REVIEWS, dtype=str, keep_default_na=False)["Review Text"]
        tokens = [word for text in texts for word in split_words(text)]
        figures["reviews_unknown"] = sum(word not in generator.tokenizer.ids for word in tokens) / len(tokens)
    return figures


def table(results: dict[str, dict[str, float]]) -> str:
    lines = [
        "| rows | vocabulary | epochs (best) | minutes | val loss | val accuracy | coherent (category; product) "
        "| reviews unknown |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rows, r in sorted(results.items(), key=lambda item: int(item[0])):
        unknown = r.get("reviews_unknown", float("nan"))
        lines.append(
            f"| {int(rows):,} | {r['vocabulary']:,} | {r['epochs']} ({r['best_epoch']}) | {r['train_minutes']:.0f} | "
            f"{r['val_loss']:.4f} | {r['val_accuracy']:.4f} | {r['coherent']:.1%}; {r.get('coherent_strict', 0):.1%} | "
            f"{unknown:.1%} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
