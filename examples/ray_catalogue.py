"""Generate descriptions for a partitioned catalogue with Ray Data, beyond one machine.

    pip install lstm-edge "ray[data]"
    python examples/ray_catalogue.py "catalogue/*.csv" generated/ --column title --workers 8
    # on a cluster: ray start --head … ; RAY_ADDRESS=auto python examples/ray_catalogue.py "s3://bucket/cat/*.csv" s3://…

Ray reads the CSV partitions in parallel, streams batches to a pool of actors — each holding one
`lstm_edge.Generator`, so each loads the model once — and writes the input's columns plus `generated`
and `stop_reason` as CSV files under the output folder. The model file travels to every node with the
package (the shipped model) or by path (`--model`, on storage every node can read). A row's text depends
on its prompt only, so it is the same on one actor or a hundred, and the same as `lstm-gen` prints.
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd


class Describe:
    """A Ray actor: one Generator, many batches."""

    def __init__(self, model: str | None, column: str, words: int) -> None:
        from lstm_edge import Generator

        self.generator = Generator(model)
        self.column, self.words = column, words

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        prompts = batch[self.column].fillna("").astype(str).tolist()
        generations = self.generator.generate_many(prompts, self.words)
        return batch.assign(generated=[g.text for g in generations], stop_reason=[g.stop_reason for g in generations])


def generate_catalogue(
    paths: str | list[str], output: str, column: str, workers: int, words: int = 20, model: str | None = None
) -> Any:
    import ray

    # Each actor decodes on one thread, so it books one CPU — unless that would book every CPU of the
    # cluster: then the reading and writing tasks could never be scheduled and the pipeline would stall.
    cpus = ray.cluster_resources().get("CPU", 1.0)
    cpus_per_actor = min(1.0, max(0.1, (cpus - 1) / workers))
    dataset = ray.data.read_csv(paths)
    described = dataset.map_batches(
        Describe,
        fn_constructor_kwargs={"model": model, "column": column, "words": words},
        batch_format="pandas",
        batch_size=64,
        concurrency=workers,
        num_cpus=cpus_per_actor,
    )
    described.write_csv(output)
    return described


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", help="CSV file(s): a path, a glob or a folder, local or remote")
    parser.add_argument("output", help="folder for the generated CSV files")
    parser.add_argument("--column", default="prompt", help="the column holding the prompts (default: prompt)")
    parser.add_argument("--workers", type=int, default=2, help="actors, each with its own model (default: 2)")
    parser.add_argument("--words", type=int, default=20, help="most words per row (default: 20)")
    parser.add_argument("--model", help="an lstm-edge .onnx file every node can read (default: the shipped model)")
    arguments = parser.parse_args()
    import ray

    ray.init(include_dashboard=False, log_to_driver=False)
    generate_catalogue(
        arguments.paths, arguments.output, arguments.column, arguments.workers, arguments.words, arguments.model
    )


if __name__ == "__main__":
    main()
