#!/usr/bin/env python3
"""Regenerates input.jsonl of the malformed corpus (python3 gen.py).

Each entry of LINES is one input line: a valid record, one malformation of
the base record, raw bytes, or a blank line.  The comment after each line
names the malformation and the reject code docs/formats.md gives it.
"""
import json
import os

FULL = {"herinnering": True, "persoonlijkContact": True, "verwijzingShv": True,
        "toestemmingAangeboden": True}


def base(id_, **client):
    """A valid record; client defaults to a BSN-only client."""
    return {"ID": id_,
            "signaalpartner": {"type": "Huur", "naam": "Woonstichting De Linie"},
            "gemeentecode": "0344", "bedrag": 500,
            "ontstaansdatum": "2024-02-01", "signaaldatum": "2024-03-04",
            "incasso": dict(FULL),
            "client": client or {"burgerservicenummer": "111222333"}}


def enc(r):
    return json.dumps(r, ensure_ascii=False, separators=(",", ":"))


def without(r, *path):
    d = r
    for k in path[:-1]:
        d = d[k]
    del d[path[-1]]
    return r


def with_(r, value, *path):
    d = r
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value
    return r


def addr(**kw):
    c = {"postcode": "3511AB", "huisnummer": "12"}
    c.update(kw)
    return c


LINES = [
    base("V-1"),                                                     # valid
    enc(base("M-02"))[:44],                                          # json: truncated
    enc(base("M-03")) + " x",                                        # json: trailing garbage
    "{'ID':'M-04','bedrag':500}",                                    # json: single quotes
    "[" + enc(base("M-05")) + "]",                                   # not_object: array
    "42",                                                            # not_object: number
    '"M-07"',                                                        # not_object: string
    without(base("M-08"), "ID"),                                     # id: missing
    with_(base("M-09"), "", "ID"),                                   # id: empty
    with_(base("M-10"), "M-10-" + "x" * 60, "ID"),                   # id: 65 chars
    with_(base("M-11"), 11, "ID"),                                   # id: number
    without(base("M-12"), "signaalpartner"),                         # partner: missing
    with_(base("M-13"), "Huur", "signaalpartner"),                   # partner: not an object
    without(base("M-14"), "signaalpartner", "type"),                 # partner: type missing
    with_(base("M-15"), "Telecom", "signaalpartner", "type"),        # partner_type: unknown
    with_(base("M-16"), "", "signaalpartner", "naam"),               # empty naam: absent, accepted
    with_(base("M-17"), "W" * 101, "signaalpartner", "naam"),        # partner_org: 101 chars
    without(base("M-18"), "gemeentecode"),                           # gemeentecode: missing
    with_(base("M-19"), "344", "gemeentecode"),                      # gemeentecode: 3 digits
    with_(base("M-20"), 344, "gemeentecode"),                        # gemeentecode: number
    without(base("M-21"), "bedrag"),                                 # bedrag: missing
    with_(base("M-22"), -5, "bedrag"),                               # bedrag: negative
    with_(base("M-23"), 12.5, "bedrag"),                             # bedrag: not whole
    with_(base("M-24"), "100", "bedrag"),                            # bedrag: string
    with_(base("M-25"), 2000000, "bedrag"),                          # bedrag: over 1,000,000
    base("V-2", **addr()),                                           # valid
    without(base("M-27"), "ontstaansdatum"),                         # date: ontstaansdatum missing
    without(base("M-28"), "signaaldatum"),                           # date: signaaldatum missing
    with_(base("M-29"), "2023-02-29", "ontstaansdatum"),             # date: not a leap year
    with_(base("M-30"), "2024-13-01", "signaaldatum"),               # date: month 13
    with_(base("M-31"), "15-01-2024", "signaaldatum"),               # date: DD-MM-YYYY
    with_(base("M-32"), "1899-12-31", "ontstaansdatum"),             # date: before 1900
    with_(base("M-33"), "2024-03-10", "ontstaansdatum"),             # date_order: ontstaans > signaal
    base("M-34", burgerservicenummer="111222333", geboortedatum="2024-05-01"),  # date_order: born after signal
    base("M-35", burgerservicenummer="111222333", geboortedatum="1980-02-30"),  # date: bad geboortedatum
    with_(base("M-36"), "ja", "crisissignaal"),                      # flag: crisissignaal string
    with_(base("M-37"), "nee", "warmeOverdracht"),                   # flag: warmeOverdracht string
    with_(base("M-38"), 1, "eindelevering"),                         # flag: eindelevering number
    with_(base("M-39"), [True, True, True, True], "incasso"),        # incasso: array
    with_(base("M-40"), "yes", "incasso", "herinnering"),            # incasso: step not boolean
    without(base("M-41"), "client"),                                 # identity: no client
    base("M-42", naam="J. Jansen"),                                  # identity: neither BSN nor address
    base("M-43", postcode="3511AB"),                                 # identity: postcode without huisnummer
    base("M-44", burgerservicenummer="11122233"),                    # bsn: 8 digits
    base("M-45", burgerservicenummer="111222334"),                   # bsn: fails 11-proef
    base("M-46", burgerservicenummer=111222333),                     # bsn: number
    base("M-47", **addr(postcode="0123AB")),                         # postcode: leading 0
    base("M-48", **addr(postcode="1234A")),                          # postcode: one letter
    base("M-49", **addr(postcode="ABCD12")),                         # postcode: letters first
    base("M-50", **addr(huisnummer=0)),                              # huisnummer: 0
    base("M-51", **addr(huisnummer="12a")),                          # huisnummer: letter in it
    base("M-52", **addr(huisnummer=100000)),                         # huisnummer: over 99999
    base("M-53", **addr(huisnummertoevoeging="ABCDE")),              # huisnummer: toevoeging 5 chars
    base("M-54", burgerservicenummer="111222333", telefoon="06" + "1" * 31),  # contact: telefoon 33 chars
    base("M-55", burgerservicenummer="111222333", email=12345),      # contact: email not a string
    with_(base("M-56"), "huur", "signaalpartner", "type"),           # partner_type: wrong case
    "null",                                                          # not_object: null
    "{}",                                                            # id: empty object
    # not_utf8: a lone 0xff byte inside the naam string
    enc(with_(base("M-59"), "Woonstichting @", "signaalpartner", "naam")).encode().replace(b"@", b"\xff"),
    # too_long: a valid record padded with an unknown field to 65,537 bytes
    "PAD",
    "",                                                              # blank line: not a record
    base("V-3", burgerservicenummer="123456782"),                    # valid
]
# V-2 and V-3 are other households than V-1; V-3 is another organisation too.
LINES[-1]["signaalpartner"] = {"type": "Zorg", "naam": "CZ"}


def padded(total):
    r = base("M-60")
    r["opmerking"] = ""
    n = len(enc(r).encode())
    r["opmerking"] = "x" * (total - n)
    line = enc(r).encode()
    assert len(line) == total
    return line


here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "input.jsonl"), "wb") as f:
    for item in LINES:
        if isinstance(item, dict):
            item = enc(item)
        if item == "PAD":
            item = padded(65537)
        if isinstance(item, str):
            item = item.encode()
        f.write(item + b"\n")
