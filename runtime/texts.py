"""Which texts: the built-in corpus, and the training run's held-out split, found again without torch.

`split_positions` finds the trainer's validation rows again from its recorded fraction and seed:
`train/batching.py` shuffles with `torch.randperm`, whose CPU algorithm (a Fisher–Yates pass over
MT19937 draws) is rebuilt here with numpy; a test holds the two equal. Reading the texts themselves is
`csv_file.py`'s job (one reader for training and the runtime).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CorpusError

if TYPE_CHECKING:  # numpy is imported where used: the catalogue generator (standard library only) imports this
    import numpy as np

BUILTIN = "built-in"  # how training metadata names the packaged corpus
# The packaged corpus: xz, 1.0 MB instead of 8.3 MB; its sha256 is of the CSV inside (text_source.py).
BUILTIN_FILE = "fashion_descriptions.csv.xz"


def builtin_corpus_path() -> Path:
    """The packaged fashion corpus, found without importing the training package (no torch here)."""
    from importlib.util import find_spec

    spec = find_spec("lstm_edge.train")  # where the package lies, without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise CorpusError("the built-in corpus is not installed; pass --data")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / BUILTIN_FILE


def resolve_source(source: str) -> Path:
    return builtin_corpus_path() if source == BUILTIN else Path(source)


def torch_randperm(n: int, seed: int) -> list[int]:
    """`torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()`, without torch.

    torch's CPU kernel swaps position i with i + (draw mod (n − i)) for each 32-bit MT19937 draw of a
    generator seeded with the seed's low 32 bits, which numpy's legacy RandomState reproduces.
    """
    if n >= 2**32 // 20:  # torch switches to 64-bit draws there; no corpus of ours comes near
        raise CorpusError(f"{n:,} rows is more than the split can be rebuilt for")
    order = list(range(n))
    if n < 2:
        return order
    import numpy as np

    draws = np.random.RandomState(seed & 0xFFFFFFFF).randint(0, 2**32, size=n - 1, dtype=np.uint64).tolist()
    for i, draw in enumerate(draws):
        j = i + draw % (n - i)
        order[i], order[j] = order[j], order[i]
    return order


def split_positions(n: int, val_fraction: float, seed: int) -> np.ndarray:
    """(n,) bool, True for the texts `train.batching.split_by_description` holds out for validation."""
    import numpy as np

    if n < 2:
        raise CorpusError("need at least 2 texts to find a validation split in them")
    held_out = min(n - 1, max(1, round(n * val_fraction)))
    chosen = np.zeros(n, dtype=bool)
    chosen[torch_randperm(n, seed)[:held_out]] = True
    return chosen
