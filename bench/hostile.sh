#!/usr/bin/env bash
# Each attack of the security review, replayed against a release `wellspring server` on
# loopback: a normal client's p99 latency and the server's RSS while the attack runs, against
# the same client's p99 alone in the same run.
#
# The normal client is wrk (-t2 -c16, --latency) from 127.0.0.1 on
# /api/v1/random?length=32&type=uint8 (on the admin port's /metrics for the event-stream
# attack). Every attack comes from 127.0.0.2 (bench/hostile_clients.py binds its sockets
# there), so the server's per-client cap (64) tells the two apart:
#
#   idle-slowloris  2,000 idle keep-alive + 400 slowloris connections (a header line a second)
#   half-head       512 connections that send half a request head and nothing more
#   slow-read       200 connections, SO_RCVBUF 4096, asking for the largest answer
#                   (hex16 1024 x 1024: 1 MiB random, ~2.1 MB of JSON) and never reading
#   events          80 `GET /api/v1/events` held on the admin listener (64 streams is its cap)
#   preview         40 keep-alive connections asking for one source's preview, again and again
#
# Each attack gets a fresh server, then ROUNDS alternations: wrk alone, then the attack
# started, RAMP s for it to build up, and wrk while it runs. Before the first round the server
# is left to finish its start-up assessments, and before each "alone" what the previous phase
# started (a pool refill): until it uses under 10% of a core over a second, at most WARMUP s
# (first) and SETTLE s (the others; the wait is in the per-round table). The attacker
# re-opens whatever the server closes (at most 200 a second, so the reconnect loop does not
# take a core of its own) and stops by itself RAMP + PHASE + 1 s after it started. RSS is the
# server's VmRSS, sampled every 0.25 s while wrk runs (the largest sample). Reported: medians
# over the rounds, the ratio of the p99 medians (goal: <= 2), and every round.
#
# Usage: bash bench/hostile.sh        (needs wrk, curl, python3, Linux; prints Markdown)
# Environment: PHASE (wrk seconds, 5), RAMP (3), ROUNDS (3), WARMUP (30), SETTLE (10),
# ATTACKS (all, in the order above; space-separated), SKIP_BUILD=1 (use
# target/release/wellspring as is), KEEP=1 (keep the raw wrk outputs; the directory is
# printed). Smoke run: PHASE=2 RAMP=1 WARMUP=10 SETTLE=3 bash bench/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PHASE=${PHASE:-5}
RAMP=${RAMP:-3}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-30}
SETTLE=${SETTLE:-10}
ATTACKS=${ATTACKS:-idle-slowloris half-head slow-read events preview}
LIMIT=2
for v in PHASE RAMP ROUNDS WARMUP SETTLE; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "$v must be a whole number of seconds" >&2; exit 2; }
done
[ "$PHASE" -ge 1 ] && [ "$PHASE" -le 120 ] || { echo "PHASE: 1..120" >&2; exit 2; }
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 15 ] || { echo "ROUNDS: 1..15" >&2; exit 2; }
for a in $ATTACKS; do
    case $a in idle-slowloris | half-head | slow-read | events | preview) ;;
        *) echo "unknown attack '$a'" >&2; exit 2 ;;
    esac
done
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    nice -n 19 cargo build --release --quiet -p wellspring-cli
fi
BIN=./target/release/wellspring
# The attacks hold thousands of sockets at once, on both ends.
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d /tmp/ws-hostile.XXXXXX)
SERVER= ATTACKER= SAMPLER=
stop_pid() { # PID: SIGTERM, then SIGKILL after 3 s if it is still there
    local pid=$1
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop_pid "$SAMPLER"
    stop_pid "$ATTACKER"
    stop_pid "$SERVER"
    SAMPLER= ATTACKER= SERVER=
    if [ "${KEEP:-0}" = 1 ]; then echo "raw outputs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() {
    PORT=$(free_port)
    ADMIN_PORT=$(free_port)
    while [ "$ADMIN_PORT" = "$PORT" ]; do ADMIN_PORT=$(free_port); done
    SERVER_CMD=("$BIN" server --port "$PORT" --admin-listen "127.0.0.1:$ADMIN_PORT"
        --sources branch_timing,page_fault_timing)
    "${SERVER_CMD[@]}" >"$WORK/server.log" 2>&1 &
    SERVER=$!
    URL="http://127.0.0.1:$PORT"
    ADMIN_URL="http://127.0.0.1:$ADMIN_PORT"
    for _ in $(seq 300); do
        curl -sf "$URL/api/v1/random?length=1&type=uint8" >/dev/null && return 0
        kill -0 "$SERVER" 2>/dev/null || break
        sleep 0.1
    done
    echo "the server did not start; its log:" >&2
    cat "$WORK/server.log" >&2
    exit 1
}

# settle MAX: waits until the server has used under 10% of a core over the last second (the
# engine's start-up assessments, or a pool refill after an attack), at most MAX seconds;
# prints the seconds waited.
settle() {
    local max=$1 tck waited=0 prev now
    tck=$(getconf CLK_TCK)
    prev=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    while [ "$waited" -lt "$max" ]; do
        sleep 1
        waited=$((waited + 1))
        now=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
        [ $(((now - prev) * 100)) -lt $((10 * tck)) ] && break
        prev=$now
    done
    echo "$waited"
}

# Stops the run if the server has died (the attacks must not kill it).
alive() {
    # A dead child stays a zombie until waited for, and kill -0 still finds it.
    grep -qs '^State:[[:space:]]*[^Z]' "/proc/$SERVER/status" && return 0
    echo "the server died during '$ATTACK' round $ROUND; its log:" >&2
    tail -20 "$WORK/server.log" >&2
    exit 1
}

rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER/status"; }

# wrk's "99%" line in ms, whatever unit wrk chose (us, ms, s, m, h).
p99_ms() {
    awk '$1 == "99%" {
        v = $2; n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000
        else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000
        else if (u != "ms") { print "NaN"; exit }
        printf "%.3f\n", n; found = 1; exit
    } END { if (!found) print "NaN" }' "$1"
}
# "requests non2xx socket-errors" from wrk's summary.
wrk_counts() {
    awk '/ requests in / { r = $1 }
         /Non-2xx or 3xx responses:/ { n = $NF }
         /Socket errors:/ { gsub(/,/, ""); e = $4 + $6 + $8 + $10 }
         END { printf "%d %d %d\n", r, n, e }' "$1"
}

# measure LABEL TARGET_URL SETTLED: wrk for PHASE s while VmRSS is sampled; appends one row
# to $WORK/rows.tsv: attack round phase p99_ms rss_max_mb requests non2xx errors settled.
measure() {
    local label=$1 target=$2 settled=$3 out="$WORK/wrk.$ATTACK.$ROUND.$1"
    (
        trap 'exit 0' TERM
        while :; do rss_mb; echo; sleep 0.25; done
    ) >"$out.rss" 2>/dev/null &
    SAMPLER=$!
    wrk -t2 -c16 -d"${PHASE}s" --latency "$target" >"$out" 2>&1 || true
    stop_pid "$SAMPLER"
    SAMPLER=
    local rss
    rss=$(sort -g "$out.rss" | awk 'NF {m = $1} END {print (m == "" ? "NaN" : m)}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ATTACK" "$ROUND" "$label" "$(p99_ms "$out")" \
        "$rss" "$(wrk_counts "$out" | tr ' ' '\t')" "$settled" >>"$WORK/rows.tsv"
}

# The attacker for $ATTACK, as an argument list (bounded: RAMP + PHASE + 1 seconds).
attack_cmd() {
    local secs=$((RAMP + PHASE + 1))
    local common=(python3 bench/hostile_clients.py --source 127.0.0.2 --seconds "$secs")
    case $ATTACK in
        idle-slowloris) ATTACK_CMD=("${common[@]}" idle-slowloris --port "$PORT"
            --idle 2000 --slow 400) ;;
        half-head) ATTACK_CMD=("${common[@]}" half-head --port "$PORT" --conns 512) ;;
        slow-read) ATTACK_CMD=("${common[@]}" slow-read --port "$PORT" --conns 200
            --rcvbuf 4096 --path '/api/v1/random?length=1024&type=hex16&size=1024') ;;
        events) ATTACK_CMD=("${common[@]}" events --port "$ADMIN_PORT" --conns 80
            --path /api/v1/events) ;;
        preview) ATTACK_CMD=("${common[@]}" preview --port "$ADMIN_PORT" --conns 40
            --path /api/v1/sources/branch_timing/preview) ;;
    esac
}

: >"$WORK/rows.tsv"
: >"$WORK/attackers.txt"
: >"$WORK/commands.txt"
for ATTACK in $ATTACKS; do
    start_server
    RSS_START=$(rss_mb)
    if [ "$ATTACK" = events ]; then
        TARGET="$ADMIN_URL/metrics"
    else
        TARGET="$URL/api/v1/random?length=32&type=uint8"
    fi
    # The engine's first assessments take a core for a few seconds after start.
    settle "$WARMUP" >/dev/null
    wrk -t2 -c16 -d1s "$TARGET" >/dev/null 2>&1 || true
    attack_cmd
    printf '%s: %s\n' "$ATTACK" "$(printf '%q ' "${ATTACK_CMD[@]}")" >>"$WORK/commands.txt"
    for ROUND in $(seq "$ROUNDS"); do
        alive
        # Alone means quiet: wait for the pool refill the previous phase started.
        measure alone "$TARGET" "$(settle "$SETTLE")"
        COUNTS="$WORK/attacker.$ATTACK.$ROUND"
        "${ATTACK_CMD[@]}" >"$COUNTS.json" 2>"$COUNTS.err" &
        ATTACKER=$!
        sleep "$RAMP"
        measure attack "$TARGET" -
        # It stops by itself 1 s after wrk; a late one is stopped (and prints its counts).
        for _ in $(seq 50); do kill -0 "$ATTACKER" 2>/dev/null || break; sleep 0.1; done
        stop_pid "$ATTACKER"
        ATTACKER=
        alive
        printf '%s round %s: %s\n' "$ATTACK" "$ROUND" \
            "$(cat "$COUNTS.json" "$COUNTS.err" | tr '\n' ' ')" \
            >>"$WORK/attackers.txt"
    done
    printf '%s\t%s\t%s\n' "$ATTACK" "$RSS_START" \
        "$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER/status")" >>"$WORK/server_mem.tsv"
    stop_pid "$SERVER"
    SERVER=
done

python3 - "$WORK" "$LIMIT" "$ROUNDS" <<'PY'
import statistics, sys
work, limit, rounds = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rows = [l.rstrip("\n").split("\t") for l in open(f"{work}/rows.tsv") if l.strip()]
mem = {l.split("\t")[0]: l.rstrip("\n").split("\t")[1:] for l in open(f"{work}/server_mem.tsv")}
order = list(dict.fromkeys(r[0] for r in rows))
names = {
    "idle-slowloris": "2,000 idle keep-alive + 400 slowloris connections",
    "half-head": "512 half-sent request heads, re-opened when closed",
    "slow-read": "200 slow readers (SO_RCVBUF 4096, hex16 1024x1024, never read)",
    "events": "80 event streams on the admin port (wrk on /metrics there)",
    "preview": "40 concurrent previews of branch_timing, repeated",
}


def num(x):
    try:
        return float(x)
    except ValueError:
        return float("nan")


def med(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


print(f"| attack | p99 alone (median) | p99 under attack (median) | ratio | RSS alone | "
      f"RSS under attack |")
print("|---|---|---|---|---|---|")
verdicts = []
for a in order:
    alone = [r for r in rows if r[0] == a and r[2] == "alone"]
    under = [r for r in rows if r[0] == a and r[2] == "attack"]
    pa, pu = med([num(r[3]) for r in alone]), med([num(r[3]) for r in under])
    ra, ru = med([num(r[4]) for r in alone]), med([num(r[4]) for r in under])
    first = num(alone[0][4]) if alone else float("nan")
    ratio = pu / pa if pa > 0 else float("nan")
    ok = ratio <= limit
    verdicts.append((a, ratio, ok))
    print(f"| {names.get(a, a)} | {pa:.2f} ms | {pu:.2f} ms | {ratio:.2f}× "
          f"({'≤' if ok else '>'} {limit:g}) | {ra:.0f} MB ({first:.0f} MB before the first attack) "
          f"| {ru:.0f} MB |")
print()


def requests(a, phase):
    return med([num(r[5]) for r in rows if r[0] == a and r[2] == phase]) or float("nan")


print("wrk's requests completed under attack / alone (medians; wrk waits for each answer, so "
      "a slower server also shows as fewer requests): "
      + "; ".join(f"{a} {requests(a, 'attack') / requests(a, 'alone'):.2f}×" for a in order))
print()
print(f"Medians of {rounds} alternated rounds (alone, attack, ...). Every round:")
print()
print("| attack | round | phase | p99 | RSS (max while wrk ran) | requests | non-2xx | "
      "socket errors | waited for quiet |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]} | {num(r[3]):.2f} ms | {num(r[4]):.0f} MB | {r[5]} | "
          f"{r[6]} | {r[7]} | {r[8] + ' s' if r[8] != '-' else '-'} |")
print()
print("Server memory per attack's server (RSS at start, peak VmHWM of its run):",
      "; ".join(f"{a} {m[0]} / {m[1]} MB" for a, m in mem.items()))
bad = [a for a, _, ok in verdicts if not ok]
print()
print("All within 2×." if not bad else f"Over 2× (or no figure): {', '.join(bad)}.")
PY
echo
echo "Attacker counts (opened, closed by the server, connections held, answers by status):"
echo
sed 's/^/    /' "$WORK/attackers.txt"
echo
echo "Commands:"
echo
echo "    PHASE=$PHASE RAMP=$RAMP ROUNDS=$ROUNDS WARMUP=$WARMUP SETTLE=$SETTLE" \
    "ATTACKS='$ATTACKS' bash bench/hostile.sh"
echo "    server: ${SERVER_CMD[*]}   (fresh ports for each attack)"
echo "    client: wrk -t2 -c16 -d${PHASE}s --latency 'http://127.0.0.1:PORT/api/v1/random?length=32&type=uint8'"
echo "            (events: the admin port's /metrics)"
sed 's/^/    /' "$WORK/commands.txt"
