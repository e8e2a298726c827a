"""wellspring.assess against the CLI's JSON and against entropies known in closed form."""

import json
import math
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

import wellspring

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def cli() -> str:
    """The `wellspring` binary: $WELLSPRING_BIN, else the newest one cargo built (the test
    command runs `cargo test` first) in $CARGO_TARGET_DIR or target/, else build it."""
    if os.environ.get("WELLSPRING_BIN"):
        return os.environ["WELLSPRING_BIN"]
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    if not target.is_absolute():
        target = ROOT / target
    built = [p for p in (target / d / "wellspring" for d in ("debug", "release")) if p.exists()]
    if built:
        return str(max(built, key=lambda p: p.stat().st_mtime))
    assert shutil.which("cargo"), "cargo is needed to build the CLI"
    subprocess.run(["cargo", "build", "-q", "-p", "wellspring-cli"], cwd=ROOT, check=True)
    return str(target / "debug" / "wellspring")


def markov_nibbles(n: int, seed: int) -> bytes:
    """4-bit samples from a sticky Markov chain: repeat the last value with probability 0.6."""
    rng = random.Random(seed)
    out, last = bytearray(), 0
    for _ in range(n):
        last = last if rng.random() < 0.6 else rng.randrange(16)
        out.append(last)
    return bytes(out)


def test_assess_equals_the_cli_json(cli, tmp_path):
    data = markov_nibbles(30_000, 1)
    path = tmp_path / "nibbles.bin"
    path.write_bytes(data)
    out = subprocess.run(
        [cli, "assess", str(path), "--bits-per-sample", "4", "--json"],
        check=True,
        capture_output=True,
    )
    assert wellspring.assess(data, 4) == json.loads(out.stdout)


def test_assess_iid_estimate_equals_the_cli(cli, tmp_path):
    data = bytes(random.Random(2).getrandbits(8) for _ in range(20_000))
    path = tmp_path / "bytes.bin"
    path.write_bytes(data)
    out = subprocess.run(
        [cli, "assess", str(path), "--iid", "--seed", "5", "--json"], check=True, capture_output=True
    )
    ours = wellspring.assess(bytearray(data), iid=True, seed=5)
    theirs = json.loads(out.stdout)
    # The shuffle counts depend on thread scheduling; the estimate and the deterministic
    # statistics of the unshuffled data do not.
    assert ours["iid"]["h"] == theirs["iid"]["h"]
    assert [s["value"] for s in ours["iid"]["permutation"]] == [
        s["value"] for s in theirs["iid"]["permutation"]
    ]
    assert {k: v for k, v in ours.items() if k != "iid"} == {k: v for k, v in theirs.items() if k != "iid"}


def test_biased_bits_are_assessed_near_their_true_min_entropy():
    # Bernoulli(0.8) bits: min-entropy -log2(0.8) = 0.3219 bits. Every estimator gives an upper
    # confidence bound on its prediction probability, so the assessment sits below the truth,
    # never above; MCV, which is exact for IID data, lands on it.
    rng = random.Random(3)
    data = bytes(1 if rng.random() < 0.8 else 0 for _ in range(200_000))
    report = wellspring.assess(data, 1)
    assert report["estimators"]["bitstring"] is None
    assert report["h_bitstring"] is None
    assert 0.1 < report["h_assessed"] <= -math.log2(0.8)
    assert report["estimators"]["original"]["mcv"] == pytest.approx(-math.log2(0.8), abs=0.01)


@pytest.mark.parametrize(
    "args, message",
    [
        ((b"",), "no samples"),
        ((b"\x01\x02\xff", 4), "does not fit in 4 bits"),
        ((b"\x00\x01", 9), "bits_per_sample"),
        ((b"\x00\x01", 0), "bits_per_sample"),
        (("0101",), "bytes-like"),
    ],
)
def test_assess_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        wellspring.assess(*args)


E_BITS = ROOT / "crates" / "assess" / "tests" / "data" / "e_1e6.bin"


def test_report_equals_the_cli_json_on_the_bits_of_e(cli):
    out = subprocess.run(
        [cli, "report", "--file", str(E_BITS), "--bits", "1000000", "--json"],
        check=True,
        capture_output=True,
    )
    ours = wellspring.report(E_BITS.read_bytes(), samples=1_000_000)
    assert ours == json.loads(out.stdout)
    # SP 800-22 rev1a appendix B: frequency on the first 10^6 bits of e is 0.953749.
    assert ours["tests"][0]["p_values"][0] == pytest.approx(0.953749, abs=1e-6)


def test_report_streams_and_overrides_equal_the_cli(cli):
    out = subprocess.run(
        [cli, "report", "--file", str(E_BITS), "--bits", "400000", "--streams", "4",
         "--set", "serial.m=5", "--json"],
        check=True,
        capture_output=True,
    )
    ours = wellspring.report(E_BITS.read_bytes(), samples=400_000, streams=4, set={"serial.m": 5})
    assert ours == json.loads(out.stdout)
    assert ours["streams"]["streams"] == 4
    assert ours["tests"][13]["params"] == {"m": 5}


def test_report_reads_ascii_text_like_bytes():
    data = bytes(random.Random(4).getrandbits(8) for _ in range(2_000))
    text = " ".join(f"{b:08b}" for b in data)
    assert wellspring.report(text) == wellspring.report(data)
    assert wellspring.report(text.encode(), input_format="ascii")["bits"] == 16_000


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"data": b""}, "no bits"),
        ({"data": b"\x00", "samples": 9}, "more bits"),
        ({"data": b"\x00" * 100, "input_format": "hex"}, "input_format"),
        ({"data": b"\x00" * 100, "set": {"nosuch.m": 3}}, "nosuch"),
        ({"data": b"\x00" * 100, "streams": 0}, "streams"),
        ({"data": [0, 1]}, "bytes-like"),
    ],
)
def test_report_rejects_bad_arguments(kwargs, message):
    data = kwargs.pop("data")
    with pytest.raises(ValueError, match=message):
        wellspring.report(data, **kwargs)
