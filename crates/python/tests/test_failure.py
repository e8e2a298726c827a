"""A failure takes its credit back: with the reservoir full, every source of a pool is made to
fail (the module is built with fault injection for the tests, reading WELLSPRING_FAULT_FILE),
and once the failures are detected the pool serves nothing more, where it used to reseed
from the full reservoir for about 1 GiB."""

import os
import time

import pytest

import wellspring

FAST = ["page_fault_timing", "branch_timing"]
RESERVOIR_BLOCKS = 2048


def _wait(what, done, limit=120.0):
    """Polls ``done`` until it holds; fails after ``limit`` seconds (a hang bound)."""
    deadline = time.monotonic() + limit
    while not done():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.05)


def _quarantined(pool):
    return sum(s["quarantined"] for s in pool.health_report()["sources"])


def test_with_the_reservoir_full_a_failure_of_every_source_stops_output(tmp_path, monkeypatch):
    faults = tmp_path / "faults.txt"
    faults.write_text("")
    monkeypatch.setenv("WELLSPRING_FAULT_FILE", str(faults))
    pool = wellspring.EntropyPool(sources=FAST, conditioning="drbg")
    pool.get_random_bytes(32)
    _wait(
        "filled the reservoir",
        lambda: pool.health_report()["blocks_available"] >= RESERVOIR_BLOCKS,
    )

    staged = tmp_path / "faults.next"
    staged.write_text("* = stuck\n")
    os.replace(staged, faults)
    # Nothing is harvested (or tested) while the reservoir is full and nobody reads: draw
    # until a reseed takes blocks and the harvest that follows meets the stuck samples.
    drawn = 0

    def drawing_until_detected():
        nonlocal drawn
        if _quarantined(pool) == len(FAST):
            return True
        try:
            pool.get_random_bytes(1 << 16)
            drawn += 1 << 16
        except wellspring.HealthError:
            pass
        return False

    _wait("quarantined both sources", drawing_until_detected)
    report = pool.health_report()
    # Every block rested on both families (each may give at most half a block): all that the
    # reseeds left were revoked.
    assert report["blocks_available"] == 0, report
    assert report["blocks_revoked"] > 0, report
    # The DRBG's seed rested on them too: the next draw reseeds, finds no credit and fails.
    with pytest.raises(wellspring.HealthError):
        pool.get_random_bytes(16)
    print(f"{drawn} bytes drawn between the fault and its detection")
