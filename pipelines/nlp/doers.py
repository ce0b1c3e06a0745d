"""Who claimed an attack, or is blamed for it, read from the parse: for the armed groups
data/actors.json does not list ("The Baloch Republican Guards claimed responsibility",
"the attack was blamed on the Moro Islamic Liberation Front").

A claim's doer is the subject of the claim verb ("X claimed the attack", "a spokesman for
X claimed responsibility", "a group calling itself X claimed ...") or its agent ("claimed
by X"). A blamed doer is the object of "blamed ... on", the agent of "carried out by",
the subject of "was responsible for" / "is suspected to be behind", the object of
"accused", or what "militants of X" / "X fighters" names as the subject of a verb.

A name must be a proper name (a word in capitals that is not the sentence's first word
alone; not read from headlines in title case), not a pronoun or a bare role ("the group",
"militants", "Gunmen" after a dateline), and not a state actor
or a source of figures (data/actors.json's claimants: "the Interior Minister took
responsibility for the security failure" names no doer). A name that contains a listed
group is that group ("a faction of the Pakistani Taliban" -> Tehrik-i-Taliban Pakistan).

And the other way round: a group an attack hit or killed ("a drone strike killed three
members of X", "air strikes on X positions") is not who did it (`targeted`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipelines.nlp.claimants import ORG_HEADS, SPEECH_LEMMAS, find_groups, normalise_claimant
from pipelines.nlp.morph import lemma, pos

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Nouns that stand for a group without naming it: "a spokesman for X", "a faction of X",
# "the X group", "militants of X", "a group called X".
ROLE_NOUNS = frozenset("""
    spokesman spokeswoman spokesperson spokesmen statement statements faction factions wing branch affiliate
    offshoot commander commanders leader leaders member members group groups outfit organisation organization
    movement fighters fighter militants militant insurgents insurgent rebels rebel gunmen jihadists cell unit
    splinter network militia militias
""".split())
# role nouns that name who did an attack when they are the subject of an attack verb
# ("militants of X stormed ..."); not "members" ("three members of X died": victims)
ATTACKER_NOUNS = frozenset("fighters fighter militants militant insurgents insurgent rebels rebel gunmen jihadists".split())
ATTACK_VERBS = frozenset("""
    kill kills killed killing attack attacks attacked attacking storm storms stormed storming shoot shoots shot
    shooting ambush ambushed ambushing bomb bombed bombing abduct abducted abducting kidnap kidnapped kidnapping
    raid raided raiding seize seized seizing overran overrun fire fired firing open opened detonate detonated
    launch launched target targeted behead beheaded execute executed massacre massacred hit hits strike struck
    capture captured torch torched burn burned burnt blew stab stabbed hack hacked murder murdered besiege
    besieged shell shelled assault assaulted gun gunned overwhelm overwhelmed carry carried carrying set planted
    plant hurl hurled throw threw lob lobbed ram rammed
""".split())
# what a doer is blamed for when it is not an attack ("blamed X for failing to stop it",
# "X is responsible for security in the area")
NOT_DEED_VERBS = frozenset("""
    failing fail allowing letting ignoring neglecting lacking mismanaging not
""".split())
NOT_DEEDS = frozenset("""
    security safety protection failure failures lapse lapses negligence situation crisis economy ills problems
    policies policy management administration response delays delay shortages corruption mismanagement
    defence defense oversight coordination
""".split())
# what a name ending in it is not: an attack ("the Mali Attack")
DEED_NOUNS = frozenset("""
    attack attacks bombing bombings blast blasts explosion explosions killing killings massacre massacres ambush
    ambushes assault assaults raid raids shooting shootings kidnapping kidnappings abduction abductions
    assassination assassinations murder murders beheading beheadings siege
""".split())
# what a group believes, not what it is called ("the Sunni militant group")
CREEDS = frozenset("""
    sunni shia shiite islamist islamic jihadist muslim christian hindu buddhist maoist marxist communist
    separatist nationalist extremist salafist salafi wahhabi secular jews christians muslims hindus sikhs
""".split())
NAMING_WORDS = frozenset("called calling named naming known styling".split())
BLAME_WORDS = frozenset("blame blamed blames blaming".split())
ACCUSE_WORDS = frozenset("accuse accused accuses accusing".split())
DOER_AGENT_HEADS = frozenset("""
    carried perpetrated staged launched conducted committed orchestrated masterminded planned executed mounted
""".split())
# a name's words that make it a state actor or a source, not an armed group
STATE_WORDS = ORG_HEADS | frozenset("president minister premier king prime chancellor parliament soldiers troops policemen".split())
# ... except in the names armed groups give themselves ("Kachin Independence Army", "Mujahideen
# Shura Council"), unless the other words only say whose state it is ("Afghan National Army")
GROUP_HEADS = frozenset("army forces force council command guard guards front".split())
STATE_ARMY_WORDS = frozenset("national arab armed defence defense security special royal people's popular".split())
# worth parsing for: a cheap test on the sentence's text first
TRIGGER = re.compile(
    r"\b(?:claim\w*|responsib\w+|credit|blam\w+|accus\w+|behind|by|fighters?|militants?|insurgents?|rebels?"
    r"|gunmen|jihadists|militias?)\b",
    re.IGNORECASE,
)
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})


def claimer(sent: Span, at: int) -> tuple[int, int, str] | None:
    """(start, end, name) of who the responsibility claim whose words start at character
    `at` names ("X claimed responsibility", "claimed by X", "X took credit"), or None."""
    verb = _claim_verb(sent, at)
    if verb is None:
        return None
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    if agent is not None:
        return _name_of(_object(agent), sent)
    return _name_of(_subject(verb), sent)


def states_not_claims(sent: Span, at: int) -> bool:
    """Whether the claim verb at character `at` asserts something rather than claims an
    attack: "The government claimed the shooting was carried out by X" (a clause follows,
    and who says it is no armed group), not "X claimed the shooting", nor "The Taliban
    claimed the bombing killed 40 soldiers" (a group claiming its attack)."""
    verb = _claim_verb(sent, at)
    if verb is None or not verb.lower_.startswith("claim") or any(c.dep_ in {"dobj", "agent"} for c in verb.children):
        return False
    # the clause follows the verb directly; a speech verb after commas is the sentence's
    # attribution, misparsed ("X claimed both attacks, the Amaq news agency ... reported")
    clause = any(c.dep_ == "ccomp" and lemma(c) not in SPEECH_LEMMAS
                 and not any(t.text == "," for t in sent.doc[verb.i + 1 : c.i]) for c in verb.children)
    return clause and _name_of(_subject(verb), sent) is None


def _claim_verb(sent: Span, at: int) -> Token | None:
    token = next((t for t in sent if t.idx <= at < t.idx + len(t.text)), None)
    if token is None:
        return None
    return token.head if token.dep_ in {"aux", "auxpass"} else token


def blamed(sent: Span) -> list[tuple[int, int, str]]:
    """(start, end, name) of every doer the sentence blames or names as attacking."""
    found = []
    for token in sent:
        word = token.lower_
        heads: list[Token | None] = []
        if word in BLAME_WORDS:
            # "the attack was blamed on X", "blamed the bombing on X" ("on" may hang off
            # the object), "blamed X for the attack"; not "blamed X for failing to stop it"
            objects = [c for c in token.children if c.dep_ == "dobj"]
            on = [_object(c) for t in (token, *objects) for c in t.children if c.dep_ == "prep" and c.lower_ == "on"]
            on = [o for o in on if o is not None and not _a_time(o)]  # "blamed X ... on Monday"
            if on:
                heads.append(on[0])
            elif _for_a_deed(token, *objects):
                heads.extend(objects)
        elif word in ACCUSE_WORDS:
            if _for_a_deed(token):
                heads.extend(c for c in token.children if c.dep_ == "dobj")
        elif word == "by" and token.dep_ == "agent" and token.head.lower_ in DOER_AGENT_HEADS:
            heads.append(_object(token))
        elif word in {"responsible", "behind"} and token.dep_ in {"acomp", "prep"} and lemma(token.head) == "be":
            # "X was responsible for the attack", "X is suspected to be behind"
            if word == "behind" or _for_a_deed(token):
                heads.append(_subject(token.head))
        elif word in ATTACKER_NOUNS and token.dep_ == "nsubj" and token.head.lower_ in ATTACK_VERBS:
            heads.append(token)
        for head in heads:
            name = _name_of(head, sent)
            if name is not None:
                found.append(name)
    return found


def _for_a_deed(*tokens: Token) -> bool:
    """Whether what a "for" phrase hanging off `tokens` blames is an attack, or there is
    no "for" phrase: not "blamed X for failing to stop it", "responsible for security"."""
    for phrase in (c for t in tokens for c in t.children if c.dep_ == "prep" and c.lower_ == "for"):
        for what in phrase.children:
            if what.dep_ == "pcomp" and (what.lower_ in NOT_DEED_VERBS or any(c.dep_ == "neg" for c in what.children)):
                return False
            if what.dep_ == "pobj" and what.lower_ in NOT_DEEDS:
                return False
    return True


WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


def _a_time(token: Token) -> bool:
    return token.ent_type_ in {"DATE", "TIME"} or token.lower_ in WEEKDAYS


def title_case(sent: Span) -> bool:
    """A headline in title case ("Mali Attack Claimed By Little-Known Group"): its capitals
    do not mark names, and the parse's doers are not read from it (extract.py asks this of
    headlines only: "Police blamed the Oromo Liberation Army." is as capitalised)."""
    words = [t for t in sent if t.is_alpha and len(t.text) > 3]
    return len(words) >= 3 and sum(t.text[:1].isupper() for t in words) >= 0.8 * len(words)


def _object(preposition: Token) -> Token | None:
    return next((c for c in preposition.children if c.dep_ == "pobj"), None)


def _subject(verb: Token) -> Token | None:
    """The subject of `verb`, or of the verb it is conjoined to or completes
    ("X stormed the base and claimed ...", "X is suspected to be behind ...")."""
    for _ in range(4):
        subject = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
        if subject is not None or verb.dep_ not in {"conj", "xcomp", "ccomp"} or verb.head is verb:
            return subject
        verb = verb.head
    return None


def _name_of(head: Token | None, sent: Span, depth: int = 0) -> tuple[int, int, str] | None:
    """(start, end, name) of the group a noun phrase names, or None."""
    if head is None or depth > 3 or pos(head) == "PRON":
        return None
    doc = head.doc
    # a role word in capitals inside a name is part of it ("Bangsamoro Islamic Freedom
    # Fighters"), not one standing alone ("BEIRUT (Reuters) - Gunmen killed ...")
    if head.lower_ not in ROLE_NOUNS or (head.text[:1].isupper() and any(
            c.text[:1].isupper() for c in head.lefts if c.dep_ in {"compound", "amod", "nmod"})):
        if not head.text[:1].isupper():
            return None  # "Iran-backed militias": a description, not a name
        end, last = head.i + 1, head
        for _ in range(3):  # "Army of Islam", "Democratic Forces for the Liberation of Rwanda"
            first = next(last.rights, None)
            obj = _object(first) if first is not None and first.dep_ == "prep" and first.lower_ in {"of", "for"} else None
            if obj is None or not obj.text[:1].isupper():
                break
            end, last = obj.i + 1, obj
        return _checked(doc, head.left_edge.i, end, sent)
    # a role: "a spokesman for X", "a group called X", "the X group", "the militant group X"
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in {"for", "of", "from"}:
            return _name_of(_object(child), sent, depth + 1)
        if child.dep_ in {"acl", "relcl"} and child.lower_ in NAMING_WORDS:
            # "a group called X", "a group calling itself X", "known as X"
            for named in child.children:
                if named.dep_ in {"oprd", "attr", "xcomp"} or (named.dep_ == "dobj" and pos(named) == "PROPN"):
                    return _name_of(named, sent, depth + 1)
                if named.dep_ == "prep" and named.lower_ == "as":
                    return _name_of(_object(named), sent, depth + 1)
    # "the Ansar al-Furqan group", "Islamic State's local affiliate", "Houthi rebels"
    words = [c for c in head.lefts if c.dep_ in {"compound", "nmod", "poss", "amod"} and c.text[:1].isupper()]
    found = _checked(doc, words[0].left_edge.i, words[-1].right_edge.i + 1, sent) if words else None
    if found is None:
        # "the Sunni militant group Jaish al-Adl"
        apposition = next((c for c in head.rights if c.dep_ == "appos"), None)
        found = _name_of(apposition, sent, depth + 1)
    return found


def _checked(doc: Doc, start: int, end: int, sent: Span) -> tuple[int, int, str] | None:
    """doc[start:end] as a group's name, trimmed of articles and punctuation: a listed
    group's name, else words in capitals that name no state actor, place or source."""
    while start < end and (pos(doc[start]) in {"DET", "PUNCT", "PART"} or doc[start].lower_ in {"suspected", "alleged"}):
        start += 1
    while end > start and (pos(doc[end - 1]) in {"PUNCT", "PART"} or doc[end - 1].tag_ == "POS"):
        end -= 1
    span = doc[start:end]
    if not span or len(span) > 8 or span[-1].lower_ in DEED_NOUNS:  # "the Mali Attack"
        return None
    known = find_groups(span.text)
    if len(known) == 1:
        return span.start_char, span.end_char, known[0][2]
    capitals = [t for t in span if t.text[:1].isupper() and (t.i != sent.start or pos(t) == "PROPN")]
    if not capitals or _state_actor(span) or _place(span):
        return None
    # a source of figures (a ministry, a monitor, state TV), not a doer; a name with its own
    # "Army" or "Council" was judged by _state_actor
    source = normalise_claimant(span.text)
    if source is not None and source.kind != "media" and not any(
            t.lower_ in GROUP_HEADS and t.text[:1].isupper() for t in span):
        return None
    return span.start_char, span.end_char, span.text


def _state_actor(span: Span) -> bool:
    """"the Interior Minister", "the army", "Afghan National Army"; not "Free Syrian Army"."""
    from pipelines.nlp.gazetteer import load_gazetteer

    demonyms = load_gazetteer().demonyms
    for token in span:
        if token.lower_ not in STATE_WORDS:
            continue
        if token.lower_ not in GROUP_HEADS or not token.text[:1].isupper():
            return True
        others = [t for t in span if t.i != token.i and pos(t) not in {"DET", "PUNCT", "ADP"}]
        if all(t.text in demonyms or t.lower_ in STATE_ARMY_WORDS for t in others):
            return True
    return False


def _place(span: Span) -> bool:
    """"Pakistan" (blamed for an attack), "Somali" or "Sunni" (militants), "Somalia's Islamic"
    (rebels): where they are or what they believe, not who they are."""
    from pipelines.nlp.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    return all(t.text in gazetteer.demonyms or t.lower_ in CREEDS or t.tag_ == "POS" or gazetteer.candidates(t.text)
               for t in span) or bool(gazetteer.candidates(span.text))


# verbs whose object is the victim or the target ("killed members of X", "arrested two
# X commanders"), and attacks whose "on" names their target ("air strikes on X positions")
TARGETING_VERBS = frozenset("""
    kill killed kills killing wound wounded wounding injure injured injuring arrest arrested arresting
    detain detained detaining capture captured capturing target targeted targeting targets attack attacked
    attacking bomb bombed bombing hit struck strike raid raided raiding
""".split())
ATTACK_NOUNS = frozenset("strike strikes airstrike airstrikes attack attacks raid raids offensive operation operations "
                         "assault crackdown bombardment shelling".split())
_IN_PHRASE = frozenset({"compound", "amod", "poss", "nmod", "appos", "flat", "case", "punct"})


def targeted(sent: Span, start: int) -> bool:
    """Whether the group named at character `start` is what an attack hit or whom it
    killed or caught ("killed three members of X", "air strikes on X positions"), not
    who did it."""
    token = next((t for t in sent if t.idx <= start < t.idx + len(t.text)), None)
    for _ in range(6):
        if token is None:
            return False
        if token.dep_ in _IN_PHRASE and token.head is not token:
            token = token.head
        elif token.dep_ == "pobj":
            preposition = token.head
            attack = preposition.head
            if (preposition.lower_ in {"on", "against"} and attack.lower_ in ATTACK_NOUNS
                    and attack.head.lower_ not in BLAME_WORDS):  # "blamed the attack on X": the doer
                return True
            if preposition.lower_ != "of":
                return False
            token = preposition.head  # "members of X": the members
        else:
            return token.dep_ in {"dobj", "nsubjpass"} and token.head.lower_ in TARGETING_VERBS
    return False
