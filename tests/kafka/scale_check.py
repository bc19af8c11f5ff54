#!/usr/bin/env python3
"""scale_check.py N REF_DIR DIR: the checks of tests/kafka/scale.sh on one run.

DIR holds the run's decision files (dec.*.jsonl), the decisions of a
re-replay of its input onto its store (check.jsonl) and that replay's cases
(cases.jsonl, every case in the store), the tasks its file sinks received
(tasks.*.jsonl) and `vroeg queue` at the end (queue.txt, queue.err).  REF_DIR the same of the single
instance, or "-" for the single instance itself.  N households, 4 signals
each.  Prints one line of figures; exits 1 naming the first failure."""
import glob
import json
import os
import re
import sys


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def killed_file(d):
    """The decision file of the instance killed with -9 in DIR, or None."""
    if not os.path.exists(os.path.join(d, "killed")):
        return None
    with open(os.path.join(d, "killed")) as fh:
        return os.path.join(d, "dec.%s.jsonl" % fh.read().strip())


def decisions(d):
    """signal -> (status, case_id), the status it got when first decided, and
    how many decisions were redeliveries the engine recognised.

    An instance killed with -9 (named in DIR/killed) may have written a
    batch's decision lines and died before its state was stored: the
    batch's next owner decides those signals again, to the same lines.
    Such a line, the same in the killed instance's file and another's, is
    one decision."""
    first, seen, redelivered, lines = {}, {}, 0, {}
    killed = killed_file(d)
    again = 0
    for f in sorted(glob.glob(os.path.join(d, "dec.*.jsonl"))):
        with open(f) as fh:
            for line in fh:
                r = json.loads(line)
                pos = r["source"]
                sig = (r.get("partner_org"), r.get("signal_id"))
                if r["status"] == "duplicate":
                    redelivered += 1
                    seen.setdefault(pos, sig)
                    continue
                if pos in seen and seen[pos] != sig:
                    fail("%s: position %s decided as two signals" % (d, pos))
                seen[pos] = sig
                if sig in first:
                    if line == lines[sig][0] and killed in (f, lines[sig][1]):
                        again += 1
                        continue
                    fail("%s: signal %s decided twice, not recognised as redelivered "
                         "(%s, then %s)" % (d, sig, first[sig][0], r["status"]))
                first[sig] = (r["status"], r.get("case_id"))
                lines[sig] = (line, f)
    if again:
        print("%s: %d decisions of the killed instance not stored before it died, decided "
              "again to the same lines" % (os.path.basename(d), again))
    return first, len(seen), redelivered


def cases(d):
    out = {}
    with open(os.path.join(d, "cases.jsonl")) as fh:
        for line in fh:
            c = json.loads(line)
            out[c["case_id"]] = c
    return out


def main():
    n, ref, d = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    first, positions, redelivered = decisions(d)
    if positions != 4 * n:
        fail("%s: %d positions decided, expected %d" % (d, positions, 4 * n))
    if len(first) != 4 * n:
        fail("%s: %d signals decided, expected %d" % (d, len(first), 4 * n))
    # Re-replaying the input onto the store: every record a redelivery.
    with open(os.path.join(d, "check.jsonl")) as fh:
        check = [json.loads(line) for line in fh]
    if len(check) != 4 * n:
        fail("%s: the re-replay decided %d records, expected %d" % (d, len(check), 4 * n))
    other = [r for r in check if r["status"] != "duplicate"]
    if other:
        fail("%s: the re-replay decided %d records anew (first: %s %s): the store lost "
             "their redelivery marks" % (d, len(other), other[0]["signal_id"],
                                         other[0]["status"]))
    cs = cases(d)
    per_household = {}
    for c in cs.values():
        per_household.setdefault(c["household"], []).append(c)
    two = [h for h, l in per_household.items() if len(l) > 1]
    if two:
        fail("%s: %d households have two cases in one matching period" % (d, len(two)))
    if len(cs) != n:
        fail("%s: %d cases in the store, expected %d" % (d, len(cs), n))
    short = [c for c in cs.values() if c["partner_count"] != 4 or len(c["signals"]) != 4]
    if short:
        fail("%s: %d cases without all four partners' signals (first: %s with %d)"
             % (d, len(short), short[0]["case_id"], short[0]["partner_count"]))
    # Every signal's decision names a case the store holds, and the case
    # lists it.
    for sig, (status, cid) in first.items():
        if status == "opgepakt" and cid not in cs:
            fail("%s: signal %s was picked up into case %s, which the store does not hold"
                 % (d, sig, cid))
    if ref != "-":
        rfirst, _, _ = decisions(ref)
        rcs = cases(ref)
        diff = [s for s in rfirst if rfirst[s][0] != first.get(s, (None,))[0]]
        if diff:
            fail("%s: %d signals got another status than with one instance (first: %s: "
                 "%s, one instance %s)" % (d, len(diff), diff[0], first.get(diff[0]),
                                           rfirst[diff[0]]))
        def shape(c):
            return (c["household"], c["case_id"], c["partner_count"], c["priority"],
                    c["score"], c["due"], sorted(c["partners"]))
        a = sorted(shape(c) for c in cs.values())
        b = sorted(shape(c) for c in rcs.values())
        if a != b:
            bad = next((x, y) for x, y in zip(a, b) if x != y)
            fail("%s: the cases differ from one instance's (first: %s against %s)"
                 % (d, bad[0], bad[1]))
    # Dispatch: one team queue, every crisis case out to the team at once
    # as a task, never two bodies under one task_id.
    crisis = {c["case_id"] for c in cs.values() if c["priority"] == "crisis"}
    killed = killed_file(d)
    if len(crisis) != n // 10:
        fail("%s: %d crisis cases, expected %d" % (d, len(crisis), n // 10))
    bodies, tasks = {}, 0
    for f in sorted(glob.glob(os.path.join(d, "tasks.*.jsonl"))):
        with open(f) as fh:
            for line in fh:
                if not line.endswith("\n") and killed == f.replace("tasks.", "dec."):
                    continue  # cut short by kill -9
                t = json.loads(line)
                tasks += 1
                if bodies.setdefault(t["task_id"], line) != line:
                    fail("%s: task %s delivered with two bodies" % (d, t["task_id"]))
    # Each version of a case's task lists one signal more than the one
    # before: a case change applied twice would make a version too many.
    versions = {}
    for b in bodies.values():
        t = json.loads(b)
        versions.setdefault(t["case_id"], []).append((t["version"], len(t["signals"])))
    for cid, v in versions.items():
        v.sort()
        if [x[0] for x in v] != list(range(1, len(v) + 1)) or \
                any(b[1] <= a[1] for a, b in zip(v, v[1:])):
            fail("%s: case %s has task versions %s (version, signals): not one per new "
                 "signal" % (d, cid, v))
    sent = set(versions)
    if sent != crisis:
        fail("%s: tasks for %d cases, %d crisis cases; first differing: %s"
             % (d, len(sent), len(crisis), sorted(sent ^ crisis)[:1]))
    with open(os.path.join(d, "queue.err")) as fh:
        err = fh.read()
    want = "%d cases queued in 1 team(s)" % (n - n // 10)
    if want not in err:
        fail("%s: vroeg queue says %r, expected %r" % (d, err.strip(), want))
    if ref != "-":
        # The partners column lists them as they arrived, which live
        # production interleaves differently each run: compared as a set.
        part = re.compile(r"\b(?:Huur|Energie|Zorg|Water)(?:,(?:Huur|Energie|Zorg|Water))+\b")

        def queue(f):
            with open(f) as fh:
                return part.sub(lambda m: ",".join(sorted(m.group(0).split(","))), fh.read())
        qa, qb = queue(os.path.join(d, "queue.txt")), queue(os.path.join(ref, "queue.txt"))
        if qa != qb:
            diff = next(i for i, (x, y) in enumerate(zip(qa.splitlines(), qb.splitlines()))
                        if x != y)
            fail("%s: the team queue differs from one instance's at line %d:\n%s\n%s"
                 % (d, diff + 1, qa.splitlines()[diff], qb.splitlines()[diff]))
    statuses = {}
    for status, _ in first.values():
        statuses[status] = statuses.get(status, 0) + 1
    print("%s: %d signals, %d cases, %d redelivered and recognised, statuses %s; %d tasks "
          "(%d task ids) for %d crisis cases, %d cases queued"
          % (os.path.basename(d), len(first), len(cs), redelivered,
             ",".join("%s=%d" % kv for kv in sorted(statuses.items())), tasks, len(bodies),
             len(crisis), n - n // 10))


main()
