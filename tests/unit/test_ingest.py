import datetime as dt
import gzip
import json

import pytest

from pipelines.ingest import (
    ArchiveError, archive_problems, ingest_partition, list_partitions, normalise_text, shingles,
)
from pipelines.settings import Settings

DAY = "2016-03-01"
GOOD = {"id": "g1", "outlet": "Wire", "title": "Blast kills 5", "text": "A bomb killed five people in Kabul on Tuesday.",
        "published": "2016-03-01T08:00:00Z"}


def ingest(root, **settings):
    return ingest_partition(root, DAY, Settings(archive=root, warehouse=root / "w.duckdb", **settings))


def reasons(result):
    return sorted(result.rejected["reason_code"].to_list())


def test_every_line_is_loaded_a_duplicate_or_rejected(tmp_path):
    folder = tmp_path / DAY
    folder.mkdir()
    lines = [
        json.dumps(GOOD).encode(),
        b'{"text": "broken',
        b"[1, 2, 3]",
        json.dumps({"title": "no text"}).encode(),
        json.dumps({"text": "   "}).encode(),
        json.dumps({"text": 42}).encode(),
        b'{"text": "caf\xe9 bomb"}',
        json.dumps(GOOD).encode(),
        json.dumps({**GOOD, "id": "g2", "text": "Gunmen killed two guards.\x00\x07", "desk": "asia"}).encode(),
    ]
    (folder / "a.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (folder / "notes.csv").write_text("a,b\n")
    result = ingest(tmp_path)
    assert result.n_records_read == 10
    assert result.articles.height + result.duplicates.height + result.rejected.height == 10
    assert result.articles.height == 2
    assert result.duplicates["kind"].to_list() == ["exact"]
    assert reasons(result) == sorted(["malformed_json", "not_an_object", "missing_text", "empty_text", "wrong_type",
                                      "invalid_utf8", "unsupported_file"])
    with_extra = result.articles.filter(result.articles["source_id"] == "g2").row(0, named=True)
    assert with_extra["text"] == "Gunmen killed two guards."
    assert json.loads(with_extra["extra_fields"]) == {"desk": "asia"}
    assert result.rejected.filter(result.rejected["reason_code"] == "malformed_json")["line_no"].to_list() == [2]


def test_txt_file_title_is_first_line_and_published_is_folder_date(tmp_path):
    folder = tmp_path / DAY
    folder.mkdir()
    (folder / "story.txt").write_text("\nTwin blasts kill 20\n\nTwenty people were killed in Homs.\n", encoding="utf-8")
    row = ingest(tmp_path).articles.row(0, named=True)
    assert row["title"] == "Twin blasts kill 20"
    assert row["text"] == "Twenty people were killed in Homs."
    assert row["published_at"].isoformat() == "2016-03-01T00:00:00+00:00"
    assert row["outlet"] is None and row["language"] == "en"


def test_truncated_gzip_keeps_whole_lines_and_rejects_the_rest(tmp_path):
    folder = tmp_path / DAY
    folder.mkdir()
    payload = "\n".join(json.dumps({**GOOD, "id": str(i), "text": f"Article number {i} about an attack that killed {i} people."}) for i in range(200))
    data = gzip.compress(payload.encode())
    (folder / "b.jsonl.gz").write_bytes(data[:-20])
    result = ingest(tmp_path)
    assert "truncated_gzip" in reasons(result)
    assert result.articles.height >= 150
    assert result.articles.height + result.duplicates.height + result.rejected.height == result.n_records_read


def test_gzip_past_the_cap_is_rejected_not_inflated(tmp_path):
    folder = tmp_path / DAY
    folder.mkdir()
    payload = (json.dumps({"text": "x " * 1000}) + "\n").encode() * 3000  # ~6 MB inflated
    (folder / "bomb.jsonl.gz").write_bytes(gzip.compress(payload))
    result = ingest(tmp_path, max_gzip_bytes=1_000_000)
    assert reasons(result)[-1] == "gzip_too_large" or "gzip_too_large" in reasons(result)
    assert result.articles.height + result.duplicates.height < 3000


def test_syndicated_near_duplicate_is_recorded(tmp_path):
    folder = tmp_path / DAY
    folder.mkdir()
    body = ("A suicide bomber killed at least 30 people at a crowded market in the city on Tuesday, police said, "
            "in the deadliest attack this year. Another 50 were wounded, hospital officials said.")
    rows = [{**GOOD, "id": "1", "outlet": "AP", "text": body},
            {**GOOD, "id": "2", "outlet": "Daily Star", "text": body + " Copyright AP."}]
    (folder / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = ingest(tmp_path)
    assert result.articles.height == 1
    dup = result.duplicates.row(0, named=True)
    assert (dup["kind"], dup["outlet"]) == ("near", "Daily Star") and dup["similarity"] >= 0.8


def test_symlink_outside_the_archive_is_not_followed(tmp_path):
    outside = tmp_path / "outside.jsonl"
    outside.write_text(json.dumps(GOOD))
    root = tmp_path / "archive"
    (root / DAY).mkdir(parents=True)
    (root / DAY / "link.jsonl").symlink_to(outside)
    result = ingest(root)
    assert result.articles.height == 0 and reasons(result) == ["symlink_outside_archive"]


def test_folders_that_are_not_dates_are_reported(tmp_path):
    (tmp_path / "2016-03-01").mkdir()
    (tmp_path / "2016-02-31").mkdir()
    (tmp_path / "misc").mkdir()
    assert list_partitions(tmp_path) == ["2016-03-01"]
    problems = archive_problems(tmp_path)
    assert sorted(problems["source_file"].to_list()) == ["2016-02-31", "misc"]
    assert set(problems["reason_code"]) == {"invalid_partition_folder"}


@pytest.mark.parametrize(("utc_time", "latest"), [("2026-11-28T09:59:00", "2026-11-28"), ("2026-11-28T10:00:00", "2026-11-29")])
def test_a_day_folder_may_be_dated_today_anywhere_on_earth_whatever_the_machines_zone(tmp_path, monkeypatch,
                                                                                     utc_time, latest):
    import time

    import pipelines.ingest as ingest

    monkeypatch.setattr(ingest, "_utc_now", lambda: dt.datetime.fromisoformat(utc_time).replace(tzinfo=dt.UTC))
    monkeypatch.setenv("TZ", "America/Los_Angeles")  # still the day before there
    time.tzset()
    try:
        for day in ("2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"):
            (tmp_path / day).mkdir()
        assert list_partitions(tmp_path)[-1] == latest  # Kiribati's date (UTC+14) at that instant
        assert archive_problems(tmp_path)["source_file"].to_list() == [d for d in ("2026-11-29", "2026-11-30") if d > latest]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_day_folder_linked_from_outside_the_archive_is_reported_not_followed(tmp_path):
    archive, outside = tmp_path / "archive", tmp_path / "outside"
    (archive / "2016-03-01").mkdir(parents=True)
    outside.mkdir()
    (outside / "x.jsonl").write_text('{"text": "A bomb killed 3 people in Kandahar."}\n')
    (archive / "2016-03-09").symlink_to(outside)
    (archive / "2016-03-02").symlink_to(archive / "2016-03-01")  # inside the archive: a day folder
    assert list_partitions(archive) == ["2016-03-01", "2016-03-02"]
    problems = archive_problems(archive)
    assert problems.select("source_file", "reason_code").rows() == [("2016-03-09", "symlink_outside_archive")]


def test_a_byte_order_mark_at_the_start_of_a_jsonl_file_is_not_a_broken_record(tmp_path):
    day = tmp_path / "2016-03-01"
    day.mkdir()
    line = json.dumps({"id": "x1", "text": "A bomb killed 3 people in Kandahar on Monday, police said."})
    (day / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + line.encode() + b"\n" + line.replace("x1", "x2").encode() + b"\n")
    result = ingest_partition(tmp_path, "2016-03-01", Settings())
    assert result.rejected.height == 0 and result.articles.height + result.duplicates.height == 2


def test_an_article_published_after_its_folders_day_is_rejected(tmp_path):
    day = tmp_path / DAY
    day.mkdir()
    rows = [{**GOOD, "id": "late", "published": "2099-01-01T00:00:00Z"},
            {**GOOD, "id": "west", "text": "A bomb killed two people in Quetta.", "published": "2016-03-02T06:00:00Z"},
            {**GOOD, "id": "east", "text": "A bomb killed four people in Herat.", "published": "2016-02-29T22:00:00+04:00"}]
    (day / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = ingest_partition(tmp_path, DAY, Settings())
    assert sorted(result.articles["source_id"].to_list()) == ["east", "west"]  # a day's slack for time zones
    assert result.rejected.select("reason_code", "line_no").rows() == [("invalid_published", 1)]
    assert "after the day of its folder" in result.rejected["detail"][0]


def test_a_language_that_is_not_a_language_tag_is_detected_from_the_text(tmp_path):
    day = tmp_path / DAY
    day.mkdir()
    rows = [{**GOOD, "id": "tag", "language": "en-GB"},
            {**GOOD, "id": "name", "text": "A bomb killed two people in Quetta.", "language": "klingon"},
            {**GOOD, "id": "french", "text": "Une bombe a tué deux personnes à Quetta, selon la police locale.",
             "language": "Français"}]
    (day / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    languages = dict(ingest_partition(tmp_path, DAY, Settings()).articles.select("source_id", "language").iter_rows())
    assert languages == {"tag": "en", "name": "en", "french": "fr"}


def test_a_null_text_and_a_file_that_is_no_gzip_say_what_they_are(tmp_path):
    day = tmp_path / DAY
    day.mkdir()
    (day / "a.jsonl").write_text(json.dumps({"id": "n", "text": None}) + "\n")
    (day / "b.jsonl.gz").write_bytes(b"plain text, not gzip\n")
    details = dict(ingest_partition(tmp_path, DAY, Settings()).rejected.select("source_file", "detail").iter_rows())
    assert details[f"{DAY}/a.jsonl"] == '"text" is null'
    assert details[f"{DAY}/b.jsonl.gz"].startswith("not a readable gzip file")


def test_missing_archive_is_a_clear_error(tmp_path):
    with pytest.raises(ArchiveError, match="does not exist"):
        list_partitions(tmp_path / "nope")


def test_non_english_article_is_loaded_with_its_language(tmp_path):
    folder = tmp_path / DAY
    folder.mkdir()
    text = "Al menos 30 personas murieron el martes en un atentado suicida contra un mercado de la ciudad, según la policía."
    (folder / "a.jsonl").write_text(json.dumps({"text": text}), encoding="utf-8")
    assert ingest(tmp_path).articles["language"].to_list() == ["es"]


def test_normalise_text_removes_controls_and_collapses_spaces():
    assert normalise_text("At\u00a0least  83\r\nkilled\x07") == "At least 83\nkilled"


def test_near_copy_with_a_revised_toll_is_not_a_duplicate(tmp_path):
    """A wire story re-sent with a new toll is a revision the reconciler needs, not a copy."""
    folder = tmp_path / DAY
    folder.mkdir()
    body = ("A suicide car bomb exploded near a police checkpoint in the centre of the city on "
            "Sunday morning, officials said, in the deadliest attack in the province this year. "
            "The interior ministry said {n} people were killed and 40 wounded in the blast, which "
            "destroyed shops and cars along the main road. No group claimed responsibility.")
    rows = [{**GOOD, "id": "a1", "text": body.format(n=30)},
            {**GOOD, "id": "a2", "text": body.format(n=38)},
            {**GOOD, "id": "a3", "outlet": "Paper", "text": body.format(n=38) + " Reporting by staff."}]
    (folder / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = ingest(tmp_path)
    assert result.articles.height == 2  # the 30 and the revised 38
    dup = result.duplicates.row(0, named=True)
    assert result.duplicates.height == 1 and (dup["kind"], dup["outlet"]) == ("near", "Paper")


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_two_events_written_from_one_template_are_not_copies(tmp_path):
    """GTD-style summaries: same wording and figures, another village. Two incidents."""
    folder = tmp_path / DAY
    folder.mkdir()
    body = ("Gunmen stormed {place}, a village of Dand district in Kandahar province, late on Thursday. "
            "A second band struck a checkpoint nearby an hour later. Four police officers were killed "
            "and two were wounded in the fighting that followed; the attackers withdrew at dawn. "
            "Provincial officials blamed the Taliban, who did not comment. Security forces said they had "
            "sent reinforcements to the area and that an operation to clear the surrounding villages "
            "would begin within days, once the roads had been checked for mines.")
    rows = [{**GOOD, "id": "t1", "text": body.format(place="Kalafgan")},
            {**GOOD, "id": "t2", "text": body.format(place="Chah Ab")},
            {**GOOD, "id": "t3", "outlet": "Paper", "text": body.format(place="Chah Ab") + " Reporting by staff."}]
    (folder / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = ingest(tmp_path)
    assert jaccard(body.format(place="Kalafgan"), body.format(place="Chah Ab")) >= 0.8  # as alike as copies
    assert result.articles.height == 2  # Kalafgan and Chah Ab
    assert result.duplicates.height == 1 and result.duplicates.row(0, named=True)["outlet"] == "Paper"
