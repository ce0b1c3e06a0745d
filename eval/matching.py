"""Pure scoring rules for the extraction evaluation.

Everything here is plain Python on plain values, so it can be unit-tested without the
pipeline, DuckDB or spaCy:

- name normalisation (accents, case, "al-" articles, place suffixes such as "district")
  and the alias tables for countries, places and organisations;
- the match rule for each field (numbers with qualifiers, dates at the label's precision,
  places, names by token containment, attack types across vocabularies);
- the arithmetic of precision, recall and exact-match accuracy.

Vocabulary (the warehouse contract, DESIGN.md §3): qualifiers, claimant kinds, date
precisions; the attack-type taxonomy is the one the labelled set uses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

QUALIFIERS = ("exact", "at_least", "more_than", "at_most", "about", "range", "vague")
CLAIMANT_KINDS = (
    "monitor", "government", "state_media", "militant", "medical", "witness", "media",
    "unattributed",
)
DATE_PRECISIONS = ("day", "week", "month", "year")
ATTACK_TYPES = (
    "suicide_bombing", "car_bomb", "ied", "bombing", "shelling", "air_strike",
    "armed_assault", "kidnapping", "assassination", "arson", "other",
)
# A week-precision label ("last week") is right when the prediction falls within this
# many days of the labelled date.
WEEK_TOLERANCE_DAYS = 6

# ---------------------------------------------------------------------------------------
# Text folding
# ---------------------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"[\u2019\u2018'`\u02bf\u02be\u02bc]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Arabic article written as a separate token ("Deir al-Zour", "Al Anbar", "El Fasher").
_ARTICLE_TOKENS = {"al", "el"}
# Assimilated forms ("ar-Raqqa", "as-Suwayda") only count as an article at the start
# of a name and when hyphenated, so English words are left alone.
_LEADING_HYPHENATED_ARTICLE = re.compile(
    r"^(?:al|el|ar|as|ash|ad|adh|az|at|an|ath)-", re.IGNORECASE
)
_PLACE_SUFFIXES = {
    "district", "city", "province", "governorate", "region", "state", "county", "town",
    "village", "municipality", "oblast", "prefecture", "department", "wilaya", "area",
    "raion", "territory", "neighbourhood", "neighborhood", "suburb", "division", "republic",
}


# Letters that carry no combining accent under NFKD ("Diyarbakır", "Łódź", "Øresund").
_PLAIN_LETTERS = str.maketrans({
    "ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d",
    "þ": "th", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
})


def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes, turn punctuation into single spaces.

    >>> fold("Côte d'Ivoire")
    'cote divoire'
    >>> fold("Diyarbakır")
    'diyarbakir'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _APOSTROPHES.sub("", stripped.casefold())
    return " ".join(_NON_ALNUM.sub(" ", stripped).split())


def _name_tokens(text: str) -> list[str]:
    """Folded tokens of a name without a leading "the"/"a" and without "al"/"el" articles."""
    text = _LEADING_HYPHENATED_ARTICLE.sub("", text.strip())
    tokens = [t for t in fold(text).split() if t not in _ARTICLE_TOKENS]
    if len(tokens) > 1 and tokens[0] in {"the", "a", "an"}:
        tokens = tokens[1:]
    return tokens


def _alias_index(groups: list[list[str]], key) -> dict[str, str]:
    """Map every alias's key to the key of the group's first (canonical) name."""
    index: dict[str, str] = {}
    for group in groups:
        canonical = key(group[0])
        for alias in group:
            index[key(alias)] = canonical
    return index


# ---------------------------------------------------------------------------------------
# Countries
# ---------------------------------------------------------------------------------------

COUNTRY_ALIASES: list[list[str]] = [
    ["Syria", "Syrian Arab Republic"],
    ["United States", "United States of America", "USA", "US", "U.S.", "U.S.A.", "America"],
    ["United Kingdom", "UK", "U.K.", "Great Britain", "Britain", "England", "Scotland",
     "Wales", "Northern Ireland"],
    ["Democratic Republic of the Congo", "DR Congo", "D.R. Congo", "DRC", "Congo-Kinshasa",
     "Congo (Kinshasa)", "Congo, Democratic Republic of the", "Zaire"],
    ["Republic of the Congo", "Congo-Brazzaville", "Congo (Brazzaville)", "Congo Republic"],
    ["Myanmar", "Burma"],
    ["Côte d'Ivoire", "Ivory Coast"],
    ["Palestine", "State of Palestine", "West Bank and Gaza Strip", "Palestinian Territories",
     "Palestinian Territory", "Occupied Palestinian Territory", "Palestinian territories",
     "West Bank", "Gaza Strip", "Gaza"],
    ["Russia", "Russian Federation"],
    ["Iran", "Islamic Republic of Iran", "Iran (Islamic Republic of)"],
    ["South Korea", "Republic of Korea", "Korea, Republic of"],
    ["North Korea", "DPRK", "Democratic People's Republic of Korea"],
    ["Turkey", "Türkiye", "Turkiye"],
    ["Czech Republic", "Czechia"],
    ["Laos", "Lao People's Democratic Republic", "Lao PDR"],
    ["Vietnam", "Viet Nam"],
    ["Libya", "Libyan Arab Jamahiriya", "State of Libya"],
    ["Bolivia", "Plurinational State of Bolivia"],
    ["Venezuela", "Bolivarian Republic of Venezuela"],
    ["Tanzania", "United Republic of Tanzania"],
    ["Moldova", "Republic of Moldova"],
    ["North Macedonia", "Macedonia", "FYROM"],
    ["Eswatini", "Swaziland"],
    ["Cape Verde", "Cabo Verde"],
    ["Timor-Leste", "East Timor"],
    ["Central African Republic", "CAR"],
    ["United Arab Emirates", "UAE", "U.A.E."],
    ["Bosnia and Herzegovina", "Bosnia-Herzegovina", "Bosnia"],
    ["Netherlands", "Holland", "Kingdom of the Netherlands"],
    ["Gambia", "The Gambia"],
    ["Afghanistan", "Islamic Republic of Afghanistan", "Islamic Emirate of Afghanistan"],
    ["Egypt", "Arab Republic of Egypt"],
    ["Yemen", "Republic of Yemen"],
    ["Kyrgyzstan", "Kyrgyz Republic"],
    ["Brunei", "Brunei Darussalam"],
    ["Taiwan", "Taiwan, Province of China"],
    ["Kosovo", "Republic of Kosovo"],
    ["Philippines", "Republic of the Philippines"],
    ["Somalia", "Federal Republic of Somalia", "Somaliland"],
]


def _country_key(name: str) -> str:
    tokens = fold(name).split()
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


_COUNTRY_INDEX = _alias_index(COUNTRY_ALIASES, _country_key)


def canonical_country(name: str | None) -> str | None:
    """The comparison key of a country name: folded, with aliases resolved.

    >>> canonical_country("Syrian Arab Republic") == canonical_country("syria")
    True
    """
    if name is None or not name.strip():
        return None
    key = _country_key(name)
    return _COUNTRY_INDEX.get(key, key)


def country_matches(gold: str | None, predicted: str | None) -> bool:
    """Case-insensitive country equality after alias normalisation."""
    g, p = canonical_country(gold), canonical_country(predicted)
    return g is not None and g == p


# ---------------------------------------------------------------------------------------
# Places (admin1, city)
# ---------------------------------------------------------------------------------------

PLACE_ALIASES: list[list[str]] = [
    # Syria
    ["Rif Dimashq", "Rural Damascus", "Damascus Countryside", "Reef Damascus", "Rif Dimashq Governorate"],
    ["Deir ez-Zor", "Deir ez Zor", "Deir al-Zour", "Deir el-Zor", "Dayr az Zawr", "Deir Ezzor", "Deir al-Zor"],
    ["Aleppo", "Halab"],
    ["Hasakah", "Al-Hasakah", "Hassakeh", "Hasaka", "Al-Hasakeh"],
    ["Raqqa", "Ar-Raqqah", "Raqqah", "Al-Raqqa"],
    ["Homs", "Hims"],
    ["Hama", "Hamah"],
    ["Idlib", "Idleb"],
    ["Daraa", "Dara'a", "Deraa", "Dar'a"],
    ["Latakia", "Lattakia", "Al-Ladhiqiyah", "Ladhiqiyah"],
    ["Damascus", "Dimashq"],
    ["Sayyida Zaynab", "Sayeda Zeinab", "Sayyida Zeinab", "Sayida Zeinab", "Sitt Zaynab"],
    # Iraq
    ["Nineveh", "Ninawa", "Ninewa", "Ninevah"],
    ["Anbar", "Al Anbar"],
    ["Salahuddin", "Salah ad-Din", "Salah al-Din", "Saladin", "Salah ad Din"],
    ["Basra", "Basrah"],
    ["Tal Afar", "Tel Afar", "Talafar", "Tall Afar"],
    ["Fallujah", "Falluja", "Faluja"],
    ["Karbala", "Kerbala"],
    ["Najaf", "An Najaf"],
    ["Ramadi", "Ar Ramadi"],
    ["Kirkuk", "Karkuk"],
    # Pakistan
    ["Khyber Pakhtunkhwa", "KP", "KPK", "NWFP", "North-West Frontier Province", "North West Frontier Province"],
    ["Balochistan", "Baluchistan"],
    ["Federally Administered Tribal Areas", "FATA"],
    ["Sindh", "Sind"],
    # Afghanistan
    ["Nangarhar", "Ningarhar", "Nangrahar"],
    ["Kandahar", "Qandahar"],
    ["Helmand", "Hilmand"],
    ["Herat", "Hirat"],
    ["Paktia", "Paktiya"],
    ["Kunduz", "Kondoz", "Qunduz"],
    ["Uruzgan", "Oruzgan", "Urozgan"],
    ["Mazar-i-Sharif", "Mazar-e-Sharif", "Mazar e Sharif", "Mazari Sharif"],
    ["Lashkar Gah", "Lashkargah"],
    # Africa
    ["Banadir", "Benadir", "Banaadir"],
    ["Mogadishu", "Muqdisho", "Mogadiscio"],
    ["Lower Shabelle", "Shabeellaha Hoose"],
    ["Timbuktu", "Tombouctou"],
    ["Federal Capital Territory", "FCT", "Abuja Federal Capital Territory"],
    ["North Sinai", "Shamal Sina", "North Sinai Governorate"],
    ["Arish", "El Arish", "Al-Arish"],
    ["Benghazi", "Banghazi"],
    # Asia
    ["Jammu and Kashmir", "J&K", "Jammu & Kashmir", "Jammu-Kashmir"],
    ["Mumbai", "Bombay"],
    # Europe
    ["Kyiv", "Kiev"],
    ["Kharkiv", "Kharkov"],
    ["Luhansk", "Lugansk"],
    ["Zaporizhzhia", "Zaporizhia", "Zaporozhye", "Zaporizhzhya"],
    ["Odesa", "Odessa"],
    ["Provence-Alpes-Côte d'Azur", "PACA"],
    # Middle East
    ["Tel Aviv", "Tel Aviv-Yafo", "Tel Aviv-Jaffa"],
    ["Sanaa", "Sana'a", "Amanat al-Asimah", "Amanat Al Asimah"],
    ["Saada", "Sa'dah", "Sadah", "Saadah"],
    ["Shabwa", "Shabwah"],
    ["Aden", "Adan"],
    ["Babil", "Babylon"],
    ["Far North", "Extreme-Nord", "Extrême-Nord"],
    ["North Kivu", "Nord-Kivu"],
    ["South Kivu", "Sud-Kivu"],
    ["Beqaa", "Bekaa"],
]


def _raw_place_key(name: str) -> str:
    tokens = [t for t in _name_tokens(name) if t != "and"]
    while len(tokens) > 1 and tokens[-1] in _PLACE_SUFFIXES:
        tokens = tokens[:-1]
    if len(tokens) > 2 and tokens[0] in {"city", "province", "district"} and tokens[1] == "of":
        tokens = tokens[2:]
    # a final h after a vowel is a transliteration variant: Hilla / Hillah, Muqdadiya / Muqdadiyah
    tokens = [re.sub(r"(?<=[aeiou])h$", "", t) if len(t) > 3 else t for t in tokens]
    return " ".join(tokens)


def place_key(name: str | None) -> str | None:
    """Comparison key of a place name: folded, articles and suffixes such as "district" dropped.

    >>> place_key("Al-Hasakah Governorate") == place_key("hasakah")
    True
    """
    if name is None or not name.strip():
        return None
    key = _raw_place_key(name)
    return _PLACE_INDEX.get(key, key) or None


_PLACE_INDEX = _alias_index(PLACE_ALIASES, _raw_place_key)
_VOWELS = re.compile(r"[aeiouyw]")


def _skeleton(key: str) -> str:
    """Consonant skeleton of a place key, to absorb transliteration.

    "Sayeda Zeinab" and "Sayyida Zaynab" both give "sdznb"; "Mehtar Lam" and "Mihtarlam"
    both give "mhtrlm". Tokens reduced to one consonant (articles such as "ez") are dropped.
    """
    tokens = []
    for token in key.replace("q", "k").split():
        token = _VOWELS.sub("", token)
        token = re.sub(r"(.)\1+", r"\1", token)
        if len(token) > 1:
            tokens.append(token)
    return re.sub(r"(.)\1+", r"\1", "".join(tokens))


def place_matches(gold: str | None, predicted: str | None) -> bool:
    """Place-name equality after folding and aliases, or the same consonant skeleton.

    The skeleton fallback only compares the one labelled place with the one predicted
    place of the same article, so a loose key costs little; it is used only when it keeps
    at least three consonants.
    """
    g, p = place_key(gold), place_key(predicted)
    if g is None or p is None:
        return False
    if g == p:
        return True
    gs, ps = _skeleton(g), _skeleton(p)
    return len(gs) >= 3 and gs == ps


# ---------------------------------------------------------------------------------------
# Organisations and people (claimant, perpetrator, claimed_by)
# ---------------------------------------------------------------------------------------

ORG_ALIASES: list[list[str]] = [
    ["Islamic State", "ISIS", "ISIL", "IS", "Daesh", "Islamic State of Iraq and the Levant",
     "Islamic State of Iraq and Syria", "Islamic State of Iraq and al-Sham"],
    ["Islamic State Khorasan Province", "ISKP", "IS-K", "ISIS-K", "ISIS-KP", "Islamic State Khorasan",
     "ISIS Khorasan", "Islamic State - Khorasan Province"],
    ["Islamic State West Africa Province", "ISWAP", "ISWA"],
    ["Islamic State Sinai Province", "Sinai Province", "Wilayat Sinai", "Ansar Bait al-Maqdis",
     "Ansar Beit al-Maqdis"],
    ["Islamic State Greater Sahara", "ISGS", "Islamic State in the Greater Sahara"],
    ["Shabaab", "al-Shabaab", "al-Shabab", "Shabab", "Harakat al-Shabaab al-Mujahideen"],
    ["Tehrik-i-Taliban Pakistan", "TTP", "Pakistani Taliban", "Tehreek-e-Taliban Pakistan",
     "Tehrik-e-Taliban Pakistan"],
    ["Boko Haram", "Jama'atu Ahlis Sunna Lidda'awati wal-Jihad", "JAS"],
    ["Houthi", "Houthis", "Houthi movement", "Ansar Allah", "Ansarallah", "Huthi", "Huthis"],
    ["Kurdistan Workers Party", "PKK", "Kurdistan Workers' Party"],
    ["Hezbollah", "Hizbollah", "Hizballah", "Hizbullah"],
    ["Qaeda", "al-Qaeda", "al-Qaida", "al-Qa'ida", "Al Qaeda"],
    ["Qaeda in the Arabian Peninsula", "AQAP"],
    ["Qaeda in the Islamic Maghreb", "AQIM"],
    ["Jama'at Nasr al-Islam wal Muslimin", "JNIM", "Jamaat Nusrat al-Islam wal-Muslimin",
     "Jama'at Nusrat al-Islam wal-Muslimin", "Group for the Support of Islam and Muslims", "GSIM"],
    ["Baloch Liberation Army", "BLA", "Balochistan Liberation Army"],
    ["National Liberation Army", "ELN", "Ejercito de Liberacion Nacional"],
    ["Revolutionary Armed Forces of Colombia", "FARC", "FARC dissidents"],
    ["Abu Sayyaf", "Abu Sayyaf Group", "ASG"],
    ["New People's Army", "NPA"],
    ["Syrian Democratic Forces", "SDF"],
    ["People's Protection Units", "YPG"],
    ["Jaish-e-Mohammed", "JeM", "Jaish-e-Muhammad", "Jaish-e-Mohammad"],
    ["Lashkar-e-Taiba", "LeT", "Lashkar-e-Toiba"],
    ["Syrian Observatory for Human Rights", "SOHR", "the Observatory"],
    ["United Nations Assistance Mission in Afghanistan", "UNAMA"],
    ["United Nations", "UN", "U.N."],
    ["Red Cross", "International Committee of the Red Cross", "ICRC"],
    ["Doctors Without Borders", "MSF", "Medecins Sans Frontieres"],
    ["Amaq", "Amaq News Agency", "Aamaq"],
    ["Syrian Arab News Agency", "SANA"],
    ["Iraqi News Agency", "INA"],
    ["Islamic Jihad", "Palestinian Islamic Jihad", "PIJ"],
    ["Hamas", "Harakat al-Muqawama al-Islamiya"],
    ["Islamic Republic News Agency", "IRNA"],
    ["Inter-Services Public Relations", "ISPR"],
    ["National Directorate of Security", "NDS"],
    ["Jaish al-Adl", "Jaish ul-Adl", "Army of Justice"],
    ["Allied Democratic Forces", "ADF"],
    ["National Democratic Front of Bodoland", "NDFB"],
    # State forces, as perpetrators.
    ["United States", "US", "U.S.", "USA", "American", "US military", "U.S. military"],
    ["Russian forces", "Russia", "Russian military", "Russian army", "Russian troops"],
    ["Turkish forces", "Turkish military", "Turkish army", "Turkish troops"],
    ["Israeli military", "Israel Defense Forces", "IDF", "Israeli army", "Israeli forces"],
    ["Myanmar military", "Tatmadaw", "Myanmar army", "Burmese military"],
]
# Token-level synonyms applied before aliases.
_TOKEN_SYNONYMS = {
    "television": "tv", "govt": "government", "defence": "defense", "spokeswoman": "spokesman",
    "spokesperson": "spokesman", "officials": "official", "sources": "source",
    "houthis": "houthi", "huthis": "houthi", "militants": "militant", "rebels": "rebel",
    "minister": "ministry",
}
_MINISTRY_OF = re.compile(r"\bministry of (?:the )?([a-z]+(?: affairs)?)\b")


def _org_tokens_raw(name: str) -> list[str]:
    tokens = [_TOKEN_SYNONYMS.get(t, t) for t in _name_tokens(name)]
    text = _MINISTRY_OF.sub(lambda m: f"{m.group(1)} ministry", " ".join(tokens))
    return text.split()


def _build_org_aliases() -> list[tuple[list[str], list[str]]]:
    """(alias tokens, canonical tokens), canonical names included, longest first."""
    pairs = []
    for group in ORG_ALIASES:
        canonical = _org_tokens_raw(group[0])
        for alias in group:
            tokens = _org_tokens_raw(alias)
            if tokens:
                pairs.append((tokens, canonical))
    # Longest first, so "islamic state khorasan province" wins over "islamic state", and a
    # canonical name is consumed whole before one of its words could be expanded.
    pairs.sort(key=lambda pair: -len(pair[0]))
    return pairs


_ORG_ALIAS_PAIRS = _build_org_aliases()


def org_tokens(name: str | None) -> list[str]:
    """Normalised tokens of an organisation or person name, aliases replaced in place.

    >>> org_tokens("ISIS militants")
    ['islamic', 'state', 'militant']
    >>> org_tokens("the Ministry of Health")
    ['health', 'ministry']
    """
    if name is None:
        return []
    tokens = _org_tokens_raw(name)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for alias, canonical in _ORG_ALIAS_PAIRS:
            if tokens[i:i + len(alias)] == alias:
                out.extend(canonical)
                i += len(alias)
                break
        else:
            out.append(tokens[i])
            i += 1
    return [_singular(t) for t in out]


def _singular(token: str) -> str:
    """Crude plural stripping so "Maoists" ~ "Maoist rebels" (applied to both sides alike)."""
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _contains_run(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def name_matches(gold: str | None, predicted: str | None) -> bool:
    """Contains-match either way on normalised tokens ("the Observatory" ~ SOHR).

    The shorter name must appear as a contiguous run of whole tokens in the longer one,
    so "police" matches "a police spokesman" but "he" does not match "the health ministry".
    """
    g, p = org_tokens(gold), org_tokens(predicted)
    if not g or not p:
        return False
    shorter, longer = (g, p) if len(g) <= len(p) else (p, g)
    return _contains_run(longer, shorter)


# ---------------------------------------------------------------------------------------
# Attack types
# ---------------------------------------------------------------------------------------

_ATTACK_SYNONYMS = {
    "suicide_bomb": "suicide_bombing", "suicide_attack": "suicide_bombing",
    "suicide_bomber": "suicide_bombing", "suicide_bombings": "suicide_bombing",
    "vbied": "car_bomb", "car_bombing": "car_bomb", "vehicle_bomb": "car_bomb",
    "roadside_bomb": "ied", "improvised_explosive_device": "ied", "landmine": "ied",
    "bomb": "bombing", "explosion": "bombing", "blast": "bombing", "bombing_explosion": "bombing",
    "airstrike": "air_strike", "drone_strike": "air_strike", "air_raid": "air_strike",
    "airstrikes": "air_strike", "rocket_attack": "shelling", "mortar": "shelling",
    "artillery": "shelling", "missile_strike": "shelling",
    "shooting": "armed_assault", "gun_attack": "armed_assault", "assault": "armed_assault",
    "attack": "armed_assault", "stabbing": "armed_assault",
    "abduction": "kidnapping", "hostage_taking": "kidnapping", "kidnap": "kidnapping",
    "hostage_taking_kidnapping": "kidnapping", "hostage": "kidnapping",
    "targeted_killing": "assassination", "arson_attack": "arson",
}


def canonical_attack_type(name: str | None) -> str | None:
    """Snake-case an attack type and map common synonyms onto the eval taxonomy."""
    if name is None or not name.strip():
        return None
    key = fold(name).replace(" ", "_")
    return _ATTACK_SYNONYMS.get(key, key)


# Source-dataset vocabulary (GTD attack types, the incident list's categories) → the set
# of taxonomy values counted as a match. Deliberately loose: informative only.
_BOMBS = {"suicide_bombing", "car_bomb", "ied", "bombing", "shelling", "air_strike"}
DATASET_ATTACK_TYPES: dict[str, set[str]] = {
    "explosion": _BOMBS,
    "bombing": _BOMBS,
    "bombing/explosion": _BOMBS,
    "assault": {"armed_assault", "assassination", "arson", "other"},
    "armed assault": {"armed_assault", "assassination"},
    "unarmed assault": {"armed_assault", "other"},
    "hostage taking (kidnapping)": {"kidnapping"},
    "hostage taking (barricade incident)": {"kidnapping", "armed_assault"},
    "hostage": {"kidnapping"},
    "kidnapping": {"kidnapping"},
    "assassination": {"assassination", "armed_assault"} | _BOMBS,
    "facility/infrastructure attack": {"arson", "bombing", "other"},
    "arson": {"arson"},
}
_UNKNOWN_LABELS = {"unknown", "unk", "none", "n a", "na", ""}


def is_unknown_label(value: str | None) -> bool:
    """True for labels that carry no information ("Unknown", "", None)."""
    return value is None or fold(value) in _UNKNOWN_LABELS


def attack_type_matches(gold: str | None, predicted: str | None, *, dataset_vocabulary: bool = False) -> bool:
    """Equality on the eval taxonomy, or membership in the accepted set for a dataset label."""
    p = canonical_attack_type(predicted)
    if is_unknown_label(gold) or p is None:
        return False
    if dataset_vocabulary:
        accepted = DATASET_ATTACK_TYPES.get(gold.strip().lower())
        if accepted is not None:
            return p in accepted
    return canonical_attack_type(gold) == p


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------


def parse_date(value) -> date | None:
    """A date from an ISO string, a date or a datetime; None when absent or unparsable."""
    if value is None:
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def date_matches(gold, predicted, precision: str | None = "day") -> bool:
    """Dates equal at the label's precision.

    day: same date; week: within WEEK_TOLERANCE_DAYS; month: same year and month (labels
    write month precision as the 1st); year: same year.
    """
    g, p = parse_date(gold), parse_date(predicted)
    if g is None or p is None:
        return False
    if precision == "year":
        return g.year == p.year
    if precision == "month":
        return (g.year, g.month) == (p.year, p.month)
    if precision == "week":
        return abs((g - p).days) <= WEEK_TOLERANCE_DAYS
    return g == p


# ---------------------------------------------------------------------------------------
# Casualty figures
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A casualty figure: the number compared, and how it was qualified (None = unlabelled)."""

    value: int | None
    qualifier: str | None = None


def gold_figure(label) -> Figure | None:
    """Read a label: an int (dev set), {"value", "qualifier"} (our gold set) or None."""
    if label is None:
        return None
    if isinstance(label, dict):
        value = label.get("value")
        return Figure(None if value is None else int(value), label.get("qualifier"))
    return Figure(int(label), None)


def is_positive(figure: Figure | None) -> bool:
    """A figure that states casualties: a number above 0, or a vague quantifier."""
    if figure is None:
        return False
    if figure.value is None:
        return figure.qualifier == "vague"
    return figure.value > 0


def figure_matches(gold: Figure, predicted: Figure | None) -> bool:
    """Is the predicted figure the labelled one?

    - a vague label ("dozens") is matched by any prediction qualified as vague;
    - otherwise the numbers must be equal, except that "more than N" may be stored as N
      or as N+1 (DESIGN.md §4 turns it into the interval [N+1, open)).
    """
    if predicted is None:
        return False
    if gold.value is None:
        return gold.qualifier == "vague" and predicted.qualifier == "vague"
    if predicted.value is None:
        return False
    if predicted.value == gold.value:
        return True
    more_than = "more_than" in (gold.qualifier, predicted.qualifier)
    return more_than and predicted.value == gold.value + 1


def qualified_figure_matches(gold: Figure, predicted: Figure | None) -> bool:
    """Value and qualifier both right."""
    return (
        predicted is not None
        and figure_matches(gold, predicted)
        and gold.qualifier == predicted.qualifier
    )


# ---------------------------------------------------------------------------------------
# Precision / recall / accuracy
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How one labelled row fared on one field.

    gold_present: the label states a value. absent_is_known: when it does not, the label
    means "there is none" (our gold set; a dev-set null only means "not coded", and such a
    row is left out). predicted: the pipeline gave a value. correct: gold present and the
    prediction matches it.
    """

    gold_present: bool
    predicted: bool
    correct: bool
    absent_is_known: bool = True

    @property
    def in_scope(self) -> bool:
        return self.gold_present or self.absent_is_known

    @property
    def hit(self) -> bool:
        """Exact match: the right value, or rightly nothing."""
        if self.gold_present:
            return self.correct
        return not self.predicted


def outcome(gold_present: bool, predicted: bool, correct: bool, absent_is_known: bool = True) -> Outcome:
    """Build an Outcome; `correct` is forced False when there is nothing to be right about."""
    return Outcome(gold_present, predicted, bool(correct and gold_present and predicted), absent_is_known)


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def summarise(outcomes: list[Outcome]) -> dict:
    """Counts and rates over the rows in scope.

    precision = correct / predicted, recall = correct / gold present,
    accuracy = (correct + rightly empty) / rows in scope. A rate with an empty denominator
    is None.
    """
    scoped = [o for o in outcomes if o.in_scope]
    gold = sum(o.gold_present for o in scoped)
    predicted = sum(o.predicted for o in scoped)
    correct = sum(o.correct for o in scoped)
    hits = sum(o.hit for o in scoped)
    return {
        "n": len(scoped),
        "gold": gold,
        "predicted": predicted,
        "correct": correct,
        "precision": _ratio(correct, predicted),
        "recall": _ratio(correct, gold),
        "accuracy": _ratio(hits, len(scoped)),
    }
