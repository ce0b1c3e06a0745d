"""The static HTML report (pipelines/report.py) of a real warehouse built from the sample
archive: one card and two charts per incident, nothing fetched at view time, untrusted
text escaped, and, rendered by headless Chromium, every chart actually drawn by plotly.

Chromium is required, not optional: install Debian's package (apt-get install -y chromium).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from pipelines import report
from tests.conftest import REPO

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def warehouse(sample_warehouse) -> Path:
    return sample_warehouse


@pytest.fixture(scope="module")
def incidents(warehouse) -> list[str]:
    """Incident ids in the order the report must show them (by date)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ids = [r[0] for r in con.execute(
            "select incident_id from incidents order by event_date nulls last, first_reported_at, incident_id"
        ).fetchall()]
    finally:
        con.close()
    assert ids, "the sample archive yields incidents"
    return ids


@pytest.fixture(scope="module")
def rendered(warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "sub" / "incidents.html"
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    assert report.main(["--warehouse", str(warehouse), "--out", str(out)]) == 0
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before, "the report never writes"
    return out


class ElementIndex(HTMLParser):
    """Cards (data-incident-id, in order), element ids, and which chart divs contain a
    plotly-rendered <svg class="main-svg">."""

    def __init__(self, chart_ids: set[str]):
        super().__init__(convert_charrefs=True)
        self.chart_ids = chart_ids
        self.cards: list[str] = []
        self.ids: list[str] = []
        self.drawn: set[str] = set()
        self.scripts: list[dict] = []
        self._open: list[tuple[str, int]] = []  # (chart id, div depth at its start)
        self._div_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-incident-id" in attrs and tag == "article":
            self.cards.append(attrs["data-incident-id"])
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "div":
            self._div_depth += 1
            if attrs.get("id") in self.chart_ids:
                self._open.append((attrs["id"], self._div_depth))
        if tag == "svg" and "main-svg" in (attrs.get("class") or "").split():
            self.drawn.update(chart for chart, _ in self._open)

    def handle_endtag(self, tag):
        if tag == "div":
            if self._open and self._open[-1][1] == self._div_depth:
                self._open.pop()
            self._div_depth -= 1


def chart_ids_for(incident_ids) -> set[str]:
    return {chart for iid in incident_ids for chart in report.chart_ids(iid)} | {"incident-map"}


def index_of(page: str, incident_ids) -> ElementIndex:
    parser = ElementIndex(chart_ids_for(incident_ids))
    parser.feed(page)
    parser.close()
    return parser


@pytest.mark.slow
def test_one_card_and_two_charts_per_incident_in_date_order(rendered, incidents):
    page = rendered.read_text(encoding="utf-8")
    index = index_of(page, incidents)
    assert index.cards == incidents, "one card per incident, ordered by date"
    for iid in incidents:
        range_id, timeline_id = report.chart_ids(iid)
        assert index.ids.count(range_id) == 1 and index.ids.count(timeline_id) == 1
    assert index.ids.count("incident-map") == 1
    assert len(index.ids) == len(set(index.ids)), "element ids are unique"


@pytest.mark.slow
def test_report_is_self_contained(rendered):
    page = rendered.read_text(encoding="utf-8")
    index = index_of(page, [])
    assert not [s for s in index.scripts if s.get("src")], "no script is loaded from anywhere"
    assert "<link" not in page and "@import" not in page
    assert page.count("* plotly.js v") == 1, "plotly.js is embedded inline exactly once"
    assert "window.PlotlyGeoAssets" in page and '"world_110m"' in page, \
        "the map's topojson is preset, so plotly never downloads it"


@pytest.mark.slow
def test_card_shows_ranges_evidence_and_coordinates(rendered, warehouse):
    page = rendered.read_text(encoding="utf-8")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        top = con.execute("""
            select s.incident_id, s.killed_low, s.killed_best, s.killed_high, s.killed_high_open,
                   s.latitude, s.longitude
            from incident_summary as s
            where s.killed_best is not null
            order by s.n_articles desc, s.incident_id
            limit 1
        """).fetchone()
        evidence = con.execute("select evidence, outlet from claims where incident_id = ? and outlet is not null",
                               [top[0]]).fetchall()
    finally:
        con.close()
    start = page.index(f'data-incident-id="{top[0]}"')
    card = page[start:page.index("</article>", start)]
    low, best, high, high_open = top[1:5]
    expected = f"{best:,}" if low == best == high else f"{low:,}-{best:,}-{high:,}"
    assert f"<dt>killed</dt><dd>{expected}{'+' if high_open else ''}" in card
    for sentence, outlet in evidence:
        assert report.esc(outlet) in card
        # the sentence appears escaped, the claimed phrase wrapped in <mark>
        plain = card.replace("<mark>", "").replace("</mark>", "")
        assert report.esc(sentence) in plain
    if top[5] is not None:
        assert f"{abs(top[5]):.4f}°" in card


@pytest.mark.slow
def test_chromium_draws_every_chart(rendered, incidents, tmp_path):
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if chromium is None:
        pytest.fail("chromium is not installed: install Debian's chromium (apt-get install -y chromium) "
                    "to render the report in tests")
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    proc = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000",
         "--dump-dom", rendered.resolve().as_uri()],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}"
    dom = proc.stdout
    assert "</html>" in dom, "chromium dumped the whole DOM"
    index = index_of(dom, incidents)
    assert index.cards == incidents
    expected = chart_ids_for(incidents)
    missing = sorted(expected - index.drawn)
    assert not missing, f"charts not drawn by plotly (no svg.main-svg inside): {missing[:10]}"


# ------------------------------------------------------------------ without the pipeline


def _incident(**overrides) -> report.IncidentData:
    evil = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'
    row = dict(incident_id="i_0000000000000001", event_date=dt.date(2016, 2, 21), date_start=dt.date(2016, 2, 21),
               date_end=dt.date(2016, 2, 21), date_precision="day", place_name=f"Homs {evil}", admin1=None,
               country="Syria", country_code="SY", latitude=34.72, longitude=36.72, geo_precision="city",
               attack_type="car_bomb", n_attacks=2, perpetrator=None, claimed_by=f"IS {evil}",
               is_historical=False, n_articles=1, n_sources=1,
               first_reported_at=dt.datetime(2016, 2, 21, 8, 40, tzinfo=dt.timezone.utc),
               last_reported_at=dt.datetime(2016, 2, 21, 8, 40, tzinfo=dt.timezone.utc))
    row.update(overrides)
    claim = dict(claim_id="c_1", incident_id=row["incident_id"], category="killed", value_low=46, value_high=None,
                 qualifier="at_least", raw_phrase="at least 46", claimant=f"governor {evil}",
                 claimant_kind="government", source=f"governor {evil}", outlet=f"Wire {evil}",
                 reported_at=row["first_reported_at"], evidence=f"Bombs killed at least 46 people {evil}.",
                 in_title=False, is_superseded=False, is_perpetrator_claim=False, title=evil,
                 url="javascript:alert(3)")
    return report.IncidentData(
        row=row,
        casualties={"killed": dict(incident_id=row["incident_id"], category="killed", low=46, best=46, high=46,
                                   high_open=True, n_claims=1, n_sources=1, conflicting=False,
                                   basis=f"best 46 {evil}", best_claim_id="c_1")},
        timeline=[claim], evidence=[claim],
        aggregates=[dict(incident_id=row["incident_id"], claim_id="c_2", category="killed", value_low=141,
                         value_high=None, raw_phrase=f"more than 140 {evil}", status="consistent", detail="",
                         outlet=evil, claimant=None, reported_at=row["first_reported_at"])])


def without_plotlyjs(page: str) -> str:
    """The page less the embedded plotly.js bundle (which has "<script" in its own strings)."""
    start = page.index("* plotly.js v")
    return page[:start] + page[page.index("</script>", start):]


def test_untrusted_text_is_escaped_everywhere():
    page = without_plotlyjs(report.build_html([_incident()], warehouse=Path("/tmp/<b>wh</b>.duckdb")))
    assert "<img" not in page and "onerror=\"alert" not in page
    assert "<script>alert" not in page and "javascript:alert" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page, "HTML text is escaped, not dropped"
    assert "<mark>at least 46</mark>" in page
    assert "/tmp/&lt;b&gt;wh&lt;/b&gt;.duckdb" in page
    # an open-ended high gets the "+" marker in the card
    assert "<dt>killed</dt><dd>46+</dd>" in page


def test_incident_without_figures_or_coordinates_still_gets_a_card_and_charts():
    bare = _incident(latitude=None, longitude=None, geo_precision="country", place_name="Syria")
    bare.casualties, bare.timeline, bare.evidence, bare.aggregates = {}, [], [], []
    page = report.build_html([bare], warehouse=Path("w.duckdb"))
    index = index_of(page, [bare.row["incident_id"]])
    assert index.cards == [bare.row["incident_id"]]
    assert set(report.chart_ids(bare.row["incident_id"])) <= set(index.ids)
    assert "no coordinates" in page and "No casualty figure was reported" in page


def test_missing_warehouse_is_one_clear_error(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    assert report.main(["--warehouse", str(missing), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: warehouse not found") and str(missing) in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def test_a_duckdb_file_that_is_not_a_warehouse_is_one_clear_error(tmp_path, capsys):
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    assert report.main(["--warehouse", str(other), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert "not an incident-ledger warehouse" in err and len(err.splitlines()) == 1


def test_default_paths_follow_the_environment(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("INCIDENT_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert report.main([]) == 2
    assert str(tmp_path / "env.duckdb") in capsys.readouterr().err
    assert report.DEFAULT_OUT == REPO / "reports" / "incidents.html"


def test_a_local_topojson_is_embedded_and_a_bad_one_is_one_clear_error(tmp_path, capsys):
    land = {"type": "Topology", "arcs": [[[30, 0], [20, 0], [0, 30], [-20, 0], [0, -30]]],
            "objects": {"land": {"type": "GeometryCollection",
                                 "geometries": [{"type": "Polygon", "arcs": [[0]]}]}}}
    page = report.build_html([_incident()], warehouse=Path("w.duckdb"), topojson=land)
    assert '"arcs":[[[30,0],[20,0],[0,30],[-20,0],[0,-30]]]' in page
    assert '"showland":true' in page and "pass --topojson" not in page
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    assert report.main(["--warehouse", str(tmp_path / "w.duckdb"), "--topojson", str(bad),
                        "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot read topojson") and len(err.splitlines()) == 1
