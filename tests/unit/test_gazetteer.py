import spacy

from pipelines.nlp.gazetteer import load_gazetteer, resolve


def test_cities_countries_and_aliases_resolve_with_hierarchy():
    homs = resolve("Homs", {"SY"})
    assert (homs.kind, homs.country, homs.country_code) == ("city", "Syria", "SY")
    assert homs.latitude is not None and abs(homs.latitude - 34.7) < 0.2
    syria = resolve("Syria")
    assert syria.kind == "country" and syria.contains(homs)


def test_transliterations_of_sayyida_zaynab_are_one_district_near_damascus():
    spellings = ["Sayyida Zaynab", "Sayeda Zeinab", "Sayyidah Zaynab"]
    places = [resolve(s, {"SY"}) for s in spellings]
    assert all(p is not None for p in places), places
    assert len({p.place_id for p in places}) == 1
    district = places[0]
    assert (district.kind, district.country_code, district.parent) == ("district", "SY", "Damascus")
    assert resolve("Damascus", {"SY"}).contains(district)


def test_context_country_disambiguates_a_shared_name():
    gaz = load_gazetteer()
    codes = {p.country_code for p in gaz.candidates("Tripoli")}
    assert {"LY", "LB"} <= codes
    assert resolve("Tripoli", {"LB"}).country_code == "LB"
    assert resolve("Tripoli", {"LY"}).country_code == "LY"


def test_gazetteer_ruler_marks_places_before_ner_on_a_blank_pipeline():
    import pipelines.nlp.pipeline  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("gazetteer_ruler")
    ruler.initialize(names={"Sayeda Zeinab": "always", "Homs": "after_locative", "Quetta": "after_locative"})
    doc = nlp("Four blasts hit Sayeda Zeinab, hours after an attack in Homs. Quetta Gladiators won.")
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [
        ("Sayeda Zeinab", "GPE", "Sayeda Zeinab"), ("Homs", "GPE", "Homs")]


def test_the_built_gazetteer_is_cached_between_processes_and_named_by_its_inputs(tmp_path, monkeypatch):
    import pickle
    import subprocess
    import sys

    from pipelines.nlp import gazetteer

    monkeypatch.setenv("INCIDENT_CACHE_DIR", str(tmp_path))
    path = gazetteer._cache_file()
    assert path.parent == tmp_path and not path.exists()
    code = "from pipelines.nlp.gazetteer import load_gazetteer; print(len(load_gazetteer().by_name))"
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert path.exists()  # the first process built it and left it for the next
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert first.stdout == again.stdout
    cached = pickle.loads(path.read_bytes())
    assert cached.candidates("Sayeda Zeinab") == gazetteer._build_gazetteer().candidates("Sayeda Zeinab")


def test_the_rulers_name_table_read_from_the_cache_is_the_one_built_from_the_gazetteer():
    from pipelines.nlp.pipeline import _build_ruler_names, _ruler_names

    names = _ruler_names()
    assert names == _build_ruler_names()
    assert names["Damascus"] == "always" and names["Reading"] == "after_preposition"
