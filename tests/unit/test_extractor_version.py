"""The extractor version: what makes every extracted day due for re-extraction."""

import shutil
from pathlib import Path

from pipelines.nlp.model import NOT_THE_EXTRACTOR, extractor_version

NLP = Path(__file__).resolve().parents[2] / "pipelines" / "nlp"
META = {"name": "core_web_sm", "version": "3.8.0"}


def _copy(tmp_path: Path) -> Path:
    code = tmp_path / "nlp"
    shutil.copytree(NLP, code, ignore=shutil.ignore_patterns("__pycache__"))
    return code


def test_rules_data_and_model_change_the_version(tmp_path):
    code = _copy(tmp_path)
    before = extractor_version(META, code)
    assert extractor_version(META, code) == before  # deterministic
    assert extractor_version({**META, "version": "3.8.1"}, code) != before
    with (code / "casualties.py").open("a") as f:
        f.write("\n# a rule changed\n")
    ruled = extractor_version(META, code)
    assert ruled != before
    with (code / "data" / "admin1.tsv").open("a") as f:
        f.write("\n")
    assert extractor_version(META, code) != ruled


def test_the_worker_processes_and_model_lookup_do_not(tmp_path):
    # how extraction is run (processes, chunks) and how the model is found shape no row
    code = _copy(tmp_path)
    before = extractor_version(META, code)
    for name in sorted(NOT_THE_EXTRACTOR):
        with (code / name).open("a") as f:
            f.write("\n# plumbing changed\n")
    assert extractor_version(META, code) == before
    assert extractor_version(META) == extractor_version(META, NLP)
