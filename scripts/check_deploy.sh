#!/usr/bin/env bash
# Checks the deployment files offline (no Docker engine, no cluster):
#   - Prometheus: `promtool check config`, `promtool check rules`, and `promtool test rules`
#     (every alert fires on a series that should trigger it and stays silent otherwise);
#   - HAProxy: `haproxy -c` on deploy/haproxy/haproxy.cfg (crates/cli/tests/haproxy.rs runs
#     it in front of a real server);
#   - Kubernetes: every manifest in deploy/kubernetes against the Kubernetes 1.33 schemas,
#     strictly (unknown fields are errors), with kubernetes-validate (PyPI);
#   - Compose: `docker-compose config` (PyPI docker-compose, the Python implementation, which
#     needs no engine) on compose.yaml;
#   - Dockerfile: no maintained Dockerfile linter installs from Debian or PyPI, so the
#     properties this project relies on are checked here: multi-stage, a non-root USER, a
#     HEALTHCHECK, `--locked` builds.
#
# Usage: bash scripts/check_deploy.sh   (scripts/test.sh runs it; .ci/run installs promtool)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "-- Prometheus"
promtool check config deploy/prometheus/prometheus.yml
promtool test rules deploy/prometheus/wellspring-rules.test.yml

echo "-- HAProxy (deploy/haproxy/haproxy.cfg, with example addresses)"
WELLSPRING_LB_BIND=127.0.0.1:8080 WELLSPRING_REPLICA_A=10.0.0.11:8042 \
    WELLSPRING_REPLICA_B=10.0.0.12:8042 haproxy -c -q -f deploy/haproxy/haproxy.cfg

echo "-- Kubernetes manifests and compose file (venvs under .venv-deploy)"
# Two venvs: docker-compose 1.29 pins jsonschema < 4, kubernetes-validate needs >= 4.23.
VENVS="$PWD/.venv-deploy"
pip_in() {
    local venv=$1
    shift
    [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
}
if [ ! -x "$VENVS/k8s/bin/kubernetes-validate" ]; then
    pip_in "$VENVS/k8s" "kubernetes-validate==1.37.0"
fi
if [ ! -x "$VENVS/compose/bin/docker-compose" ]; then
    # docker-compose 1.29's PyYAML 5.4 does not build with Cython 3 under build isolation.
    pip_in "$VENVS/compose" "cython<3" wheel setuptools
    pip_in "$VENVS/compose" --no-build-isolation "pyyaml==5.4.1"
    pip_in "$VENVS/compose" "docker-compose==1.29.2"
fi
"$VENVS/k8s/bin/kubernetes-validate" --strict --kubernetes-version 1.33.0 deploy/kubernetes/*.yaml
"$VENVS/compose/bin/docker-compose" -f compose.yaml config --quiet
echo "compose.yaml: valid"

echo "-- Dockerfile"
fail() { echo "Dockerfile: $1" >&2; exit 1; }
[ "$(grep -c '^FROM ' Dockerfile)" -ge 2 ] || fail "not a multi-stage build"
grep -q '^USER [1-9]' Dockerfile || fail "the runtime stage must run as a non-root numeric USER"
grep -q '^HEALTHCHECK ' Dockerfile || fail "no HEALTHCHECK"
grep -q 'cargo build --release --locked' Dockerfile || fail "the build must use --locked"
grep -q '"--host", "0.0.0.0"' Dockerfile || fail "the server must bind 0.0.0.0 inside the container"
grep -q '"--admin-listen", "127.0.0.1:9042"' Dockerfile ||
    fail "the operator routes must stay off the published port (--admin-listen)"
grep -q -- '- --admin-listen' compose.yaml ||
    { echo "compose.yaml: no --admin-listen" >&2; exit 1; }
grep -q -- '- --admin-listen' deploy/kubernetes/deployment.yaml ||
    { echo "deployment.yaml: no --admin-listen" >&2; exit 1; }
echo "Dockerfile: multi-stage, non-root, HEALTHCHECK, --locked, operator routes off the public port"
