"""Offline sentence embeddings (WordLlama) as one more piece of evidence in the help ranking.

Why WordLlama: its wheel ships its weights and tokenizer (16 MB, static token embeddings averaged per
text), so it embeds thousands of texts a second on a CPU and never needs the network. It is loaded with
``cache_dir`` set to the package's own folder and downloads disabled, and the Hugging Face hub is put in
offline mode first: if the weights were ever missing, loading fails here instead of fetching them.
When the package is not installed or cannot load, :func:`embedder` returns None and the ranking goes on
without this evidence (the API says so in ``why.parts``).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def embedder() -> Any | None:
    """The WordLlama model from the installed wheel, or None when it is unavailable (logged once)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import wordllama
        from wordllama import WordLlama

        return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    except Exception as error:  # not installed, weights missing: go on without embeddings
        log.warning("embeddings unavailable, ranking without them: %s", error)
        return None


def embed(texts: Sequence[str]) -> Any | None:
    """Unit-length embeddings of ``texts`` (rows), float32; None when embeddings are unavailable."""
    import numpy as np

    model = embedder()
    if model is None:
        return None
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.asarray(model.embed([t or "" for t in texts], norm=True), dtype=np.float32)
