#!/usr/bin/env python3
"""Regenerates input.jsonl: a valid record of exactly 65,536 bytes, then a short one."""
import json
import os

FULL = {"herinnering": True, "persoonlijkContact": True, "verwijzingShv": True,
        "toestemmingAangeboden": True}


def rec(id_, nr, pad=None):
    r = {"ID": id_, "signaalpartner": {"type": "Zorg", "naam": "CZ"}, "gemeentecode": "0344",
         "bedrag": 100, "ontstaansdatum": "2024-01-19", "signaaldatum": "2024-03-04",
         "incasso": dict(FULL), "client": {"postcode": "1013AB", "huisnummer": nr}}
    if pad is not None:
        r["opmerking"] = pad
    return r


def enc(r):
    return json.dumps(r, ensure_ascii=False, separators=(",", ":"))


n = len(enc(rec("L-1", "1", "")).encode())
first = enc(rec("L-1", "1", "x" * (65536 - n)))
assert len(first.encode()) == 65536
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "input.jsonl"), "w", encoding="utf-8") as f:
    f.write(first + "\n" + enc(rec("L-2", "2")) + "\n")
