"""Progress lines: for long work only, never more often than asked, and a last one."""

from pipelines.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_short_work_reports_nothing_the_step_summary_would_repeat():
    lines, clock = [], Clock()
    progress = Progress(3, "ingest partitions", lines.append, every_seconds=5, clock=clock)
    for done in (1, 2, 3):
        clock.now += 1
        progress.update(done, f"day {done}")
    assert lines == []


def test_long_work_reports_every_interval_and_once_at_the_end():
    lines, clock = [], Clock()
    progress = Progress(10, "extract articles", lines.append, every_seconds=5, clock=clock)
    for done in range(1, 11):
        clock.now += 2  # a line is due every third update
        progress.update(done)
    assert len(lines) == 4
    assert lines[0] == "extract articles: 3/10 (30%), 0.5/s, ETA 14s"
    assert lines[-1].startswith("extract articles: 10/10 (100%)")
    progress.update(10)  # the end is reported once
    assert len(lines) == 4


def test_a_due_line_carries_what_was_just_finished():
    lines, clock = [], Clock()
    progress = Progress(2, "ingest partitions", lines.append, every_seconds=5, clock=clock)
    clock.now += 6
    progress.update(1, "ingest 2016-02-21: 40 records -> 38 loaded")
    assert lines == ["ingest 2016-02-21: 40 records -> 38 loaded; ingest partitions: 1/2 (50%), 0.2/s, ETA 6s"]
