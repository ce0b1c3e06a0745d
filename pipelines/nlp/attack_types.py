"""Attack types: one documented taxonomy, aligned with ACLED sub-event types and GTD attack types.

| code            | ACLED sub-event type               | GTD attack type                 |
|-----------------|------------------------------------|---------------------------------|
| suicide_bombing | Suicide bomb                       | Bombing/Explosion (suicide=1)   |
| car_bomb        | Remote explosive/landmine/IED (VBIED) | Bombing/Explosion            |
| ied             | Remote explosive/landmine/IED      | Bombing/Explosion               |
| air_strike      | Air/drone strike                   | (none: conflict event)          |
| shelling        | Shelling/artillery/missile attack  | (none: conflict event)          |
| bombing         | (explosion, device unspecified)    | Bombing/Explosion               |
| kidnapping      | Abduction/forced disappearance     | Hostage Taking (Kidnapping)     |
| assassination   | Attack (targeted)                  | Assassination                   |
| armed_assault   | Attack / Armed clash               | Armed Assault                   |
| arson           | Looting/property destruction       | Facility/Infrastructure Attack  |
| other           | (any other violent event)          | Unknown / Unarmed Assault       |

The first rule (most specific) that matches a text wins.
"""

from __future__ import annotations

import re

# Codes, most specific first: an event described by several sentences takes the first of
# theirs ("gunmen stormed the school" + "abducted 27 students" -> kidnapping, as GTD codes
# the primary aim; "bombs" + "warplanes" -> air_strike).
ATTACK_TYPES = (
    "suicide_bombing", "car_bomb", "ied", "air_strike", "shelling", "bombing",
    "kidnapping", "assassination", "armed_assault", "arson", "other",
)

_RULES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (code, re.compile(pattern, re.IGNORECASE))
    for code, pattern in (
        ("suicide_bombing", r"\bsuicide[- ](?:bomb\w*|attack\w*|blast\w*|car bomb\w*|vest|truck|attacker\w*)|\bself-detonat\w*|\bblew (?:himself|herself|themselves) up|\bexplosives?[- ]laden vests?"),
        ("car_bomb", r"\bcar[- ]bomb\w*|\bvehicle[- ]borne\b|\bvbied\w*|\btruck[- ]bomb\w*|\bbooby[- ]trapped (?:car|vehicle|truck)"
                     r"|\bexplosives?[- ]laden (?:car|vehicle|truck|tanker|lorry|motorcycle)|\bbomb[- ]laden (?:car|vehicle|truck|tanker|motorcycle)"
                     r"|\b(?:motorcycle|motorbike|bicycle|rickshaw) bomb\w*|\bbomb (?:hidden|planted|placed|fitted) (?:in|on|inside|under) an? (?:parked )?(?:car|vehicle|truck|motorcycle|motorbike|van|bus)\b"
                     r"|\b(?:car|truck|tanker|lorry|vehicle|van) (?:rigged|packed|laden|loaded) with explosives"),
        ("ied", r"\bimprovised explosive\b|\bieds?\b|\broadside bomb\w*|\blandmines?\b|\bmagnetic bomb|\bsticky bomb|\bremote[- ]controlled (?:bomb|device|explosive)|\bbooby[- ]trap\w*|\bplanted bomb|\bexplosive device"
                r"|\b(?:homemade|home-made|pipe|parcel|package|letter|nail) bombs?\b"
                r"|\bbombs?\b,?[^.;]{0,40}?\b(?:hidden|planted|placed|left|concealed) (?:in|on|at|inside|under|near)\b"),
        ("air_strike", r"\bair[- ]?strikes?\b|\bairstrikes?\b|\bair raids?\b|\bdrone (?:strike|attack)s?\b|\bwarplanes?\b|\bbombed from the air|\bhelicopter gunships?\b|\bbarrel bombs?\b"
                       r"|\b(?:military |fighter |war)?jets? (?:bombed|struck|strafed|hit)\b|\b(?:guided|glide|gliding|aerial) bombs?\b|\bbombers? (?:struck|bombed)\b"),
        ("shelling", r"\bshell(?:ing|ed|s)\b|\bmortars?\b|\bartillery\b|\brockets?\b(?!-propelled)|\bmissiles?\b"),
        # a thrown bomb or a hand grenade (GTD: Explosives/Grenade -> Bombing/Explosion)
        ("bombing", r"\bbomb(?:s|ing|ings|ed|er|ers)?\b|\bblasts?\b|\bexplosions?\b|\bexploded\b|\bdetonat\w*|(?<!propelled )\bgrenades?\b"),
        ("kidnapping", r"\bkidnap\w*|\babduct\w*|\btaken hostage\b|\bhostages?\b"),
        ("assassination", r"\bassassinat\w*"),
        ("armed_assault", r"\bgunm[ae]n\b|\bopened fire\b|\bfired (?:shots |several shots |gunshots )?(?:on|at|into|upon)\b|\bbehead\w*|\bshootings?\b|\bshot\b|\bgunfire\b|\bgun attack\b|\bstormed\b|\bassault\w*|\bambush\w*|\braid(?:ed)?\b|\bstabb\w*|\bknife\b|\baxes?\b|\bmachetes?\b|\barmed men\b|\bclash\w*|\battacked\b"
                          r"|\bover(?:ran|run)\b|\battack on (?:a|an|the)\b|\brifles?\b"),
        ("arson", r"\bset (?:on )?fire\b|\btorched\b|\barson\b|\bburned down\b"),
    )
)

_COUNT_WORDS = {"two": 2, "twin": 2, "double": 2, "three": 3, "triple": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6,
                "7": 7, "8": 8, "9": 9, "10": 10}
_N_ATTACKS = re.compile(
    r"\b(?P<n>two|twin|double|three|triple|four|five|six|seven|eight|nine|ten|[2-9]|10)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:blasts|explosions|bombs|bombings|attacks|car bombs|suicide bombers|bombers|suicide attacks|suicide bombings|blast|attack|bombing|explosion)\b",
    re.IGNORECASE,
)


def classify_attack(text: str) -> str | None:
    """The attack-type code for a passage, or None when it names no attack."""
    for code, pattern in _RULES:
        if pattern.search(text):
            return code
    return None


def count_attacks(text: str) -> int | None:
    """How many blasts/attacks a passage says there were ("four blasts" -> 4, "twin bombing" -> 2)."""
    counts = [_COUNT_WORDS[m.group("n").lower()] for m in _N_ATTACKS.finditer(text)]
    return max(counts) if counts else None
