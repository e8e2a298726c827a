"""wellspring.record and wellspring.load_session: the CLI's session format from Python."""

import json
import os

import pytest

import wellspring


def test_record_writes_a_session_that_loads_with_its_samples(tmp_path):
    path = wellspring.record(
        ["clock_jitter", "branch_timing"],
        samples=70_000,
        output=tmp_path,
        tags={"room": "lab"},
        note="from python",
    )
    assert os.path.isdir(path) and os.path.dirname(path) == str(tmp_path)
    session = wellspring.load_session(path)
    manifest = session["manifest"]
    assert session["crashed"] is False
    assert manifest["format_version"] == 1
    assert manifest["complete"] is True and manifest["end_reason"] == "completed"
    assert manifest["tags"] == {"room": "lab"} and manifest["note"] == "from python"
    with open(os.path.join(path, "session.json")) as f:
        assert json.load(f)["id"] == manifest["id"]
    for source in manifest["sources"]:
        data = session["samples"][source["name"]]
        assert len(data) == source["samples"] == 70_000
        with open(os.path.join(path, "raw", source["name"] + ".bin"), "rb") as f:
            assert f.read() == data
        # h_start is the SP 800-90B figure of the first 65,536 samples.
        assert source["h_start"] == pytest.approx(wellspring.assess(data[:65_536])["h_assessed"])
    try:
        import numpy  # noqa: F401
    except ImportError:
        assert "arrays" not in session
    else:
        assert list(session["arrays"]["clock_jitter"][:8]) == list(session["samples"]["clock_jitter"][:8])


def test_record_for_a_duration(tmp_path):
    path = wellspring.record("clock_jitter", duration=0.3, output=tmp_path)
    manifest = wellspring.load_session(path)["manifest"]
    assert manifest["complete"] is True
    assert manifest["requested"] == {"seconds": 0.3}
    assert manifest["sources"][0]["samples"] > 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"samples": 10, "duration": 1.0},
        {"samples": 0},
        {"samples": True},
        {"duration": -1.0},
        {"samples": 10, "tags": {"": "x"}},
    ],
)
def test_bad_arguments_are_value_errors(tmp_path, kwargs):
    with pytest.raises(ValueError):
        wellspring.record("clock_jitter", output=tmp_path, **kwargs)
    assert os.listdir(tmp_path) == []


def test_an_unknown_source_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="no_such_source"):
        wellspring.record("no_such_source", samples=10, output=tmp_path)


def test_load_session_refuses_a_folder_that_is_not_a_session(tmp_path):
    with pytest.raises(OSError):
        wellspring.load_session(tmp_path)


def test_analyze_data_and_a_session_give_the_clis_document(tmp_path):
    counter = bytes((i // 7) % 256 for i in range(100_000))
    doc = wellspring.analyze(counter, name="counter")
    assert doc["cross_correlation"] == []
    (source,) = doc["sources"]
    assert source["name"] == "counter" and source["samples"] == 100_000
    assert source["verdict"] != "good" and source["reasons"]
    assert source["autocorrelation"]["ljung_box_p"] < 1e-100
    assert len(source["autocorrelation"]["values"]) == 256

    path = wellspring.record(["clock_jitter", "branch_timing"], samples=20_000, output=tmp_path)
    doc = wellspring.analyze(session=path)
    assert [s["name"] for s in doc["sources"]] == ["clock_jitter", "branch_timing"]
    assert len(doc["cross_correlation"]) == 1
    samples = wellspring.load_session(path)["samples"]["clock_jitter"]
    assert doc["sources"][0]["h_assessed"] == wellspring.assess(samples)["h_assessed"]


def test_analyze_refuses_bad_input(tmp_path):
    with pytest.raises(ValueError):
        wellspring.analyze()
    with pytest.raises(ValueError):
        wellspring.analyze(b"x" * 2000, session=tmp_path)
    with pytest.raises(ValueError, match="too few"):
        wellspring.analyze(b"abc")
    with pytest.raises(ValueError):
        wellspring.analyze(b"x" * 2000, windows=1)
    with pytest.raises(ValueError):
        wellspring.analyze(session=tmp_path)


def test_record_conditioned_output_is_sha256_of_blocks_checked_with_hashlib(tmp_path):
    import hashlib
    import math

    path = wellspring.record("branch_timing", samples=70_000, output=tmp_path, conditioned=True)
    session = wellspring.load_session(path)
    source = session["manifest"]["sources"][0]
    entry = source["conditioned"]
    h = min(source["h_start"], source["h_end"])
    block = math.ceil(352 / (0.5 * h))
    assert entry["samples_per_output"] == block and entry["h_used"] == h
    raw = session["samples"]["branch_timing"]
    with open(os.path.join(path, entry["file"]), "rb") as f:
        out = f.read()
    assert len(out) == entry["bytes"] == len(raw) // block * 32
    expected = b"".join(
        hashlib.sha256(raw[k * block : (k + 1) * block]).digest() for k in range(len(raw) // block)
    )
    assert out == expected


def _generator(n, seed, mask):
    state = seed
    out = bytearray()
    for _ in range(n):
        state = (state + 0x9E3779B97F4A7C15) & (2**64 - 1)
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
        out.append((z ^ (z >> 31)) & mask)
    return bytes(out)


def test_compare_matches_the_cli_document_for_bytes_and_files(tmp_path):
    a = _generator(65_536, 1, 0xFF)
    b = _generator(65_536, 2, 0xFF)
    weak = _generator(65_536, 3, 0x3F)
    same = wellspring.compare(a, b, name="gen")
    entry = same["sources"][0]
    assert entry["name"] == "gen" and entry["differ"] is False
    assert entry["h_difference"] == pytest.approx(entry["h_b"] - entry["h_a"])
    assert entry["h_a"] == pytest.approx(wellspring.assess(a)["h_assessed"])
    differ = wellspring.compare(a, weak)["sources"][0]
    assert differ["differ"] is True and differ["distribution_p"] < 1e-100
    # Paths give the document `wellspring compare` prints for the same files.
    pa, pw = tmp_path / "a.bin", tmp_path / "weak.bin"
    pa.write_bytes(a)
    pw.write_bytes(weak)
    by_path = wellspring.compare(pa, str(pw))
    assert by_path["sources"][0]["name"] == "a vs weak"
    assert by_path["sources"][0]["h_difference"] == differ["h_difference"]
    with pytest.raises(ValueError):
        wellspring.compare(a, pa)
    with pytest.raises(ValueError):
        wellspring.compare(a[:100], b[:100])
    with pytest.raises(ValueError):
        wellspring.compare(tmp_path / "missing.bin", pa)
