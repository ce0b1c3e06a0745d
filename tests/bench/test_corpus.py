"""The benchmark corpus generator (bench/corpus.py): deterministic, exact count, a valid
archive layout, and varied figures, places and dates (so the extraction has work)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bench.corpus import add_day, build_corpus, city_table, iter_archive, load_templates, sample_cities

N = 150


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("bench") / "archive"
    return root, build_corpus(root, N, seed=7, per_day=50)


def test_same_seed_same_bytes_other_seed_other_bytes(corpus, tmp_path):
    root, _ = corpus
    again = tmp_path / "again"
    build_corpus(again, N, seed=7, per_day=50)
    assert _digest(again) == _digest(root)
    other = tmp_path / "other"
    build_corpus(other, N, seed=8, per_day=50)
    assert _digest(other) != _digest(root)


def test_exact_count_and_days(corpus):
    root, info = corpus
    records = list(iter_archive(root))
    assert len(records) == info["articles"] == N
    assert info["days"] == 3  # ceil(150 / 50)
    assert info["first_day"] == "2016-01-01"
    assert info["words"] > N * 80


def test_archive_layout_is_what_ingest_reads(corpus):
    from pipelines.ingest import ingest_partition, is_valid_partition_name, list_partitions
    from pipelines.settings import load_settings

    root, _ = corpus
    folders = [p for p in root.iterdir()]
    assert folders and all(p.is_dir() and is_valid_partition_name(p.name) for p in folders)
    suffixes = Counter()
    for path in root.rglob("*"):
        if path.is_file():
            assert path.name.endswith((".jsonl", ".jsonl.gz", ".txt")), path
            suffixes[".txt" if path.name.endswith(".txt") else ".jsonl.gz" if path.name.endswith(".gz") else ".jsonl"] += 1
    assert suffixes[".jsonl"] > 0
    for path in root.rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert record["text"].strip() and record["id"] and record["outlet"]
            published = dt.datetime.fromisoformat(record["published"].replace("Z", "+00:00"))
            assert abs((published.date() - dt.date.fromisoformat(path.parent.name)).days) <= 1

    settings = load_settings()
    day = list_partitions(root)[1]
    result = ingest_partition(root, day, settings)
    assert result.rejected.height == 0
    assert result.n_records_read == result.articles.height + result.duplicates.height
    # syndicated copies are expected, accidental near-copies of replays should be rare
    assert result.articles.height >= 0.9 * result.n_records_read


def test_figures_places_and_dates_vary(corpus):
    root, _ = corpus
    records = list(iter_archive(root))
    texts = [r["text"] for r in records]
    # the same sample article replayed in several storylines: different figures and places
    by_lede = {}
    for text in texts:
        words = re.sub(r"\d[\d,]*", "#", text.split("\n")[0])
        by_lede.setdefault(" ".join(words.split()[-12:]), []).append(text)
    replays = max(by_lede.values(), key=len)
    assert len(replays) >= 2
    numbers = {tuple(re.findall(r"\b\d[\d,]*\b", t.split("\n")[0])) for t in replays}
    assert len(numbers) >= 2

    table = city_table()
    sample = set(sample_cities(load_templates()))
    named = Counter()
    for text in texts:
        for name in table.country_of:
            if " " not in name and re.search(rf"\b{re.escape(name)}\b", text):
                named[name] += 1
    new_places = [n for n in named if n not in sample]
    assert len(new_places) >= 15, named.most_common(20)

    figures = Counter(int(x.replace(",", "")) for t in texts for x in re.findall(r"\b\d{1,3}(?:,\d{3})*\b", t))
    assert len(figures) >= 60
    days = {r.get("published", "")[:10] for r in records if r.get("published")}
    assert len(days) >= 3


def test_add_day_adds_one_folder(corpus, tmp_path):
    root = tmp_path / "archive"
    build_corpus(root, 60, seed=1, per_day=50)
    before = {p.name for p in root.iterdir()}
    info = add_day(root, dt.date(2016, 1, 3), 25, seed=1)
    after = {p.name for p in root.iterdir()}
    assert after - before == {"2016-01-03"}
    assert info["articles"] == 25
    assert len(list(iter_archive(root))) == 85
    with pytest.raises(FileExistsError):
        add_day(root, dt.date(2016, 1, 3), 5, seed=1)


def test_number_words_round_trip():
    from bench.corpus import _number_words, _words_value

    for value in range(3, 100):
        assert _words_value(_number_words(value)) == value
    assert _words_value("Sixty-two") == 62
