"""examples/: the Ray Data recipe runs on a real (local) Ray cluster when Ray is installed.

`.ci/run` installs `ray[data]`; elsewhere the test is skipped and says why.
"""

from __future__ import annotations

import csv
import glob
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_edge.runtime.generator import Generator

ROOT = Path(__file__).resolve().parents[1]


def test_ray_recipe_generates_a_partitioned_catalogue(tiny_model: Path, tmp_path: Path):
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as error:
        pytest.skip(f"Ray Data is not installed ({error}); pip install 'ray[data]' to run the example's test")
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    prompts = {}
    for part in range(3):
        with open(catalogue / f"part-{part}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["sku", "title"])
            for row in range(25):
                sku = f"P{part}-{row:02d}"
                prompts[sku] = ["A cream coat", "Our slim jeans", "A silk scarf", "zzyzx", "A linen shirt"][row % 5]
                writer.writerow([sku, prompts[sku]])
    out = tmp_path / "generated"
    command = [sys.executable, str(ROOT / "examples" / "ray_catalogue.py"), str(catalogue), str(out)]
    command += ["--column", "title", "--workers", "2", "--words", "12", "--model", str(tiny_model)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = []
    for path in sorted(glob.glob(str(out / "*.csv"))):
        with open(path, newline="", encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    assert sorted(row["sku"] for row in rows) == sorted(prompts)
    generator = Generator(tiny_model)
    expected = {sku: generator.generate(prompt, 12) for sku, prompt in prompts.items()}
    for row in rows:
        assert row["generated"] == expected[row["sku"]].text
        assert row["stop_reason"] == expected[row["sku"]].stop_reason
