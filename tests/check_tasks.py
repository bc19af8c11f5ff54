#!/usr/bin/env python3
"""check_tasks.py - every task in the given JSONL files against
docs/schema/task.schema.json (python3-jsonschema), and what the schema
cannot say: task_id is case_id + version, one task_id never carries two
bodies, a case's versions count up from 1 without gaps.

usage: check_tasks.py [--min N] [--contact] FILE...   (exit 1 on any failure)
  --min N      at least N tasks in all
  --contact    every task carries a contact block (a delivery, not a replay's file)
  --no-contact no task carries one
"""
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "docs", "schema", "task.schema.json")


def main(argv):
    want_min, contact, files = 1, None, []
    it = iter(argv)
    for a in it:
        if a == "--min":
            want_min = int(next(it))
        elif a == "--contact":
            contact = True
        elif a == "--no-contact":
            contact = False
        else:
            files.append(a)
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    bodies, versions, bad, n = {}, {}, [], 0
    for path in files:
        with open(path) as f:
            for ln, line in enumerate(f, 1):
                n += 1
                where = f"{path}:{ln}"
                try:
                    t = json.loads(line)
                except ValueError as e:
                    bad.append(f"{where}: not JSON: {e}")
                    continue
                for e in v.iter_errors(t):
                    bad.append(f"{where}: {'/'.join(map(str, e.path))}: {e.message}")
                if not isinstance(t, dict) or "task_id" not in t:
                    continue
                if t["task_id"] != f"{t['case_id']}.v{t['version']}":
                    bad.append(f"{where}: task_id {t['task_id']} is not case_id.vVERSION")
                body = line.rstrip("\n")
                if bodies.setdefault(t["task_id"], body) != body:
                    bad.append(f"{where}: task {t['task_id']} with a second, different body")
                versions.setdefault(t["case_id"], set()).add(t["version"])
                if contact is not None and (t.get("contact") is not None) != contact:
                    bad.append(f"{where}: contact block {'missing' if contact else 'present'}")
    for case, vs in versions.items():
        if vs != set(range(1, max(vs) + 1)):
            bad.append(f"case {case}: versions {sorted(vs)} have a gap")
    if n < want_min:
        bad.append(f"{n} tasks, expected at least {want_min}")
    for b in bad[:20]:
        print(b, file=sys.stderr)
    if bad:
        print(f"check_tasks: {len(bad)} problems in {n} tasks", file=sys.stderr)
        return 1
    print(f"check_tasks: {n} tasks, {len(versions)} cases: all valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
