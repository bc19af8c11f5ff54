#!/usr/bin/env python3
"""households.py N SEED OUTDIR CHUNK: N households, each with a Huur, an
Energie, a Zorg and a Water signal in the same week (one case with four
partners is right), written as OUTDIR/NNNN.<partner>.jsonl in chunks of
CHUNK households, to be produced one chunk at a time (tests/kafka/scale.sh).
Every tenth household's Huur signal is a crisis signal (an eviction): its
case goes to the team at once as a task."""
import os
import random
import sys


def bsn(rng):
    while True:
        d = [rng.randrange(10) for _ in range(8)]
        if d[0] == 0:
            continue
        s = sum(x * w for x, w in zip(d, range(9, 1, -1)))
        last = s % 11
        if last < 10:
            return "".join(map(str, d)) + str(last)


def main():
    n, seed, out, chunk = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    partners = [("Huur", "huur", "WS"), ("Energie", "energie", "EN"),
                ("Zorg", "zorg", "ZV"), ("Water", "water", "WB")]
    files = {}
    for h in range(n):
        c = h // chunk
        if h % chunk == 0:
            for f in files.values():
                f.close()
            files = {p[1]: open(os.path.join(out, "%04d.%s.jsonl" % (c, p[1])), "w")
                     for p in partners}
        client = ('"client":{"burgerservicenummer":"%s","postcode":"%04d%s","huisnummer":"%d",'
                  '"naam":"H. %05d","telefoon":"06%08d"}'
                  % (bsn(rng), 1000 + h % 9000, "AB" if h < 9000 else "CD", 1 + h % 97, h,
                     rng.randrange(10**8)))
        day = 16 + rng.randrange(5)
        for ptype, slug, pre in partners:
            files[slug].write(
                '{"ID":"%s-%06d","signaalpartner":{"type":"%s"},"gemeentecode":"0344",'
                '"bedrag":%d,"ontstaansdatum":"2024-10-01","signaaldatum":"2024-12-%02d",'
                '"crisissignaal":%s,"warmeOverdracht":false,"incasso":{"herinnering":true,'
                '"persoonlijkContact":true,"verwijzingShv":true,"toestemmingAangeboden":true},'
                '%s}\n' % (pre, h, ptype, 150 + rng.randrange(900), day,
                           "true" if slug == "huur" and h % 10 == 0 else "false", client))
    for f in files.values():
        f.close()


main()
