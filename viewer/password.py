"""PDF passwords as the standard wants them checked: SASLprep (RFC 4013) for AES-256 files.

ISO 32000-2 §7.6.4.3.3 (revision 6, AES-256) has a password processed with the SASLprep profile
of stringprep (RFC 3454) before it is encoded as UTF-8 and checked: so "ﬁle" typed with the
ligature, or a password with a no-break space, opens a file encrypted with "file" or "pass word"
by software that follows the standard. MuPDF checks the bytes it is given as they are.
"""

from __future__ import annotations

import stringprep
import unicodedata

# RFC 4013 §2.3: characters a prepared string must not contain (C.1.2 is mapped to SPACE
# first, so cannot occur; A.1, unassigned code points, are allowed in a query).
_PROHIBITED = (
    stringprep.in_table_c12,
    stringprep.in_table_c21_c22,
    stringprep.in_table_c3,
    stringprep.in_table_c4,
    stringprep.in_table_c5,
    stringprep.in_table_c6,
    stringprep.in_table_c7,
    stringprep.in_table_c8,
    stringprep.in_table_c9,
)


def saslprep(text: str) -> str:
    """The SASLprep form of `text` (RFC 4013, as a query); ValueError if it cannot have one."""
    # §2.1 map: non-ASCII spaces (C.1.2) to SPACE, "commonly mapped to nothing" (B.1) removed
    mapped = "".join(
        " " if stringprep.in_table_c12(c) else c for c in text if not stringprep.in_table_b1(c)
    )
    # §2.2 normalise: NFKC of Unicode 3.2, the version stringprep's tables are made from
    prepared = unicodedata.ucd_3_2_0.normalize("NFKC", mapped)
    for c in prepared:
        if any(prohibited(c) for prohibited in _PROHIBITED):
            raise ValueError(f"SASLprep: prohibited character U+{ord(c):04X}")
    # RFC 3454 §6 bidirectional text: with any RandALCat character, no LCat character, and
    # the first and the last are RandALCat.
    right_to_left = [stringprep.in_table_d1(c) for c in prepared]
    if any(right_to_left) and (
        any(stringprep.in_table_d2(c) for c in prepared)
        or not (right_to_left[0] and right_to_left[-1])
    ):
        raise ValueError("SASLprep: mixed-direction text")
    return prepared


def candidates(password: str) -> list[str]:
    """The forms of a typed password to try, the standard's first: its SASLprep form, then as
    typed (for files encrypted by software that skipped SASLprep, MuPDF among them)."""
    try:
        prepared = saslprep(password)
    except ValueError:
        return [password]
    return [prepared] if prepared == password else [prepared, password]
