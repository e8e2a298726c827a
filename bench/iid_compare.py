"""SP 800-90B IID track: NIST's `ea_iid` against `wellspring assess --iid`, same files, same run.

Called by bench/iid.sh. Each tool's time depends on how many shuffles its slowest-decided
statistic needs, a random number that depends on the file; so every file is run several times,
alternating the tools, and both the wall time and the number of shuffles each tool made are
kept (NIST's from its `-v` counts, ours from the JSON counts), with each run's permutation-test
verdict (P/F for NIST then ours); a file whose verdicts differ is kept for a closer look.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

COUNTS = re.compile(r"^\s*[A-Za-z]+(?:\(\d+\))?\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


def run(cmd):
    start = time.monotonic()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.monotonic() - start, out


def nist_passed(text):
    return "Passed IID permutation tests" in text


def our_passed(text):
    return json.loads(text)["iid"]["permutation_passed"]


def nist_shuffles(text):
    return max(sum(map(int, m.groups())) for m in map(COUNTS.match, text.splitlines()) if m)


def our_shuffles(text):
    return max(sum(s["counts"]) for s in json.loads(text)["iid"]["permutation"])


def main():
    ea, ws, files, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    widths = [int(b) for b in sys.argv[5].split()] if len(sys.argv) > 5 else [8, 4, 1]
    kept = os.path.join(tempfile.gettempdir(), "wellspring-iid-disagreements")
    print(f"{os.cpu_count()} cores; {runs} runs per file, tools alternating")
    print(f"{'bits':<5}{'file':<5}{'ea_iid s':>9}{'shuffles':>9}{'ours s':>9}{'shuffles':>9}"
          f"{'time ratio':>11}{'per shuffle':>12}  verdicts (NIST/ours, permutation tests)")
    totals = {}
    with tempfile.TemporaryDirectory() as work:
        for bits in widths:
            for f in range(1, files + 1):
                path = os.path.join(work, f"u{bits}_{f}.bin")
                with open(path, "wb") as fh:
                    fh.write(bytes(x & ((1 << bits) - 1) for x in os.urandom(1_000_000)))
                nt, ns, bt, os_, ot, verdicts = [], [], [], [], [], []
                for _ in range(runs):
                    t, out = run([ea, "-v", "-a", path, str(bits)])
                    nt.append(t)
                    ns.append(nist_shuffles(out))
                    nist_verdict = nist_passed(out)
                    t, out = run([ws, "assess", path, "--bits-per-sample", str(bits), "--iid", "--json"])
                    bt.append(t)
                    os_.append(our_shuffles(out))
                    verdicts.append("PF"[not nist_verdict] + "PF"[not our_passed(out)])
                    t, _ = run([ws, "assess", path, "--bits-per-sample", str(bits), "--json"])
                    ot.append(t)
                nist = sum(nt) / runs
                ours = sum(bt) / runs - sum(ot) / runs  # the IID track alone
                n_sh, o_sh = sum(ns) / runs, sum(os_) / runs
                per = (nist / n_sh) / (ours / o_sh)
                totals.setdefault(bits, []).append((nist, ours))
                print(f"{bits:<5}{f:<5}{nist:>9.2f}{n_sh:>9.0f}{ours:>9.2f}{o_sh:>9.0f}"
                      f"{nist / ours:>10.1f}x{per:>11.1f}x  {' '.join(verdicts)}", flush=True)
                if len(set(verdicts)) > 1:
                    # A verdict that differs between tools or runs: keep the file to look at.
                    os.makedirs(kept, exist_ok=True)
                    with open(path, "rb") as src, open(os.path.join(kept, os.path.basename(path)), "wb") as dst:
                        dst.write(src.read())
                    print(f"     kept {os.path.join(kept, os.path.basename(path))}", flush=True)
    for bits, rows in totals.items():
        n, o = sum(r[0] for r in rows), sum(r[1] for r in rows)
        print(f"{bits}-bit, all files: ea_iid {n:.2f} s, ours {o:.2f} s: {n / o:.1f}x")


if __name__ == "__main__":
    main()
