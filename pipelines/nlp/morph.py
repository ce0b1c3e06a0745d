"""Part of speech and lemma without the attribute_ruler and lemmatizer components.

Both cost about as much as the tagger and parser together, and the extraction needs
little of them: coarse POS (from the tagger's Penn Treebank tag) and the lemmas of a few
hundred verbs and nouns. When the full components ran, their values are used as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the run's own process uses these modules without spaCy
    from spacy.tokens import Token

# Penn Treebank tag -> Universal POS, as spaCy's English attribute_ruler maps them.
TAG_TO_POS = {
    "-LRB-": "PUNCT", "-RRB-": "PUNCT", ",": "PUNCT", ":": "PUNCT", ".": "PUNCT", "''": "PUNCT", '""': "PUNCT",
    "``": "PUNCT", "HYPH": "PUNCT", "NFP": "PUNCT", "#": "SYM", "$": "SYM", "SYM": "SYM", "ADD": "X", "FW": "X",
    "GW": "X", "LS": "X", "NIL": "X", "XX": "X", "AFX": "ADJ", "JJ": "ADJ", "JJR": "ADJ", "JJS": "ADJ",
    "CC": "CCONJ", "CD": "NUM", "DT": "DET", "PDT": "DET", "EX": "PRON", "PRP": "PRON", "PRP$": "PRON",
    "WDT": "PRON", "WP": "PRON", "WP$": "PRON", "IN": "ADP", "RP": "ADP", "MD": "AUX", "NN": "NOUN",
    "NNS": "NOUN", "NNP": "PROPN", "NNPS": "PROPN", "POS": "PART", "TO": "PART", "RB": "ADV", "RBR": "ADV",
    "RBS": "ADV", "WRB": "ADV", "UH": "INTJ", "VB": "VERB", "VBD": "VERB", "VBG": "VERB", "VBN": "VERB",
    "VBP": "VERB", "VBZ": "VERB", "SP": "SPACE", "_SP": "SPACE",
}
AUXILIARIES = frozenset("be is are was were been being am 's 're have has had having do does did will would shall should can could may might must".split())
IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "gave": "give", "given": "give", "wrote": "write",
    "written": "write", "shown": "show", "died": "die", "dies": "die", "dying": "die", "hurt": "hurt",
    "put": "put", "puts": "put", "putting": "put", "men": "man", "women": "woman", "children": "child",
    "people": "people", "policemen": "policeman", "gunmen": "gunman", "was": "be", "were": "be", "is": "be",
    "are": "be", "been": "be", "being": "be", "am": "be", "has": "have", "had": "have", "left": "leave", "saying": "say", "telling": "tell",
}


def pos(token: Token) -> str:
    """Universal POS: the attribute_ruler's when it ran, else from the Penn Treebank tag."""
    if token.pos_:
        return token.pos_
    coarse = TAG_TO_POS.get(token.tag_, "")
    if coarse == "VERB" and token.lower_ in AUXILIARIES and token.dep_.startswith("aux"):
        return "AUX"
    return coarse


# The verbs whose lemma the extraction asks for: speech verbs and casualty verbs.
KNOWN_VERBS = (
    "say tell report announce confirm state add quote put give estimate count record document tally cite "
    "update reveal note declare disclose claim show indicate warn write tweet post kill die wound injure hurt "
    "kidnap abduct arrest detain leave"
).split()


def _inflections(verb: str) -> set[str]:
    stem = verb[:-1] if verb.endswith("e") else verb
    double = verb + verb[-1] if verb in {"kidnap", "put"} else verb
    forms = {verb, verb + "s", stem + "ed", stem + "ing", double + "ed", double + "ing"}
    if verb.endswith("y") and verb not in {"say"}:
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied"}
    if verb.endswith("e"):
        forms |= {verb + "d", verb + "s"}
    return forms


FORMS = {form: verb for verb in KNOWN_VERBS for form in _inflections(verb)}
FORMS.update(IRREGULAR)


def lemma(token: Token) -> str:
    """Lemma: the lemmatizer's when it ran, else the known verbs' inflections (killed ->
    kill, injuring -> injure, said -> say) and the word itself otherwise."""
    if token.lemma_:
        return token.lemma_
    return FORMS.get(token.lower_, token.lower_)
