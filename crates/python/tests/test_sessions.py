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
