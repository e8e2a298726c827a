"""openentropy's names in the wellspring module, each against expectations worked out
independently of the code under test (closed forms, hand-computed SP 800-90B figures)."""

import contextlib
import io
import math
import os
import platform
import signal
import statistics
import threading
import warnings

import pytest

import wellspring

FAST = ["page_fault_timing", "branch_timing"]


@pytest.fixture(scope="module")
def pool():
    return wellspring.EntropyPool(sources=FAST)


# Module functions.


def test_version_is_the_package_version():
    assert wellspring.version() == wellspring.__version__
    assert all(part.isdigit() for part in wellspring.version().split(".")[:2])
    from importlib.metadata import version

    assert wellspring.version() == version("wellspring")


def test_every_openentropy_name_is_exported():
    names = {
        "EntropyPool", "detect_available_sources", "known_sources", "platform_info",
        "min_entropy_estimate", "quick_min_entropy", "quick_shannon", "grade_min_entropy",
        "quick_quality", "version", "__version__",
    }
    assert names <= set(wellspring.__all__)
    for name in wellspring.__all__:
        assert hasattr(wellspring, name), name
    for method in ("get_bytes", "get_raw_bytes", "get_source_bytes", "get_source_raw_bytes",
                   "sources", "source_names", "print_health"):
        assert callable(getattr(wellspring.EntropyPool, method)), method


def test_quick_shannon_in_closed_form():
    assert wellspring.quick_shannon(bytes(range(256))) == 8.0
    assert wellspring.quick_shannon(bytearray(b"\x00\x01" * 50)) == 1.0
    assert wellspring.quick_shannon(memoryview(b"\x07" * 1000)) == 0.0
    # Probabilities 1/2, 1/4, 1/4: 0.5 * 1 + 2 * 0.25 * 2 = 1.5 bits.
    assert wellspring.quick_shannon(b"aabc" * 100) == pytest.approx(1.5, abs=1e-12)
    assert wellspring.quick_shannon(b"") == 0.0


# The 99.5% normal quantile, 2.576 in SP 800-90B's text and 2.5758293035489 in NIST's code.
Z = statistics.NormalDist().inv_cdf(0.995)


def _mcv(n: int, most_common: int) -> float:
    """SP 800-90B §6.3.1 by hand: p_u = min(1, p + Z sqrt(p (1 - p) / (n - 1)))."""
    p = most_common / n
    p_u = min(1.0, p + Z * math.sqrt(p * (1 - p) / (n - 1)))
    return -math.log2(p_u)


def test_quick_min_entropy_is_the_hand_computed_mcv():
    alternating = bytes(i % 2 for i in range(100_000))
    # p_u = 0.5 + 2.576 * sqrt(0.25 / 99999) = 0.5040730 -> 0.98830 bits.
    assert wellspring.quick_min_entropy(alternating) == pytest.approx(0.98830, abs=1e-5)
    assert wellspring.quick_min_entropy(alternating) == pytest.approx(_mcv(100_000, 50_000), rel=1e-12)
    skewed = b"\x05" * 700 + bytes(range(100)) * 3
    assert wellspring.quick_min_entropy(skewed) == pytest.approx(_mcv(1000, 703), rel=1e-12)
    assert wellspring.quick_min_entropy(b"\x07" * 1000) == 0.0
    assert wellspring.quick_min_entropy(b"") == 0.0


@pytest.mark.parametrize(
    "h, grade",
    [(8.0, "A"), (6.0, "A"), (5.999, "B"), (4, "B"), (3.99, "C"), (2.0, "C"), (1.99, "D"),
     (0.5, "D"), (0.49, "F"), (0.0, "F")],
)
def test_grade_min_entropy_thresholds(h, grade):
    assert wellspring.grade_min_entropy(h) == grade


@pytest.mark.parametrize("bad", [-0.1, float("nan"), "6", None, True, 10**400])
def test_grade_min_entropy_rejects_non_min_entropies(bad):
    with pytest.raises(ValueError, match="h "):
        wellspring.grade_min_entropy(bad)


def test_quick_quality_combines_the_three():
    alternating = bytes(i % 2 for i in range(100_000))
    q = wellspring.quick_quality(alternating)
    assert q == {"samples": 100_000, "shannon": 1.0, "min_entropy": pytest.approx(0.98830, abs=1e-5), "grade": "D"}
    q = wellspring.quick_quality(bytes(range(256)) * 400)
    # MCV on a flat histogram: p = 1/256, n = 102400.
    assert q["min_entropy"] == pytest.approx(_mcv(102_400, 400), rel=1e-12)
    assert q["grade"] == "A" and q["shannon"] == 8.0 and q["samples"] == 102_400


def test_min_entropy_estimate_of_random_bytes():
    data = os.urandom(65536)
    h = wellspring.min_entropy_estimate(data)
    # The full non-IID assessment: at most its own MCV estimate (which quick_min_entropy
    # is), 8 bits at most; on 65,536 uniform bytes the bitstring predictors' confidence
    # bounds put it near 6.5 (7.3 needs about a million bytes), never near the weak range.
    assert 6.0 < h <= wellspring.quick_min_entropy(data) < 8.0
    # The same figure `wellspring assess --json` reports as h_assessed.
    assert h == pytest.approx(wellspring.assess(data)["h_assessed"], rel=1e-12)


def test_min_entropy_estimate_of_structured_data():
    assert wellspring.min_entropy_estimate(b"\x2a" * 4096) == 0.0
    # Alternating 0/1 is perfectly predictable: the predictors see through the flat histogram.
    assert wellspring.min_entropy_estimate(bytes(i % 2 for i in range(20_000))) < 0.1


@pytest.mark.parametrize("bad, message", [(b"", "empty"), (b"\x01\x02", "too few"), ("abc", "bytes-like")])
def test_min_entropy_estimate_rejects_bad_data(bad, message):
    with pytest.raises(ValueError, match=message):
        wellspring.min_entropy_estimate(bad)


@pytest.mark.parametrize("fn", [wellspring.quick_shannon, wellspring.quick_min_entropy, wellspring.quick_quality])
def test_quick_functions_reject_non_bytes(fn):
    with pytest.raises(ValueError, match="bytes-like"):
        fn([1, 2, 3])


def test_detect_available_sources_is_the_available_part_of_known_sources():
    known = wellspring.known_sources()
    available = wellspring.detect_available_sources()
    assert available and all(s["available"] is True and s["reason"] is None for s in available)
    assert [s["name"] for s in available] == [s["name"] for s in known if s["available"]]
    unavailable = [s for s in known if not s["available"]]
    assert all(isinstance(s["reason"], str) and s["reason"] for s in unavailable)
    assert {"clock_jitter", *FAST} <= {s["name"] for s in available}
    assert len({s["name"] for s in known}) == len(known)


def test_platform_info():
    info = wellspring.platform_info()
    assert info["system"] == platform.system() and info["machine"] == platform.machine()
    assert info["python_version"] == platform.python_version()
    assert info["wellspring_version"] == wellspring.version()
    assert 1 <= info["cores"] <= os.cpu_count()
    assert isinstance(info["rdrand"], bool) and isinstance(info["rdseed"], bool)
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
        assert info["rdrand"] == ("rdrand" in flags) and info["rdseed"] == ("rdseed" in flags)
        assert info["kernel_release"] == platform.release()
        assert info["cpu_model"]


# EntropyPool methods.


@pytest.mark.parametrize("mode", ["sha256", "drbg", "raw"])
def test_get_bytes_in_every_mode_whatever_the_pool_mode(pool, mode):
    assert pool.conditioning == "sha256"
    a, b = pool.get_bytes(64, mode), pool.get_bytes(100, conditioning=mode)
    assert len(a) == 64 and len(b) == 100 and a != b[:64]
    assert pool.get_bytes(0, mode) == b""


def test_get_bytes_defaults_to_sha256_and_conditioned_output_is_flat(pool):
    data = pool.get_bytes(256) + pool.get_bytes(8192, "drbg")
    # 8448 uniform bytes: expected Shannon 8 - 255 / (2 * 8448 * ln 2) = 7.978.
    assert wellspring.quick_shannon(data) > 7.95


def test_get_raw_bytes(pool):
    a, b = pool.get_raw_bytes(1000), pool.get_raw_bytes(1000)
    assert len(a) == 1000 and len(b) == 1000 and a != b
    assert pool.get_raw_bytes(0) == b""


def test_get_source_raw_bytes_lengths_and_freshness(pool):
    for name in FAST:
        a = pool.get_source_raw_bytes(name, 5000)
        b = pool.get_source_bytes(name, 70_000, conditioning="raw")  # more than one round
        assert len(a) == 5000 and len(b) == 70_000 and a != b[:5000]
        assert len(set(b)) > 1
        assert pool.get_source_raw_bytes(name, 0) == b""


@pytest.mark.parametrize("mode", ["sha256", "drbg"])
def test_get_source_bytes_conditioned(pool, mode):
    name = FAST[1]
    a, b = pool.get_source_bytes(name, 2048, mode), pool.get_source_bytes(name, 2048, conditioning=mode)
    assert len(a) == 2048 and len(b) == 2048 and a != b
    assert wellspring.quick_shannon(a + b) > 7.9
    assert pool.get_source_bytes(name, 0, mode) == b""


def test_get_source_bytes_rejects_bad_arguments(pool):
    with pytest.raises(ValueError, match="no_such_source.*page_fault_timing, branch_timing"):
        pool.get_source_bytes("no_such_source", 16)
    # A real source that is not in this pool.
    with pytest.raises(ValueError, match="clock_jitter"):
        pool.get_source_raw_bytes("clock_jitter", 16)
    with pytest.raises(ValueError, match="conditioning"):
        pool.get_source_bytes(FAST[0], 16, "md5")
    with pytest.raises(ValueError, match="n must be"):
        pool.get_source_raw_bytes(FAST[0], -1)
    with pytest.raises(ValueError, match="name must be"):
        pool.get_source_bytes(None, 16)
    with pytest.raises(ValueError, match="n must be"):
        pool.get_bytes(-5)
    with pytest.raises(ValueError, match="conditioning"):
        pool.get_bytes(5, "vonneumann")
    with pytest.raises(ValueError, match="n must be"):
        pool.get_raw_bytes(2.0)


def test_sources_are_dicts_and_source_names_are_names(pool):
    infos = pool.sources()
    assert [s["name"] for s in infos] == FAST == pool.source_names()
    known = {s["name"]: s for s in wellspring.known_sources()}
    for s in infos:
        assert s == known[s["name"]]
        assert s["available"] is True and s["description"] and s["category"]


def test_print_health_prints_a_table_of_health_report(pool):
    pool.get_random_bytes(32)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert pool.print_health() is None
    lines = out.getvalue().splitlines()
    report = pool.health_report()
    assert lines[0].startswith(f"healthy {report['healthy']}/{report['total']}")
    assert lines[1].split()[:3] == ["SOURCE", "CATEGORY", "HEALTH"]
    assert [line.split()[0] for line in lines[2:]] == FAST


def test_a_child_forked_while_threads_draw_every_new_way_does_not_hang():
    # What is tested is that no child waits on a lock a parent thread held at the fork.
    # A child (or the busy thread) may still starve on a loaded machine (HealthError after
    # the engine's 10 s wait): that is an answer, not a hang, and is allowed.
    pool = wellspring.EntropyPool(sources=FAST)
    pool.get_bytes(32, "drbg")
    pool.get_source_bytes(FAST[1], 32, "drbg")
    stop = threading.Event()

    def busy():
        while not stop.is_set():
            try:
                pool.get_bytes(1 << 16, "drbg")
                pool.get_source_bytes(FAST[1], 1 << 16, "drbg")
            except wellspring.HealthError:
                stop.wait(0.1)

    thread = threading.Thread(target=busy)
    thread.start()
    statuses = []
    try:
        for _ in range(4):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads
                pid = os.fork()
            if pid == 0:
                signal.alarm(60)
                try:
                    ok = (
                        len(pool.get_source_raw_bytes(FAST[0], 32)) == 32
                        and len(pool.get_source_bytes(FAST[1], 32, "drbg")) == 32
                        # No engine for this source in the parent: the child starts its own.
                        and len(pool.get_source_bytes(FAST[0], 32, "sha256")) == 32
                        and len(pool.get_bytes(32, "drbg")) == 32
                    )
                    os._exit(0 if ok else 1)
                except wellspring.HealthError:
                    os._exit(2)
                except BaseException:
                    os._exit(1)
            statuses.append(os.waitpid(pid, 0)[1])
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not any(os.WIFSIGNALED(s) for s in statuses), f"a child hung: {statuses}"
    assert all(os.WEXITSTATUS(s) in (0, 2) for s in statuses), statuses
