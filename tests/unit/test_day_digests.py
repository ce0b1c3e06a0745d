import json
import os
import time

import pytest

from pipelines.day_digests import DayDigests, memo_path
from pipelines.ingest import input_digest
from pipelines.settings import Settings

DAY = "2016-03-01"
LINE = json.dumps({"title": "Blast kills 5", "text": "A bomb killed five people in Kabul on Tuesday."}) + "\n"


@pytest.fixture
def archive(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "archive"
    (root / DAY).mkdir(parents=True)
    (root / DAY / "wire.jsonl").write_text(LINE)
    (root / DAY / "notes.txt").write_text("Gunmen killed two guards.")
    return root


def settings_for(root, **changes):
    return Settings(archive=root, warehouse=root / "w.duckdb", **changes)


def next_run(root, settings, racy_seconds=0):
    """A later run's view: a new object, reading what the last one saved."""
    return DayDigests(root, settings, racy_seconds=racy_seconds)


def learnt(root, settings):
    """The memo after one run that found the day unchanged (racy guard off)."""
    digest = input_digest(root, DAY, settings)
    first = next_run(root, settings)
    assert first.is_unchanged(DAY, digest) and first.bytes_read_days == 1
    first.save()
    return digest


def test_an_unchanged_day_is_known_without_reading_it(archive):
    settings = settings_for(archive)
    digest = learnt(archive, settings)
    later = next_run(archive, settings)
    assert later.is_unchanged(DAY, digest)
    assert later.bytes_read_days == 0
    assert not later.is_unchanged(DAY, "another digest") and later.bytes_read_days == 1
    assert not later.is_unchanged(DAY, None)  # never ingested


def test_a_file_rewritten_in_place_with_its_old_size_and_mtime_is_read_again(archive):
    settings = settings_for(archive)
    digest = learnt(archive, settings)
    wire = archive / DAY / "wire.jsonl"
    old = wire.stat()
    time.sleep(0.05)  # past the clock tick of the kept ctime
    wire.write_text(LINE.replace("five", "nine"))
    os.utime(wire, ns=(old.st_atime_ns, old.st_mtime_ns))  # as `cp -p` or `rsync -t` would
    assert wire.stat().st_size == old.st_size and wire.stat().st_mtime_ns == old.st_mtime_ns
    later = next_run(archive, settings)
    assert not later.is_unchanged(DAY, digest)
    assert later.bytes_read_days == 1


def test_a_new_file_in_the_day_folder_is_read_again(archive):
    settings = settings_for(archive)
    digest = learnt(archive, settings)
    (archive / DAY / "late.txt").write_text("A second blast wounded four.")
    assert not next_run(archive, settings).is_unchanged(DAY, digest)


def test_other_ingest_limits_are_another_key(archive):
    settings = settings_for(archive)
    digest = learnt(archive, settings)
    tighter = settings_for(archive, max_line_bytes=10)
    later = next_run(archive, tighter)
    assert not later.is_unchanged(DAY, digest)  # ingesting under the new limit changes rows
    assert later.bytes_read_days == 1


def test_a_day_just_written_is_not_kept(archive):
    settings = settings_for(archive)
    digest = input_digest(archive, DAY, settings)
    for _ in range(2):
        run = next_run(archive, settings, racy_seconds=3600)  # every file is "just written"
        assert run.is_unchanged(DAY, digest) and run.bytes_read_days == 1
        run.save()
    assert not memo_path(archive).exists()


def test_an_unreadable_memo_means_reading_the_bytes(archive):
    settings = settings_for(archive)
    digest = learnt(archive, settings)
    memo_path(archive).write_text("{not json")
    later = next_run(archive, settings)
    assert later.is_unchanged(DAY, digest) and later.bytes_read_days == 1
    later.save()
    again = next_run(archive, settings)
    assert again.is_unchanged(DAY, digest) and again.bytes_read_days == 0


def test_what_ingest_read_is_kept_unless_the_folder_moved_meanwhile(archive):
    settings = settings_for(archive)
    digest = input_digest(archive, DAY, settings)
    run = next_run(archive, settings)
    run.remember(DAY, run.key(DAY), digest)
    moved = run.key(DAY)
    time.sleep(0.05)
    (archive / DAY / "notes.txt").write_text("Gunmen killed three guards.")  # while it was read
    run.remember("2016-03-02", None, "a digest")  # a folder that could not be stat'ed
    run.remember(DAY, moved, digest)
    run.save()
    later = next_run(archive, settings)
    assert later.entries == {}
    assert not later.is_unchanged(DAY, digest) and later.bytes_read_days == 1
