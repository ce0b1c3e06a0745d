"""The pickle cache shared by the gazetteer and the language identifier (pipelines/cache.py)."""

from pipelines.cache import cache_file, load_or_build
from pipelines.ingest import _language_identifier, detect_language


def test_an_object_is_built_once_then_read_and_a_stale_one_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_CACHE_DIR", str(tmp_path))
    source = tmp_path / "table.tsv"
    source.write_text("a\t1\n")
    builds = []

    def build():
        builds.append(1)
        return {"rows": source.read_text()}

    first = cache_file("thing", ["polars"], [source])
    assert first.parent == tmp_path
    assert load_or_build(first, build) == {"rows": "a\t1\n"} and first.exists()
    assert load_or_build(first, build) == {"rows": "a\t1\n"} and len(builds) == 1  # read, not rebuilt

    source.write_text("a\t2\n")  # a changed input gets a new name; the old file goes
    second = cache_file("thing", ["polars"], [source])
    assert second != first
    assert load_or_build(second, build) == {"rows": "a\t2\n"} and len(builds) == 2
    assert not first.exists() and second.exists()


def test_a_corrupt_cache_file_is_rebuilt(tmp_path):
    path = tmp_path / "thing-0.pickle"
    path.write_bytes(b"not a pickle")
    assert load_or_build(path, lambda: 42) == 42
    assert load_or_build(path, lambda: 0) == 42


def test_language_is_english_by_function_words_else_by_the_model():
    assert detect_language("Police said at least 12 people were killed in the attack on the market.") == "en"
    assert detect_language("La police a indiqué que douze personnes avaient été tuées dans l'attaque du marché.") == "fr"
    assert detect_language("La policía dijo que al menos doce personas murieron en el ataque contra el mercado.") == "es"
    assert _language_identifier() is _language_identifier()  # loaded once per process
