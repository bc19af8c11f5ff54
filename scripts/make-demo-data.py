#!/usr/bin/env python3
"""Split examples/signals-sample.jsonl into the demo's per-partner topic files.

The demo produces one Kafka topic per partner type (docs/connectors.md):

  examples/demo/signals.huur.csv       housing corporations, in their CSV export
                                       (header once, then one row per signal; the
                                       demo prepends the header to each row)
  examples/demo/signals.energie.jsonl  energy companies, in their own JSON shape
  examples/demo/signals.{water,zorg,gemeentebelastingen}.jsonl
                                       canonical JSON without signaalpartner.type,
                                       which the topic supplies

The partner shapes are those of examples/mappings/huur-csv.conf and
energie-json.conf; mapping a line back gives the original record, so the
engine decides the demo exactly as it decides the sample.  Records that are
invalid in the sample stay invalid (a bad BSN stays a bad BSN); lines that
are not JSON objects go to the topic named in them, unchanged.

The only difference: the sample's NZE-2024-000004 has bedrag 677.50, refused
by the canonical format (whole euros); the energy format counts cents, so it
arrives as 67750 cents and maps to 678 euros.

Usage: scripts/make-demo-data.py [SAMPLE [OUTDIR]]   (stdlib only, deterministic)
"""
import csv
import io
import json
import os
import re
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HUUR_COLUMNS = [
    "dossiernummer", "verhuurder", "gemeente", "bsn", "postcode", "huisnummer",
    "toevoeging", "geboortedatum", "naam_huurder", "telefoon", "email",
    "achterstand_eur", "achterstand_sinds", "meldingsdatum", "ontruimingsvonnis",
    "warme_overdracht", "aanmaning_verstuurd", "huisbezoek_gedaan",
    "doorverwezen_shv", "toestemming_gegevens",
]

CANONICAL_TOPICS = {"Water": "water", "Zorg": "zorg",
                    "Gemeentebelastingen": "gemeentebelastingen"}

DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def dutch_date(s):
    """YYYY-MM-DD as DD-MM-YYYY; anything else unchanged (stays invalid)."""
    m = DATE.match(s) if isinstance(s, str) else None
    return f"{m[3]}-{m[2]}-{m[1]}" if m else s


def compact_date(s):
    """YYYY-MM-DD as YYYYMMDD; anything else unchanged (stays invalid)."""
    m = DATE.match(s) if isinstance(s, str) else None
    return f"{m[1]}{m[2]}{m[3]}" if m else s


def cents(rec):
    """The amount in cents as a partner would have it: whole euros get a
    deterministic cents part that rounds (half up) back to the same euros."""
    amount = rec["bedrag"]
    if isinstance(amount, float) and amount != int(amount):
        return round(amount * 100)
    amount = int(amount)
    offset = zlib.crc32(rec["ID"].encode()) % 100 - 50 if amount > 0 else 0
    return amount * 100 + offset


def euros_text(c):
    sign = "-" if c < 0 else ""
    return f"{sign}{abs(c) // 100},{abs(c) % 100:02d}"


def yn(v):
    return "" if v is None else ("J" if v else "N")


def huur_row(rec):
    sp, cl, inc = rec.get("signaalpartner", {}), rec.get("client", {}), rec.get("incasso", {})
    return [
        rec["ID"], sp.get("naam", ""), rec["gemeentecode"],
        cl.get("burgerservicenummer", ""), cl.get("postcode", ""),
        str(cl.get("huisnummer", "")), cl.get("huisnummertoevoeging", ""),
        dutch_date(cl.get("geboortedatum", "")), cl.get("naam", ""),
        cl.get("telefoon", ""), cl.get("email", ""),
        euros_text(cents(rec)), dutch_date(rec["ontstaansdatum"]),
        dutch_date(rec["signaaldatum"]), yn(rec.get("crisissignaal")),
        yn(rec.get("warmeOverdracht")), yn(inc.get("herinnering")),
        yn(inc.get("persoonlijkContact")), yn(inc.get("verwijzingShv")),
        yn(inc.get("toestemmingAangeboden")),
    ]


def drop_none(d):
    return {k: (drop_none(v) if isinstance(v, dict) else v)
            for k, v in d.items() if v is not None}


def energie_message(rec):
    sp, cl = rec.get("signaalpartner", {}), rec.get("client", {})
    hn = cl.get("huisnummer")
    adres = {"postcode": cl.get("postcode"),
             "huisnr": int(hn) if isinstance(hn, str) and hn.isdigit() else hn,
             "toevoeging": cl.get("huisnummertoevoeging")}
    msg = {
        "melding": {"kenmerk": rec["ID"], "datum": compact_date(rec["signaaldatum"]),
                    "leverancier": sp.get("naam"), "gemeente": rec["gemeentecode"]},
        "klant": {"bsn": cl.get("burgerservicenummer"), "naam": cl.get("naam"),
                  "geboren": compact_date(cl.get("geboortedatum")),
                  "telefoon": cl.get("telefoon"), "email": cl.get("email"),
                  "adres": adres},
        "schuld": {"bedrag_centen": cents(rec),
                   "sinds": compact_date(rec["ontstaansdatum"])},
        "afsluiting_dreigt": rec.get("crisissignaal"),
        "warme_overdracht": rec.get("warmeOverdracht"),
        "leveringsstop": rec.get("eindelevering"),
    }
    if "incasso" in rec:
        inc = rec["incasso"]
        msg["incasso"] = {"herinnering": inc.get("herinnering"),
                          "persoonlijk_contact": inc.get("persoonlijkContact"),
                          "schuldhulp_genoemd": inc.get("verwijzingShv"),
                          "toestemming_delen": inc.get("toestemmingAangeboden")}
    return json.dumps(drop_none(msg), ensure_ascii=False, separators=(",", ":"))


def partner_of(line, rec):
    if isinstance(rec, dict) and isinstance(rec.get("signaalpartner"), dict):
        return rec["signaalpartner"].get("type")
    for name in ("Energie", "Huur", *CANONICAL_TOPICS):
        if f'"{name}"' in line:
            return name
    return None


def main():
    sample = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "examples/signals-sample.jsonl")
    outdir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "examples/demo")
    os.makedirs(outdir, exist_ok=True)

    huur = io.StringIO()
    writer = csv.writer(huur, delimiter=";", lineterminator="\n")
    writer.writerow(HUUR_COLUMNS)
    out = {"energie": [], **{t: [] for t in CANONICAL_TOPICS.values()}}
    counts = {}

    with open(sample, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            try:
                rec = json.loads(line)
            except ValueError:
                rec = None
            partner = partner_of(line, rec)
            counts[partner] = counts.get(partner, 0) + 1
            is_obj = isinstance(rec, dict)
            if partner in ("Huur", "Energie") and not (is_obj and "ID" in rec):
                sys.exit(f"{sample}:{n}: a {partner} record the partner format cannot hold")
            if partner == "Huur":
                writer.writerow(huur_row(rec))
            elif partner == "Energie":
                out["energie"].append(energie_message(rec))
            elif partner in CANONICAL_TOPICS:
                if is_obj:
                    del rec["signaalpartner"]["type"]
                    line = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
                out[CANONICAL_TOPICS[partner]].append(line)
            else:
                sys.exit(f"{sample}:{n}: no partner type")

    with open(os.path.join(outdir, "signals.huur.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(huur.getvalue())
    for topic, lines in out.items():
        with open(os.path.join(outdir, f"signals.{topic}.jsonl"), "w", encoding="utf-8") as f:
            f.write("".join(l + "\n" for l in lines))
    print(", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=str)), file=sys.stderr)


if __name__ == "__main__":
    main()
