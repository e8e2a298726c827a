#!/usr/bin/env python3
"""Renders docs/SOURCES.md's table from `wellspring scan --json` and
`wellspring bench --sources all --json` (run both first, see the docs)."""
import json
import sys

scan = {s["name"]: s for s in json.load(open(sys.argv[1]))["sources"]}
bench = json.load(open(sys.argv[2]))
measured = {s["name"]: s for s in bench["sources"]}
order = ["timing", "system", "network", "hardware", "silicon", "cross_domain", "novel", "platform"]
print("| source | category | speed | samples/s | Shannon (bits/byte) | min-entropy (bits/sample, SP 800-90B) | grade | physics |")
print("|---|---|---|---|---|---|---|---|")
for cat in order:
    for name, s in scan.items():
        if s["category"] != cat:
            continue
        physics = " ".join(s["description"].split())
        m = measured.get(name)
        if m and not m.get("error"):
            figures = f'{m["samples_per_second"]:,.0f} | {m["shannon"]:.2f} | {m["min_entropy"]:.2f} | {m["grade"]}'
        else:
            figures = f'— | — | — | unavailable: {s["reason"]}' if not s["available"] else "— | — | — | error"
        print(f'| `{name}` | {cat} | {s["speed"]} | {figures} | {physics} |')
print()
print("Largest pairwise Pearson correlations of the sample streams (collected concurrently):")
print()
for c in bench["correlations"][:5]:
    print(f'- `{c["a"]}` ~ `{c["b"]}`: r = {c["r"]:+.3f}')
