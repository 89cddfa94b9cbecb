"""Each country's IBAN: its length and the shape of its BBAN, as the SWIFT IBAN registry gives them (data).

An IBAN is the country code, two check digits and the BBAN. The shape is written as the registry writes it:
`4!a10!n` is four letters then ten digits (`n` digits, `a` letters, `c` letters or digits). cxreport tells an
IBAN from another number by this shape alone: the check digits need not hold (FORMAT.md, Comments), since a
customer who mistypes one digit of their IBAN still wrote their bank account.
"""

from __future__ import annotations

import re

# country, IBAN length, BBAN shape
_REGISTRY = """
AD 24 4!n4!n12!c
AE 23 3!n16!n
AL 28 8!n16!c
AT 20 5!n11!n
AZ 28 4!a20!c
BA 20 3!n3!n8!n2!n
BE 16 3!n7!n2!n
BG 22 4!a4!n2!n8!c
BH 22 4!a14!c
BR 29 8!n5!n10!n1!a1!c
BY 28 4!c4!n16!c
CH 21 5!n12!c
CR 22 4!n14!n
CY 28 3!n5!n16!c
CZ 24 4!n6!n10!n
DE 22 8!n10!n
DK 18 4!n9!n1!n
DO 28 4!c20!n
EE 20 2!n2!n11!n1!n
EG 29 4!n4!n17!n
ES 24 4!n4!n1!n1!n10!n
FI 18 3!n11!n
FO 18 4!n9!n1!n
FR 27 5!n5!n11!c2!n
GB 22 4!a6!n8!n
GE 22 2!a16!n
GI 23 4!a15!c
GL 18 4!n9!n1!n
GR 27 3!n4!n16!c
GT 28 4!c20!c
HR 21 7!n10!n
HU 28 3!n4!n1!n15!n1!n
IE 22 4!a6!n8!n
IL 23 3!n3!n13!n
IQ 23 4!a3!n12!n
IS 26 4!n2!n6!n10!n
IT 27 1!a5!n5!n12!c
JO 30 4!a4!n18!c
KW 30 4!a22!c
KZ 20 3!n13!c
LB 28 4!n20!c
LC 32 4!a24!c
LI 21 5!n12!c
LT 20 5!n11!n
LU 20 3!n13!c
LV 21 4!a13!c
MC 27 5!n5!n11!c2!n
MD 24 2!c18!c
ME 22 3!n13!n2!n
MK 19 3!n10!c2!n
MR 27 5!n5!n11!n2!n
MT 31 4!a5!n18!c
MU 30 4!a2!n2!n12!n3!n3!a
NL 18 4!a10!n
NO 15 4!n6!n1!n
PK 24 4!a16!c
PL 28 8!n16!n
PS 29 4!a21!c
PT 25 4!n4!n11!n2!n
QA 29 4!a21!c
RO 24 4!a16!c
RS 22 3!n13!n2!n
SA 24 2!n18!c
SC 31 4!a2!n2!n16!n3!a
SE 24 3!n16!n1!n
SI 19 5!n8!n2!n
SK 24 4!n6!n10!n
SM 27 1!a5!n5!n12!c
ST 25 8!n11!n2!n
SV 28 4!a20!n
TL 23 3!n14!n2!n
TN 24 2!n3!n13!n2!n
TR 26 5!n1!n16!c
UA 29 6!n19!c
VA 22 3!n15!n
VG 24 4!a16!n
XK 20 4!n10!n2!n
"""

_PART = re.compile(r"(\d+)!([nac])")
_CLASS = {"n": "[0-9]", "a": "[A-Za-z]", "c": "[A-Za-z0-9]"}


def formats() -> dict[str, tuple[int, str]]:
    """Give country -> (IBAN length, BBAN shape) for every country of the registry."""
    out = {}
    for line in _REGISTRY.strip().splitlines():
        country, length, shape = line.split()
        out[country] = (int(length), shape)
    return out


def bban_classes(shape: str) -> list[str]:
    """Give one character class per character of a BBAN shape ('2!n1!a' -> two digit classes and a letter class)."""
    return [_CLASS[kind] for count, kind in _PART.findall(shape) for _ in range(int(count))]


def iban_pattern() -> str:
    """Give an RE2 pattern of every country's IBAN, any case, with or without a space between its characters.

    Written as people write an IBAN: `NL91 ABNA 0417 1643 00`, `NL91ABNA0417164300`, `nl91abna0417164300`; a
    space may stand between any two characters (groups of four, or the check digits apart).
    """
    options = []
    for country, (_, shape) in sorted(formats().items()):
        chars = [f"[{country[0]}{country[0].lower()}]", f" ?[{country[1]}{country[1].lower()}]", " ?[0-9]", " ?[0-9]"]
        chars += [" ?" + c for c in bban_classes(shape)]
        options.append("".join(chars))
    return r"\b(?:" + "|".join(options) + r")\b"
