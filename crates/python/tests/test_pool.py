"""The wellspring Python API against independent expectations."""

import math
import multiprocessing

import pytest

import wellspring

FAST = ["page_fault_timing", "branch_timing"]


def test_known_sources_lists_dicts():
    sources = wellspring.known_sources()
    assert len(sources) >= 35
    for s in sources:
        assert set(s) >= {"name", "category", "description", "available", "reason"}
    clock = next(s for s in sources if s["name"] == "clock_jitter")
    assert clock["available"] is True and clock["category"] == "timing"


@pytest.mark.parametrize("mode", ["sha256", "drbg", "raw"])
def test_pool_returns_exact_lengths_that_differ(mode):
    pool = wellspring.EntropyPool(sources=FAST, conditioning=mode)
    a, b = pool.get_random_bytes(64), pool.get_random_bytes(64)
    assert len(a) == 64 and len(b) == 64 and a != b
    assert pool.get_random_bytes(0) == b""
    assert pool.source_count == 2
    assert pool.source_names() == FAST
    assert pool.conditioning == mode


def test_auto_pool_and_health_report():
    pool = wellspring.EntropyPool.auto()
    assert len(pool.get_random_bytes(32)) == 32
    report = pool.health_report()
    assert report["total"] == pool.source_count
    assert 0 <= report["healthy"] <= report["total"]
    assert {s["name"] for s in report["sources"]} == set(pool.source_names())
    assert report["diversity"] in ("ok", "single-family")
    assert report["blocks_revoked"] >= 0
    # Output was drawn, so at least one source earns credit, and only under a figure that
    # rests on a full-size assessment.
    assert any(s["credited"] for s in report["sources"])
    for s in report["sources"]:
        assert s["assessment"] in (None, "startup", "stored", "full", "trusted"), s
        # Something was measured exactly when its origin is known.
        assert (s["assessment"] is None) == (s["min_entropy"] is None), s
        assert s["credited_bits_per_second"] >= 0.0
        if s["credited"]:
            assert s["assessment"] in ("stored", "full") and s["assessment_samples"] >= 65536, s


@pytest.mark.parametrize("parallel", [True, False])
def test_collect_all_returns_raw_samples_per_source(parallel):
    pool = wellspring.EntropyPool(sources=FAST)
    result = pool.collect_all(parallel=parallel, timeout=10.0)
    assert set(result) == set(FAST)
    for entry in result.values():
        assert entry["error"] is None
        assert len(entry["samples"]) == 1024
        assert len(set(entry["samples"])) > 1


def test_random_is_uniform_by_kolmogorov_smirnov():
    rng = wellspring.Random()
    n = 100_000
    xs = sorted(rng.random() for _ in range(n))
    assert all(0.0 <= x < 1.0 for x in xs)
    d = max(max((i + 1) / n - x, x - i / n) for i, x in enumerate(xs))
    # Critical value of the one-sample KS statistic at alpha = 0.01: 1.628 / sqrt(n).
    assert d < 1.628 / math.sqrt(n), d


def test_random_is_a_drop_in_random():
    rng = wellspring.Random()
    assert all(1 <= rng.randint(1, 6) <= 6 for _ in range(100))
    assert rng.getrandbits(0) == 0
    assert 0 <= rng.getrandbits(70) < 2**70
    assert len(rng.randbytes(10)) == 10
    rng.seed(42)  # no effect, like SystemRandom
    with pytest.raises(NotImplementedError):
        rng.getstate()


def _child(pool, queue):
    queue.put(pool.get_random_bytes(65536))


def test_forked_children_never_repeat_each_other_or_the_parent():
    pool = wellspring.EntropyPool(sources=FAST, conditioning="drbg")
    parent = pool.get_random_bytes(65536)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(pool, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    outputs = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    outputs.append(parent + pool.get_random_bytes(65536))
    chunks = [out[i : i + 32] for out in outputs for i in range(0, len(out), 32)]
    assert len(chunks) == len(set(chunks)), "a 32-byte block repeated across processes"


def test_bad_arguments_raise_value_error():
    pool = wellspring.EntropyPool(sources=FAST)
    with pytest.raises(ValueError, match="n must be"):
        pool.get_random_bytes(-1)
    with pytest.raises(ValueError):
        pool.get_random_bytes("12")
    with pytest.raises(ValueError, match="no_such_source"):
        wellspring.EntropyPool(sources=["no_such_source"])
    with pytest.raises(ValueError, match="conditioning"):
        wellspring.EntropyPool(conditioning="md5")
    with pytest.raises(ValueError):
        wellspring.EntropyPool(sources="clock_jitter")
    with pytest.raises(ValueError, match="timeout"):
        pool.collect_all(timeout=-1)


def test_health_error_fires_when_no_source_can_earn_credit():
    # The OS generator is a platform generator: never credited unless trusted, so no
    # full-entropy output can exist, and the error says why and names the flag.
    pool = wellspring.EntropyPool(sources=["os_random"])
    with pytest.raises(wellspring.HealthError, match="--trust-platform"):
        pool.get_random_bytes(32)
    assert issubclass(wellspring.HealthError, RuntimeError)
    # Raw output is still available for research.
    assert len(wellspring.EntropyPool(sources=["os_random"], conditioning="raw").get_random_bytes(64)) == 64
