#!/usr/bin/env bash
# Three wellspring replicas behind HAProxy, on this machine: three network namespaces joined
# to a bridge by veth pairs (10.77.0.11-13, addresses that exist only inside this machine),
# one `wellspring server` in each, HAProxy in the root namespace on 127.0.0.1 with active
# health checks on `GET /health`: a replica whose status is "ok" or "degraded" stays in the
# rotation at full weight (every block it serves is still backed; only its full-entropy
# rate is lower), one that says "failed" or does not answer leaves it.
#
# It measures and checks, printing a Markdown table:
#   1. throughput through the balancer and to one replica directly (wrk, same run);
#   2. failover: one replica killed with SIGKILL during a wrk run through the balancer
#      (failed requests counted), and the time until it rejoins after a restart;
#   3. a replica whose sources are all stuck (the test-only fault hook; that replica runs a
#      binary built with the `fault-injection` feature) leaves the rotation: full-entropy
#      requests through the balancer keep succeeding;
#   4. 10,000 responses through the balancer: each names the replica that made it
#      (`X-Replica`, set by HAProxy), and no two carry the same bytes.
# Everything is torn down on every exit path; every request loop is bounded.
#
# Usage: bash bench/fleet.sh [--quick]   (--quick: 5 s wrk runs, for the test command)
# Needs root (network namespaces; through `sudo -n` otherwise), haproxy, wrk, iproute2.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
if [ "$(id -u)" != 0 ]; then
    exec sudo -n -E bash "$0" "$@"
fi
for tool in ip haproxy wrk python3 curl; do
    command -v "$tool" >/dev/null || { echo "fleet.sh: \`$tool\` is missing" >&2; exit 1; }
done
DURATION=$([ "$QUICK" = 1 ] && echo 5 || echo 15)

TARGET=$(realpath -m "${CARGO_TARGET_DIR:-target}")
cargo build --release --quiet
cargo build --release --quiet -p wellspring-cli --features wellspring-core/fault-injection \
    --target-dir "$TARGET/soak"
BIN=$TARGET/release/wellspring
FAULTY_BIN=$TARGET/soak/release/wellspring

TAG=ws$$
WORK=$(mktemp -d)
BRIDGE=${TAG}br
NAMES=(a b c)
declare -A ADDR=([a]=10.77.0.11 [b]=10.77.0.12 [c]=10.77.0.13)
declare -A PID=()
HAPROXY_PID=
LB_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
    set +e
    [ -n "$HAPROXY_PID" ] && kill "$HAPROXY_PID" 2>/dev/null
    for n in "${NAMES[@]}"; do
        [ -n "${PID[$n]:-}" ] && kill -9 "${PID[$n]}" 2>/dev/null
        ip netns del "$TAG-$n" 2>/dev/null
        ip link del "${TAG}v$n" 2>/dev/null
    done
    ip link del "$BRIDGE" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# The network: a bridge in the root namespace, one veth pair per replica namespace.
ip link add "$BRIDGE" type bridge
ip addr add 10.77.0.1/24 dev "$BRIDGE"
ip link set "$BRIDGE" up
for n in "${NAMES[@]}"; do
    ns=$TAG-$n
    ip netns add "$ns"
    ip link add "${TAG}v$n" type veth peer name eth0 netns "$ns"
    ip link set "${TAG}v$n" master "$BRIDGE" up
    ip -n "$ns" addr add "${ADDR[$n]}/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
done

start_replica() { # name [binary] [fault file]
    local n=$1 bin=${2:-$BIN} faults=${3:-}
    mkdir -p "$WORK/cache-$n"
    ip netns exec "$TAG-$n" env XDG_CACHE_HOME="$WORK/cache-$n" \
        ${faults:+WELLSPRING_FAULT_FILE=$faults} \
        "$bin" server --host "${ADDR[$n]}" --port 8042 --admin-listen 127.0.0.1:9042 \
        --rate-limit off --trusted-proxy 10.77.0.1 --sources branch_timing,page_fault_timing \
        >"$WORK/$n.log" 2>&1 &
    PID[$n]=$!
    disown "${PID[$n]}" # killed on purpose below; no job-control noise
}
ready() { curl -sf -o /dev/null --max-time 2 "http://$1:8042/ready"; }
wait_ready() { # address seconds
    for _ in $(seq $(( $2 * 10 ))); do ready "$1" && return 0; sleep 0.1; done
    echo "fleet.sh: $1 never became ready" >&2
    return 1
}

: >"$WORK/faults"
start_replica a
start_replica b "$FAULTY_BIN" "$WORK/faults"
start_replica c
for n in "${NAMES[@]}"; do wait_ready "${ADDR[$n]}" 120; done

cat >"$WORK/haproxy.cfg" <<EOF
global
    maxconn 4096
    stats socket $WORK/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch
    # Layer-7 retries: a request in flight on a replica that dies (reset, empty or broken
    # answer, 502-504) goes to another one. Every route is GET and idempotent.
    retry-on all-retryable-errors
frontend fleet
    bind 127.0.0.1:$LB_PORT
    default_backend replicas
backend replicas
    balance roundrobin
    http-request disable-l7-retry if !METH_GET
    option httpchk GET /health
    http-check expect rstring \"status\":\"(ok|degraded)\"
    http-response set-header X-Replica %s
    default-server check inter 1s fall 2 rise 2
    server a ${ADDR[a]}:8042
    server b ${ADDR[b]}:8042
    server c ${ADDR[c]}:8042
EOF
haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!
for _ in $(seq 100); do [ -S "$WORK/haproxy.sock" ] && break; sleep 0.1; done
LB=http://127.0.0.1:$LB_PORT
state_of() { # server name -> UP/DOWN as HAProxy sees it
    echo "show stat" | python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError:
    sys.exit(0)
s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536): data += chunk
for line in data.decode().splitlines():
    f = line.split(",")
    if len(f) > 17 and f[0] == "replicas" and f[1] == sys.argv[2]: print(f[17])
' "$WORK/haproxy.sock" "$1"
}
wait_state() { # server state seconds -> seconds taken
    local start=$SECONDS
    for _ in $(seq $(( $3 * 10 ))); do
        [ "$(state_of "$1")" = "$2" ] && { echo $(( SECONDS - start )); return 0; }
        sleep 0.1
    done
    echo "fleet.sh: server $1 never $2 (haproxy: $(state_of "$1"))" >&2
    return 1
}
for n in "${NAMES[@]}"; do wait_state "$n" UP 30 >/dev/null; done

URL_PATH="/api/v1/random?length=32&type=uint8"
rps() { wrk -t2 -c32 -d"${DURATION}s" "$1$URL_PATH" | awk '/^Requests\/sec/ {print int($2)}'; }

# 1. Throughput.
RPS_LB=$(rps "$LB")
RPS_ONE=$(ip netns exec "$TAG-a" wrk -t2 -c32 -d"${DURATION}s" "http://${ADDR[a]}:8042$URL_PATH" \
    | awk '/^Requests\/sec/ {print int($2)}')

# 2. Failover: SIGKILL replica c a second into a wrk run through the balancer.
wrk -t2 -c32 -d"$((DURATION + 3))s" "$LB$URL_PATH" >"$WORK/failover.txt" &
WRK=$!
sleep 1
kill -9 "${PID[c]}"
wait "$WRK"
FAILOVER_ERRORS=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$WORK/failover.txt")
FAILOVER_REQUESTS=$(awk '/requests in/ {print $1}' "$WORK/failover.txt")
wait_state c DOWN 10 >/dev/null
# Once the checks have marked it down, nothing may fail.
AFTER_ERRORS=$(wrk -t2 -c32 -d"${DURATION}s" "$LB$URL_PATH" | awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}')
start_replica c
REJOIN=$(wait_state c UP 120)

# 3. Replica b's sources all stuck: it must leave the rotation, and full-entropy requests
# through the balancer keep succeeding.
printf '* = stuck\n' >"$WORK/faults.next" && mv "$WORK/faults.next" "$WORK/faults"
LEAVE=$(wait_state b DOWN 60)
SHA_FAIL=$(python3 - "$LB" <<'PY'
import sys, urllib.request, urllib.error
failed = 0
for _ in range(200):
    try:
        with urllib.request.urlopen(sys.argv[1] + "/api/v1/random?length=16&type=uint8&conditioning=sha256", timeout=15) as r:
            assert r.headers["X-Replica"] != "b"
    except (urllib.error.HTTPError, AssertionError):
        failed += 1
print(failed)
PY
)
: >"$WORK/faults.next" && mv "$WORK/faults.next" "$WORK/faults"
BACK=$(wait_state b UP 120)

# 4. 10,000 responses: each from one replica, no bytes repeated within or across replicas.
UNIQUE=$(python3 - "$LB_PORT" <<'PY'
import http.client, json, sys, collections
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=15)
seen, by_replica = set(), collections.Counter()
for _ in range(10_000):
    conn.request("GET", "/api/v1/random?length=16&type=hex16&size=16")
    r = conn.getresponse()
    body = json.loads(r.read())
    assert r.status == 200 and body["success"], body
    replica = r.getheader("X-Replica")
    assert replica in ("a", "b", "c"), replica
    by_replica[replica] += 1
    for value in body["data"]:
        assert value not in seen, f"repeated output {value}"
        seen.add(value)
print(f"{len(seen)} distinct 16-byte values in 10,000 responses ({dict(sorted(by_replica.items()))})")
PY
)

echo "| measurement | value |"
echo "|---|---|"
echo "| \`$URL_PATH\`, wrk -t2 -c32 ${DURATION} s, through HAProxy (3 replicas) | $RPS_LB req/s |"
echo "| the same, one replica directly | $RPS_ONE req/s (balancer/direct $(python3 -c "print(f'{$RPS_LB / $RPS_ONE:.2f}')")×) |"
echo "| replica c killed (SIGKILL) 1 s into a $((DURATION + 3)) s run through HAProxy (check every 1 s, down after 2 failures, layer-7 retries with redispatch) | $FAILOVER_ERRORS failed of $FAILOVER_REQUESTS requests |"
echo "| the next ${DURATION} s through HAProxy, c marked down | $AFTER_ERRORS failed |"
echo "| replica c restarted (its assessment cache kept): back in rotation after | ${REJOIN} s (start-up test, then 2 passing checks) |"
echo "| replica b's sources all stuck (its /health says failed): out of rotation after | ${LEAVE} s; 200 sha256 requests through HAProxy: $SHA_FAIL failed or served by b |"
echo "| replica b healed: back after | ${BACK} s |"
echo "| 10,000 responses through HAProxy | $UNIQUE |"
[ "$FAILOVER_ERRORS" = 0 ] || { echo "fleet.sh: requests failed when replica c was killed" >&2; exit 1; }
[ "$SHA_FAIL" = 0 ] || { echo "fleet.sh: requests failed while replica b was out" >&2; exit 1; }
[ "$AFTER_ERRORS" = 0 ] || { echo "fleet.sh: requests failed after c was marked down" >&2; exit 1; }
