"""Finding casualty figures in text: which numbers count people killed, wounded, ...

Rules over tokens (they work on spacy.blank("en") and use POS tags when a tagger ran):
- figure before the casualty word: "83 people were killed", "at least 100 were also
  wounded", "Another 180 people were wounded", "Three killed and four injured";
- casualty verb before the figure: "killing 59", "Blasts kill 129", "wounding dozens";
- toll: "the death toll rose to 83", "the number of injured reached 40";
- singular: "a police officer was killed", "killing a soldier".
Attackers who die are counted in "killed" as GTD does (the victims' figure is usually
the larger one, and reconciliation keeps the largest figure per source and article).
Not casualties: ages, years, distances, "four blasts", "two car bombs", subsets
("including two children"), combined totals ("killed or wounded"), earlier figures in
a revision ("rose from 30 to 83" keeps 83).
"""

from __future__ import annotations

import re
from dataclasses import astuple, dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipelines.nlp.morph import lemma, pos
from pipelines.nlp.numbers import FIGURE_PATTERN, Figure, figure_from_match
from pipelines.nlp.stateless import StatelessComponent

CATEGORY_WORDS = {
    "killed": "killed", "dead": "killed", "died": "killed", "die": "killed", "dies": "killed", "slain": "killed",
    "murdered": "killed", "massacred": "killed", "executed": "killed", "perished": "killed", "deaths": "killed",
    "fatalities": "killed", "bodies": "killed", "martyred": "killed", "beheaded": "killed", "drowned": "killed",
    "lives": "killed", "death": "killed", "fatally": "killed", "lynched": "killed", "martyrs": "killed",
    "martyred": "killed",
    "wounded": "wounded", "injured": "wounded", "hurt": "wounded", "injuries": "wounded", "wounds": "wounded",
    "injury": "wounded",
    "hospitalised": "wounded", "hospitalized": "wounded", "maimed": "wounded", "injuring": "wounded",
    "stabbed": "wounded",
    "missing": "missing", "unaccounted": "missing",
    "kidnapped": "kidnapped", "abducted": "kidnapped", "hostage": "kidnapped", "hostages": "kidnapped",
    "arrested": "arrested", "detained": "arrested",
}
VERBS_BEFORE_FIGURE = {
    "killing": "killed", "killed": "killed", "kills": "killed", "kill": "killed", "slaying": "killed",
    "wounding": "wounded", "wounded": "wounded", "wounds": "wounded", "wound": "wounded", "injuring": "wounded",
    "injured": "wounded", "injures": "wounded", "injure": "wounded", "hurting": "wounded",
    "kidnapping": "kidnapped", "kidnapped": "kidnapped", "kidnaps": "kidnapped", "abducting": "kidnapped",
    "abducted": "kidnapped", "abducts": "kidnapped", "stabbing": "wounded", "stabbed": "wounded",
    "arresting": "arrested", "arrested": "arrested", "detaining": "arrested", "detained": "arrested",
}
PERSON_NOUNS = frozenset(
    """
    people person persons civilians civilian soldiers soldier troops troop policemen policeman police officers
    officer members member others other children child women woman men man worshippers worshipper pilgrims
    pilgrim students student militants militant fighters fighter insurgents insurgent passengers passenger
    residents resident villagers villager guards guard personnel staff workers worker employees employee
    recruits recruit cadets cadet gunmen gunman attackers attacker assailants assailant bombers bomber
    shoppers shopper mourners mourner worshipers worshiper children boys boy girls girl teenagers teenager
    pupils pupil teachers teacher journalists journalist reporters reporter doctors doctor nurses nurse
    patients patient tourists tourist foreigners foreigner nationals national citizens citizen farmers farmer
    miners miner labourers laborers labourer laborer commuters commuter bystanders bystander protesters protester
    demonstrators demonstrator spectators spectator fans fan guests guest visitors visitor infants infant babies baby
    servicemen serviceman marines marine sailors sailor commanders commander leaders leader elders elder
    officials official lawmakers lawmaker judges judge lawyers lawyer prisoners prisoner inmates inmate detainees
    detainee hostages hostage victims victim casualties relatives relative family families parishioners
    prosecutors prosecutor candidates candidate pedestrians pedestrian drivers driver mayors mayor governors governor
    shopkeepers shopkeeper councillors councillor councilors councilor customers customer
    parishioner congregants congregant devotees devotee people's individuals individual adults adult minors minor
    jihadists jihadist rebels rebel combatants combatant paramilitaries paramilitary militiamen militiaman
    gendarmes gendarme policewomen policewoman constables constable conscripts conscript peacekeepers peacekeeper
    contractors contractor drivers driver guardsmen guardsman security forces force army forces
    """.split()
)
NOT_PERSON_NOUNS = frozenset(
    """
    blasts blast bombs bomb attacks attack explosions explosion cars car vehicles vehicle years year months month
    days day hours hour minutes minute km kilometres kilometers kilometre kilometer miles mile metres meters
    percent houses homes buildings shops rockets rocket missiles missile shells shell mortars mortar rounds times
    districts provinces villages towns cities trucks truck bombings bombing strikes strike raids raid incidents
    """.split()
)
FILLERS = frozenset(
    """
    of the them whom those were was have has had been being are is be also reportedly later all confirmed
    believed thought to initially so far now since already subsequently eventually instantly immediately
    either both more some other another who which that seriously critically badly severely slightly lightly
    fatally mostly were' many most nearly almost more then became become got get getting sustained suffered
    feared presumed reported believed confirmed a an
    """.split()
)
SUBSET_BEFORE = frozenset({"including", "among", "includes", "include"})
# "4 US personnel were among the dead": part of a toll given elsewhere, not a toll
AMONG_THE_CASUALTIES = re.compile(
    r"(?:[\w'’.-]+\s+){0,4}?(?:were|was|are|is)\s+(?:also\s+|reportedly\s+)?among\s+(?:the\s+|those\s+)?"
    r"(?:dead|killed|victims|casualties|fatalities|injured|wounded|hurt)\b", re.IGNORECASE)
MONTH_WORDS = frozenset("""
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split())
VIOLENT_VERBS = frozenset({"shot", "stabbed", "beaten", "hacked", "burned", "burnt", "bludgeoned", "crushed", "trampled", "gunned", "clubbed", "strangled"})
SHOT_DEAD_NEXT = frozenset({"dead", "death", "and"})
REVISION_WORDS = frozenset("toll rose risen climbed jumped increased reached stood stands stand rise rises climb climbs reach reaches put at to of now has had was is the final official death number from further since by".split())


@dataclass(frozen=True)
class CasualtyFigure:
    """One casualty figure found in a text, with its offsets and the rule that found it."""

    category: str
    value_low: int | None
    value_high: int | None
    qualifier: str
    start_char: int
    end_char: int
    text: str
    token_i: int
    rule: str


def _is_person_noun(token: Token) -> bool:
    lower = token.lower_
    if lower in PERSON_NOUNS or lemma(token) in PERSON_NOUNS:
        return True
    if lower in NOT_PERSON_NOUNS:
        return False
    return lower.endswith(("ers", "ists", "ians", "men", "ees", "ants", "ents", "ors")) and lower not in {"kilometers", "meters", "containers"}


def _is_modifier(token: Token) -> bool:
    """Words that may stand between a number and its people: 'Shiite', 'Afghan', 'security'."""
    tag = pos(token)
    if tag in {"ADJ", "PROPN", "NUM"}:
        return True
    if tag == "" and (token.is_title or token.is_upper) and token.is_alpha:
        return True
    return token.lower_ in {"security", "police", "army", "government", "pro-government", "coal", "foreign", "local"}


def _is_agent(doc: Doc, verb_i: int, stop: int) -> bool:
    """The casualty verb takes an object ("killed 73 people"): what stood before it did the killing."""
    verb = doc[verb_i]
    if verb.lower_ not in VERBS_BEFORE_FIGURE and verb.lower_ not in VIOLENT_VERBS:
        return False
    if doc.has_annotation("DEP") and any(c.dep_ in {"dobj", "obj"} for c in verb.children):
        return True
    j = verb_i + 1
    while j < stop and doc[j].lower_ in {"at", "least", "more", "than", "about", "some", "nearly", "over", "up", "to", "another"}:
        j += 1
    return j < stop and (doc[j].like_num or doc[j].lower_ in {"dozens", "scores", "hundreds", "a", "an"})


def _after(doc: Doc, first: int, stop: int, appositive: bool = False) -> tuple[str | None, int]:
    """Scan right of a figure for its casualty word through people and fillers
    (`appositive`: the figure is "a"/"an" after "Name," and may close on ", was")."""
    i, seen = first, 0
    while i < stop and seen < 12:
        token = doc[i]
        lower = token.lower_
        if appositive and lower == "," and i + 1 < stop and doc[i + 1].lower_ in {"was", "is"}:
            i += 2  # "Rahimi, a district councillor, was killed"
            seen += 1
            continue
        if lower in CATEGORY_WORDS:
            if lower == "death" and not (i > 0 and doc[i - 1].lower_ in {"to"}):
                return None, i
            if lower in VIOLENT_VERBS and i + 2 < stop and doc[i + 1].lower_ == "to" and doc[i + 2].lower_ == "death":
                return "killed", i + 2  # "a shopkeeper was stabbed to death"
            if _is_agent(doc, i, stop):
                return None, i  # "two suicide bombers killed 73 people": the figure is the agent
            nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
            nxt2 = doc[i + 2].lower_ if i + 2 < len(doc) else ""
            if nxt in {"or", "and", "/"} and CATEGORY_WORDS.get(nxt2) not in (None, CATEGORY_WORDS[lower]):
                return "combined", i  # "killed or wounded": a total of casualties, not one category
            return CATEGORY_WORDS[lower], i
        if lower == "to" and i + 1 < stop and doc[i + 1].lower_ == "death":
            return "killed", i + 1  # "stabbed to death", "1 pedestrian to death"
        if lower in VIOLENT_VERBS and i + 2 < stop and doc[i + 1].lower_ == "to" and doc[i + 2].lower_ == "death":
            return "killed", i + 2
        if lower in VIOLENT_VERBS and i + 1 < stop and doc[i + 1].lower_ == "dead":
            return "killed", i + 1
        if lower == "shot" and i + 1 < stop and doc[i + 1].lower_ in SHOT_DEAD_NEXT:
            if doc[i + 1].lower_ == "and" and i + 2 < stop and doc[i + 2].lower_ in CATEGORY_WORDS:
                return CATEGORY_WORDS[doc[i + 2].lower_], i + 2
            return "killed", i
        if lower in {"lost", "lose"} and i + 1 < stop and doc[i + 1].lower_ in {"their", "his", "her"}:
            i += 1
            seen += 1
            continue
        if lower == "," or lower in SUBSET_BEFORE:
            # skip a parenthetical: "Nine people, including two guards, were killed",
            # "40 people, 6 soldiers and 34 civilians, were killed", "5 people including 2
            # policemen were killed": it must close on a comma or run into the verb group
            j = i + 1
            while j < stop and j - i < 14 and doc[j].lower_ not in {",", "were", "was", "have", "had", "are"}:
                if doc[j].lower_ in CATEGORY_WORDS:
                    break
                j += 1
            if j >= stop or j - i >= 14:
                return None, i
            if doc[j].lower_ == ",":
                j += 1
                if j >= stop or doc[j].lower_ not in FILLERS | set(CATEGORY_WORDS):
                    return None, i
            elif lower == ",":
                return None, i
            i = j
            seen += 1
            continue
        if lower in FILLERS or _is_person_noun(token) or _is_modifier(token) or (
                token.dep_ == "compound" and _is_person_noun(token.head)):  # "a provincial court judge"
            if lower in NOT_PERSON_NOUNS:
                return None, i
            i += 1
            seen += 1
            continue
        return None, i
    return None, i


def _before(doc: Doc, start: int, sent_start: int) -> tuple[str | None, str]:
    """Look left of a figure for a casualty verb ("killing 59") or a toll ("rose to 83")."""
    i = start - 1
    while i >= sent_start and doc[i].lower_ in {"another", "a", "further", "additional", "the", "an", "estimated", "some"}:
        i -= 1
    if i < sent_start:
        return None, ""
    lower = doc[i].lower_
    if lower in {"dead", "death"} and i - 1 >= sent_start and doc[i - 1].lower_ in VIOLENT_VERBS | {"to"}:
        return "killed", "verb_before"  # "shot dead 11 villagers", "stabbed to death two men"
    if lower in VERBS_BEFORE_FIGURE:
        # "wounded 30" is a verb only when it is one; "the wounded 30" is rare enough
        return VERBS_BEFORE_FIGURE[lower], "verb_before"
    if lower == "of" and i - 1 >= sent_start and doc[i - 1].lower_ in {"lives", "deaths", "death"}:
        return "killed", "lives_of"
    if lower == "of" and i - 1 >= sent_start and doc[i - 1].lower_ in {"wounding", "injuring", "injury", "injuries"}:
        return "wounded", "lives_of"
    # toll: a revision verb right before, "toll"/"number of dead" as its subject (parsed)
    # or a few words further left (no parser)
    if lower in {"to", "at", "reached", "hit", "is", "was", "of", "stood", "stands", "reach", "hits"}:
        verb = doc[i].head if lower in {"to", "at", "of"} else doc[i]
        for _ in range(3):  # "rose from 32 to 40": "to" may hang on the old figure, not on the verb
            if verb.tag_.startswith(("VB", "MD")) or verb.head is verb:
                break
            verb = verb.head
        for child in verb.children if doc.has_annotation("DEP") else ():
            # the toll rose to 40; police revised (put) the toll to (at) 32
            if child.dep_ in {"nsubj", "nsubjpass", "dobj"} and child.lower_ in {"toll", "number", "tally", "count"}:
                words = {t.lower_ for t in child.subtree}
                if words & {"injury", "injuries", "wounded", "injured"}:
                    return "wounded", "toll"
                if child.lower_ == "toll" or words & {"dead", "killed", "deaths", "fatalities", "death"}:
                    return "killed", "toll"
        window = doc[max(sent_start, i - 8) : i + 1]
        words = [t.lower_ for t in window]
        if "toll" in words:
            toll_at = words.index("toll")
            before = words[max(0, toll_at - 2) : toll_at]
            category = "wounded" if any(w in {"injury", "injuries", "wounded", "casualty"} for w in before) else "killed"
            between = words[toll_at + 1 :]
            if all(w in REVISION_WORDS or w.replace(",", "").isdigit() for w in between):
                return category, "toll"
        if "number" in words:
            at = words.index("number")
            tail = words[at + 1 : at + 4]
            for word in tail:
                if word in CATEGORY_WORDS and CATEGORY_WORDS[word] in {"killed", "wounded"}:
                    return CATEGORY_WORDS[word], "toll"
    return None, ""


def _skip_figure(doc: Doc, span: Span, sent_start: int, sent_end: int) -> bool:
    """Numbers that are not counts of people: ages, subsets, old figures, dates. Looks
    only inside the sentence (`sent_start`, `sent_end`: token indices)."""
    before = doc[span.start - 1].lower_ if span.start - 1 >= sent_start else ""
    before2 = doc[span.start - 2].lower_ if span.start - 2 >= sent_start else ""
    after = doc[span.end].lower_ if span.end < sent_end else ""
    after2 = doc[span.end + 1].lower_ if span.end + 1 < sent_end else ""
    if before in SUBSET_BEFORE or (before == "them" and before2 == "among") or before in {"aged", "age", "no.", "$", "number", "route", "resolution", "from", "between"}:
        return True
    if before.rstrip(".") in MONTH_WORDS or (before == "." and before2 in MONTH_WORDS):
        return True  # "Jan. 26", "Feb 1": a date
    if before in {"no", "not"} or (span.text.lower() == "one" and before in {"any", "every", "no"}):
        return True  # "no one was hurt": zero, handled by ZERO_CASUALTIES
    if before == "of" and before2 in {"ages", "age"}:
        return True
    if after in {"-", "year", "years", "%", "percent", "am", "pm", "a.m.", "p.m.", "o'clock"} or after.startswith("-year"):
        return after in {"-", "%", "percent", "am", "pm", "a.m.", "p.m.", "o'clock"} or after2 in {"old", "-"} or after.startswith("-year")
    if AMONG_THE_CASUALTIES.match(doc[span.end : min(span.end + 9, sent_end)].text):
        return True
    if after == "of" and after2 in {"the", "those", "them", "whom"}:
        third = doc[span.end + 2].lower_ if span.end + 2 < len(doc) else ""
        if third in CATEGORY_WORDS or third in {"casualties", "dead"}:
            return True  # "two of the dead were children": a subset
    return False


CASUALTY_LEMMAS = {"kill": "killed", "die": "killed", "wound": "wounded", "injure": "wounded", "hurt": "wounded",
                   "kidnap": "kidnapped", "abduct": "kidnapped", "arrest": "arrested", "detain": "arrested"}


def _by_dependency(doc: Doc, fspan: Span) -> tuple[str | None, str]:
    """Parse-based fallback: the figure's noun is the subject or object of a casualty verb
    ("40 personnel belonging to the CRPF were killed")."""
    token = fspan.root
    noun = token.head if token.dep_ == "nummod" else token
    while noun.dep_ == "conj" and noun.head.i != noun.i:
        noun = noun.head
    if noun.head.lower_ in SUBSET_BEFORE or noun.dep_ == "pobj" and noun.head.lower_ in {"including", "among"}:
        return None, ""
    verb = noun.head
    if noun.dep_ in {"nsubjpass", "nsubj", "dobj", "obj"} and pos(verb) == "VERB":
        category = CASUALTY_LEMMAS.get(lemma(verb))
        if noun.dep_ == "nsubj" and (lemma(verb) != "die" or any(c.dep_ in {"dobj", "obj"} for c in verb.children)):
            return None, ""  # "two suicide bombers killed 73 people": the subject did the killing
        if category:
            return category, "dependency"
    return None, ""


ZERO_CASUALTIES = re.compile(
    r"\b(?:no(?:-| )one|no 1|nobody|none) (?:was|were|had been|has been) (?:killed|hurt|injured|wounded|harmed)"
    r"|\bno (?:[a-z]+ ){0,3}(?:or|and) (?:[a-z]+ ){0,2}(?:civilians|people|passengers|bystanders) (?:was|were) (?:killed|hurt|injured|wounded|harmed)"
    r"|\b(?:injuring|wounding|killing|hurting|harming|injured|wounded|killed|hurt|harmed) no(?:-| )one\b"
    r"|\bno (?:reported )?(?:casualties|deaths|fatalities|injuries)\b"
    r"|\bwithout (?:causing )?(?:any )?(?:casualties|injuries)\b",
    re.IGNORECASE,
)
PLUS_ONE = (
    # GTD counts the attacker: "killing 14 worshippers in addition to herself" -> 15
    re.compile(r"^[\w\s-]{0,40}?\bin addition to (?:the )?(?:herself|himself|themselves|attacker|gunman|bomber|assailant|shooter|perpetrator)\b", re.I),
    # "killing 13 police officers and a civilian" -> 14
    re.compile(r"^(?:[\w-]+\s){0,3}?[\w-]+\s+and\s+(?:a|an|one)\s+(?:[\w-]+\s){0,2}?(?:civilian|child|woman|man|boy|girl|policeman|soldier|officer|driver|guard|bystander|passer-by|pedestrian)\b", re.I),
)


def _plus_one(doc: Doc, fspan: Span, stop: int, figure: Figure) -> Figure:
    """Add the one person a figure's phrase names beside it."""
    tail = doc[fspan.end : min(fspan.end + 12, stop)].text
    if any(pattern.match(tail) for pattern in PLUS_ONE):
        value = figure.value_low + 1
        return Figure(value, value, figure.qualifier, figure.start, figure.end, figure.text)
    return figure


def find_in_span(span: Span) -> list[CasualtyFigure]:
    """Every casualty figure in one sentence (or any span)."""
    doc = span.doc
    text = span.text
    found: list[CasualtyFigure] = []
    candidates: list[tuple[Figure, Span]] = []
    for match in FIGURE_PATTERN.finditer(text):
        if match.group("range") and match.start() >= 5 and text[: match.start()].rstrip().lower().endswith("from"):
            # "rose from 30 to 83", "revised down from 40 to 32": a revision, not a range;
            # the new figure is the one after "to"
            rb_start = span.start_char + match.start("rb")
            value = int(match.group("rb"))
            figure = Figure(value, value, "exact", rb_start, rb_start + len(match.group("rb")), match.group("rb"))
        else:
            figure = figure_from_match(match, span.start_char)
        if figure is None:
            continue
        fspan = doc.char_span(figure.start, figure.end, alignment_mode="expand")
        if fspan is None:
            continue
        candidates.append((figure, fspan))
    # singular: "a police officer was killed", "killing a soldier"
    for token in span:
        if token.lower_ in {"a", "an"} and token.i + 1 < span.end:
            nxt = []
            for t in doc[token.i + 1 : min(token.i + 7, span.end)]:  # "a 32-year-old woman"
                if t.is_punct and t.text != "-":
                    break
                nxt.append(t)
            person = next((t for t in nxt if _is_person_noun(t)), None)
            if person is not None and person.lower_ not in {"others", "people", "members"} and not person.lower_.endswith("s"):
                fspan = doc[token.i : token.i + 1]
                candidates.append((Figure(1, 1, "exact", token.idx, token.idx + len(token.text), token.text), fspan))

    counted_words: set[int] = set()
    raw: dict[int, Figure] = {}  # each figure's token -> its figure as written (before _plus_one)
    for figure, fspan in candidates:
        if _skip_figure(doc, fspan, span.start, span.end):
            continue
        category, rule = None, ""
        appositive = (figure.text.lower() in {"a", "an"} and fspan.start - 2 >= span.start
                      and doc[fspan.start - 1].text == "," and doc[fspan.start - 2].tag_ == "NNP")
        after_category, word_i = _after(doc, fspan.end, span.end, appositive)
        if after_category == "combined":
            continue
        if after_category and word_i in counted_words:
            continue  # "A soldier suffered a minor injury": one casualty word, one figure
        if after_category:
            counted_words.add(word_i)
        if after_category:
            category, rule = after_category, "figure_before_casualty_word"
        else:
            category, rule = _before(doc, fspan.start, span.start)
        if category is None and doc.has_annotation("DEP"):
            category, rule = _by_dependency(doc, fspan)
        if category is None:
            continue
        if figure.text.lower() in {"a", "an"} and rule not in {"figure_before_casualty_word", "verb_before"}:
            continue
        raw[fspan.root.i] = figure
        if category == "killed" and figure.value_low is not None and figure.qualifier == "exact":
            figure = _plus_one(doc, fspan, span.end, figure)
        found.append(
            CasualtyFigure(category, figure.value_low, figure.value_high, figure.qualifier,
                           figure.start, figure.end, text[figure.start - span.start_char : figure.end - span.start_char],
                           fspan.root.i, rule)
        )
    if doc.has_annotation("DEP"):
        found = _sum_enumerations(span, found, raw)
    for match in ZERO_CASUALTIES.finditer(text):
        start, end = span.start_char + match.start(), span.start_char + match.end()
        token = doc.char_span(start, end, alignment_mode="expand")
        phrase = match.group(0).lower()
        categories = ["killed", "wounded"] if re.search(r"casualt|hurt|harm", phrase) else []
        if re.search(r"kill|dead|death|died", phrase):
            categories = ["killed"]
        elif re.search(r"injur|wound", phrase):
            categories = ["wounded"]
        for category in categories:
            if not any(f.category == category for f in found):
                found.append(CasualtyFigure(category, 0, 0, "exact", start, end, match.group(0),
                                            token.root.i if token is not None else span.start, "zero"))
    found.sort(key=lambda f: (f.start_char, f.category))
    return found


# the determiners of one person named without a number: "his driver", "a police officer"
ONE_PERSON = frozenset("a an one his her their its the another".split())
# "40 people, 6 security personnel and 34 civilians, were killed": a total and its parts
TOTAL_NOUNS = frozenset("people persons individuals".split())
# a list member placed elsewhere ("three soldiers in Kabul and two civilians in Herat") is
# another incident's figure, or another place's
PLACE_PREPOSITIONS = frozenset("in at near on outside inside across around".split())


def _sum_enumerations(span: Span, found: list[CasualtyFigure], raw: dict[int, Figure]) -> list[CasualtyFigure]:
    """One figure for a list of victims: "Six soldiers, six civilians and a police officer
    were killed" -> 13 killed (GTD and ACLED count the total), not 6, 6 and 1. The list is
    the parse's conjunction of person nouns, each with its number ("six civilians") or
    one person ("a police officer", "his driver"); any other member (a place, people
    without a number, "one or two") leaves the figures as they are. A total and its
    breakdown ("40 people, 6 security personnel and 34 civilians") is the total alone.
    `raw`: each figure's token -> the figure as written (before _plus_one, which the sum
    replaces)."""
    doc = span.doc
    by_noun = {_noun(doc[f.token_i]).i: f for f in found}
    sums: dict[int, CasualtyFigure] = {}  # the list's first figure (start) -> the list's sum
    summed: set[int] = set()  # the other figures of those lists (starts)
    for noun_i in sorted(by_noun):
        first = doc[noun_i]
        if first.dep_ == "conj":
            continue  # a list is read from its first member
        members = [first, *[t for t in first.subtree if t.dep_ == "conj" and _conj_chain(t, first)]]
        parts = _parts_of_a_total(members, by_noun, raw)
        if parts:
            summed.update(f.start_char for f in parts)
            continue
        total, qualifier, figures = 0, "exact", []
        for member in members:
            if (not _is_person_noun(member) or member.lower_ in TOTAL_NOUNS
                    or any(c.dep_ == "prep" and c.lower_ in PLACE_PREPOSITIONS for c in member.children)):
                break
            figure = by_noun.get(member.i)
            if figure is not None:
                written = raw.get(figure.token_i)
                if (written is None or written.value_low is None or written.qualifier not in {"exact", "at_least", "more_than"}
                        or (figures and figure.category != figures[0].category)
                        or any(c.dep_ in {"cc", "conj"} for c in doc[figure.token_i].children)):  # "one or two"
                    break
                total += written.value_low
                qualifier = qualifier if written.qualifier == "exact" else "at_least"
                figures.append(figure)
            elif member.tag_ in {"NN", "NNP"} and any(c.dep_ in {"det", "poss"} and c.lower_ in ONE_PERSON
                                                      for c in member.children):
                total += 1
            else:
                break
        else:
            if len(members) < 2 or not figures:
                continue
            head, last = figures[0], members[-1]
            end = last.idx + len(last.text)
            sums[head.start_char] = CasualtyFigure(
                head.category, total, total if qualifier == "exact" else None, qualifier, head.start_char, end,
                span.text[head.start_char - span.start_char : end - span.start_char], head.token_i, "enumeration")
            summed.update(f.start_char for f in figures[1:])
    return [sums.get(f.start_char, f) for f in found if f.start_char not in summed]


def _parts_of_a_total(members: list[Token], by_noun: dict[int, CasualtyFigure],
                      raw: dict[int, Figure]) -> list[CasualtyFigure]:
    """The parts' figures when a list is a total and its breakdown: "40 people, 6 security
    personnel and 34 civilians" -> 6 and 34 (the total, 40, is the claim). The parts, two
    or more, each exact, must add up to the total ("30 people, 12 soldiers and 10
    policemen" may be a list of 52)."""
    head = by_noun.get(members[0].i)
    if head is None or members[0].lower_ not in TOTAL_NOUNS or len(members) < 3:
        return []
    written = raw.get(head.token_i)
    parts = [by_noun.get(m.i) for m in members[1:]]
    if written is None or written.value_low is None or any(p is None or p.category != head.category for p in parts):
        return []
    values = [raw.get(p.token_i) for p in parts]
    if any(v is None or v.qualifier != "exact" for v in values) or sum(v.value_low for v in values) != written.value_low:
        return []
    return parts


def _noun(token: Token) -> Token:
    """The noun a figure counts: "six" -> civilians, "a" -> officer."""
    return token.head if token.dep_ in {"nummod", "det", "quantmod"} else token


def _conj_chain(token: Token, first: Token) -> bool:
    """Whether `token` is joined to `first` by conjunctions only."""
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
        if token.i == first.i:
            return True
    return False


def find_casualty_figures(doc: Doc) -> list[CasualtyFigure]:
    """Every casualty figure in a document, sentence by sentence when sentences are set."""
    spans = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    figures = []
    for sent in spans:
        figures.extend(find_in_span(sent))
    return figures


if not Doc.has_extension("casualty_figures"):
    Doc.set_extension("casualty_figures", default=None)


def figures_of(doc: Doc) -> list[CasualtyFigure]:
    """The casualty figures the component stored on a doc."""
    return [CasualtyFigure(*values) for values in doc._.casualty_figures or ()]


@Language.factory("casualty_matcher", assigns=["doc._.casualty_figures"], default_config={})
class CasualtyMatcher(StatelessComponent):
    """spaCy component: stores the doc's casualty figures in doc._.casualty_figures (as
    plain tuples, so docs cross process boundaries with nlp.pipe(n_process=2));
    read them back with figures_of(doc)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.casualty_figures = [astuple(f) for f in find_casualty_figures(doc)]
        return doc

