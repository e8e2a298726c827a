"""wellspring: random numbers from the physical noise inside this computer.

Sources are health-tested (SP 800-90B RCT/APT) and credited only with the min-entropy
measured on their own samples; output is SHA-256 conditioned full entropy (``"sha256"``), a
CTR_DRBG seeded from it (``"drbg"``), or the unconditioned noise (``"raw"``, research only).

>>> import wellspring
>>> pool = wellspring.EntropyPool(conditioning="drbg")
>>> key = pool.get_random_bytes(32)
>>> rng = wellspring.Random()          # a drop-in random.Random
>>> rng.randint(1, 6) in range(1, 7)
True
>>> wellspring.quick_quality(key)["samples"]
32

The module has openentropy's names too: ``EntropyPool.get_bytes``, ``get_raw_bytes``,
``get_source_bytes``, ``get_source_raw_bytes``, ``sources``, ``source_names``,
``print_health``; ``platform_info``, ``min_entropy_estimate``, ``quick_min_entropy``,
``quick_shannon``, ``grade_min_entropy``, ``quick_quality``, ``version``, ``known_sources``
(every source, with an ``available`` flag) and ``detect_available_sources`` (only the
available ones).
"""

from __future__ import annotations

import json as _json
import os as _os
import platform as _platform
import random as _random

from wellspring._native import (
    HealthError,
    NativePool,
    __version__,
    assess_json,
    detect_available_sources,
    known_sources,
    report_json,
    version,
)
from wellspring._native import grade_min_entropy as _grade_min_entropy
from wellspring._native import platform_details as _platform_details
from wellspring._native import min_entropy_estimate as _min_entropy_estimate
from wellspring._native import quick_min_entropy as _quick_min_entropy
from wellspring._native import quick_quality as _quick_quality
from wellspring._native import quick_shannon as _quick_shannon
from wellspring._native import analyze_json as _analyze_json
from wellspring._native import compare_json as _compare_json
from wellspring._native import open_session as _open_session
from wellspring._native import record_session as _record_session

__all__ = [
    "EntropyPool",
    "analyze",
    "compare",
    "HealthError",
    "Random",
    "__version__",
    "assess",
    "detect_available_sources",
    "grade_min_entropy",
    "known_sources",
    "load_session",
    "min_entropy_estimate",
    "platform_info",
    "quick_min_entropy",
    "quick_quality",
    "quick_shannon",
    "record",
    "report",
    "version",
]


def _data(data: object) -> bytes:
    """``data`` as bytes, or a ValueError naming what it was instead."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"data must be bytes-like, not {type(data).__name__}")
    return bytes(data)


def _count(n: object, what: str = "n") -> int:
    """``n`` checked to be an int (not a bool)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise ValueError(f"{what} must be an int, not {type(n).__name__}")
    return n


def _mode(conditioning: object) -> str:
    if not isinstance(conditioning, str):
        raise ValueError("conditioning must be 'sha256', 'drbg' or 'raw'")
    return conditioning


def _name(name: object) -> str:
    if not isinstance(name, str):
        raise ValueError(f"name must be a source name (str), not {type(name).__name__}")
    return name


class EntropyPool:
    """A pool of entropy sources with background harvesting, health tests and conditioning.

    ``sources`` is a list of source or category names (default: every available fast source
    that measures physical noise); ``conditioning`` is ``"sha256"`` (full entropy, default),
    ``"drbg"`` (CTR_DRBG, bulk speed) or ``"raw"`` (unconditioned samples, for research).
    Raises ``ValueError`` for unknown names or modes. The GIL is released while collecting
    and generating, and a pool is safe across ``fork()``: a child never repeats its parent.
    """

    def __init__(self, sources: list[str] | None = None, conditioning: str = "sha256") -> None:
        if sources is not None and (isinstance(sources, str) or not all(isinstance(s, str) for s in sources)):
            raise ValueError("sources must be a list of source or category names")
        self._native = NativePool(sources, _mode(conditioning))

    @classmethod
    def auto(cls) -> "EntropyPool":
        """A pool over every available fast physical-noise source, with SHA-256 output."""
        return cls()

    def get_random_bytes(self, n: int) -> bytes:
        """``n`` random bytes in the pool's conditioning mode. Raises ``ValueError`` for a
        negative ``n`` and ``HealthError`` when the sources fail and no output can be
        produced."""
        return self._native.get_random_bytes(_count(n))

    def get_bytes(self, n: int, conditioning: str = "sha256") -> bytes:
        """``n`` bytes of the pool's output in ``conditioning`` (``"sha256"``, ``"drbg"`` or
        ``"raw"``), whatever mode the pool was made with; each mode keeps its own output
        handle. Errors as for ``get_random_bytes``; ``ValueError`` for an unknown mode."""
        return self._native.get_bytes(_count(n), _mode(conditioning))

    def get_raw_bytes(self, n: int) -> bytes:
        """``n`` unconditioned bytes (``get_bytes(n, "raw")``): the XOR of fresh raw samples
        of every source in the pool. For studying the noise, never for keys."""
        return self._native.get_raw_bytes(_count(n))

    def get_source_bytes(self, name: str, n: int, conditioning: str = "sha256") -> bytes:
        """``n`` bytes from the source ``name`` alone, which must be one of ``source_names()``
        (else ``ValueError``). ``"raw"``: that source's raw samples, collected now.
        ``"sha256"``/``"drbg"``: the output of an engine over that source only, started by
        the first such call and kept for the pool's lifetime (it harvests in the background,
        is health-tested and credited on its own; the first call waits for its credit and
        raises ``HealthError`` if the source cannot earn any)."""
        return self._native.get_source_bytes(_name(name), _count(n), _mode(conditioning))

    def get_source_raw_bytes(self, name: str, n: int) -> bytes:
        """``n`` raw samples of the source ``name``, collected now
        (``get_source_bytes(name, n, "raw")``)."""
        return self._native.get_source_raw_bytes(_name(name), _count(n))

    def health_report(self) -> dict:
        """``{"healthy": n, "total": n, "blocks_available": n, "blocks_revoked": n,
        "diversity": str, "sources":
        [{"name", "family", "healthy", "quarantined", "min_entropy", "assessment",
        "assessment_samples", "credited", "credited_bits_per_second", ...}]}``; ``assessment``
        says where ``min_entropy`` came from: ``"startup"`` (a provisional estimate that earns
        nothing), ``"stored"`` (an earlier run's full-size assessment on this machine),
        ``"full"`` (this run's) or ``"trusted"`` (a platform generator's vendor claim)."""
        return self._native.health_report()

    def collect_all(self, parallel: bool = True, timeout: float = 10.0, samples: int = 1024) -> dict:
        """Raw samples from every source: ``{name: {"samples": bytes | None, "seconds": float,
        "error": str | None}}``. A source slower than ``timeout`` reports an error instead of
        stalling the others."""
        return self._native.collect_all(bool(parallel), float(timeout), int(samples))

    @property
    def source_count(self) -> int:
        """Number of sources in the pool."""
        return self._native.source_count

    @property
    def conditioning(self) -> str:
        """The output mode."""
        return self._native.conditioning

    def sources(self) -> list[dict]:
        """The pool's sources as dicts, as openentropy's ``sources()`` returns them and with
        the same keys as ``known_sources()``: ``{"name", "category", "description", "speed",
        "available", "reason"}``. For the names alone, ``source_names()``."""
        return self._native.sources()

    def source_names(self) -> list[str]:
        """Names of the pool's sources, in order."""
        return self._native.source_names()

    def print_health(self) -> None:
        """Prints ``health_report()`` as a table to stdout: one line per source with its
        health, min-entropy and where that figure came from, whether it earns credit, and
        credited bits."""
        report = self.health_report()
        print(
            f"healthy {report['healthy']}/{report['total']}  credited {report['credited_bits']:.0f} bits"
            f"  reseeds {report['reseeds']}  revoked {report['blocks_revoked']}  diversity {report['diversity']}"
        )
        header = ("SOURCE", "CATEGORY", "HEALTH", "MIN-H", "ASSESSED", "CREDITED", "BITS", "SAMPLES")
        rows = [header]
        for s in report["sources"]:
            health = "QUAR" if s["quarantined"] else ("ok" if s["healthy"] else "fail")
            min_h = "-" if s["min_entropy"] is None else f"{s['min_entropy']:.2f}"
            rows.append(
                (
                    s["name"],
                    s["category"],
                    health,
                    min_h,
                    s["assessment"] or "-",
                    "yes" if s["credited"] else "no",
                    f"{s['credited_bits']:.0f}",
                    str(s["samples"]),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        return None

    def __repr__(self) -> str:
        return f"EntropyPool(sources={self.source_names()!r}, conditioning={self.conditioning!r})"


_RECIP_BPF = 2.0**-53


class Random(_random.Random):
    """``random.Random`` drawing from a wellspring pool, like ``random.SystemRandom``.

    Switch existing code by changing one line: ``rng = wellspring.Random()``. Seeding has no
    effect and the state cannot be saved or restored (there is none to reproduce).
    """

    def __init__(self, pool: EntropyPool | None = None, conditioning: str = "drbg") -> None:
        self._pool = pool if pool is not None else EntropyPool(conditioning=conditioning)
        super().__init__()

    def random(self) -> float:
        """A float in [0.0, 1.0) with 53 random bits."""
        return (int.from_bytes(self._pool.get_random_bytes(7), "big") >> 3) * _RECIP_BPF

    def getrandbits(self, k: int) -> int:
        """An int with ``k`` random bits."""
        if k < 0:
            raise ValueError("number of bits must be non-negative")
        numbytes = (k + 7) // 8
        x = int.from_bytes(self._pool.get_random_bytes(numbytes), "big")
        return x >> (numbytes * 8 - k)

    def randbytes(self, n: int) -> bytes:
        """``n`` random bytes."""
        return self._pool.get_random_bytes(n)

    def seed(self, *args: object, **kwds: object) -> None:
        """Has no effect: output comes from the pool."""
        return None

    def _notimplemented(self, *args: object, **kwds: object) -> None:
        raise NotImplementedError("wellspring.Random has no state to save or restore")

    getstate = setstate = _notimplemented  # type: ignore[assignment]


def assess(
    data: bytes | bytearray | memoryview,
    bits_per_sample: int = 8,
    *,
    iid: bool = False,
    seed: int | None = None,
) -> dict:
    """SP 800-90B min-entropy assessment of ``data``, one sample per byte in its low
    ``bits_per_sample`` bits (1..8), exactly as ``wellspring assess FILE --json`` reports it:
    ``{"samples", "bits_per_sample", "estimators": {"original": {...}, "bitstring": {...}},
    "h_original", "h_bitstring", "h_assessed", "iid"}``. With ``iid=True`` the IID track
    (permutation, chi-square and LRS tests) runs too; ``seed`` fixes its shuffles.

    Raises ``ValueError`` for empty data, a sample wider than ``bits_per_sample`` or a
    ``bits_per_sample`` outside 1..8. The GIL is released while the estimators run.

    >>> import os, wellspring
    >>> r = wellspring.assess(os.urandom(20_000))
    >>> 5.0 < r["h_assessed"] <= 8.0
    True
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"data must be bytes-like, not {type(data).__name__}")
    if isinstance(bits_per_sample, bool) or not isinstance(bits_per_sample, int) or not 1 <= bits_per_sample <= 8:
        raise ValueError(f"bits_per_sample must be an int in 1..8, not {bits_per_sample!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64):
        raise ValueError(f"seed must be an int in 0..2**64, not {seed!r}")
    return _json.loads(assess_json(bytes(data), bits_per_sample, bool(iid), seed))


def report(
    data: bytes | bytearray | memoryview | str,
    *,
    input_format: str = "bytes",
    samples: int | None = None,
    set: dict[str, int] | None = None,
    streams: int = 1,
) -> dict:
    """The NIST SP 800-22 battery (all 15 tests, computed as NIST's sts 2.1.2 does) on the bits
    of ``data``, exactly as ``wellspring report --file F --json`` reports it:
    ``{"bits", "alpha", "tests": [{"name", "params", "p_values", "passed", "skipped"?}]}``;
    a test that did not run (too few bits, too few cycles) has ``"passed": None`` and says why
    in ``"skipped"``.

    ``input_format`` is ``"bytes"`` (each byte MSB first) or ``"ascii"`` ('0'/'1' characters,
    anything else ignored; a ``str`` is read this way); ``samples`` tests only the first that
    many bits; ``set`` overrides parameters (``{"block_frequency.m": 20}``); ``streams`` > 1
    adds sts's multi-stream analysis under ``"streams"``. Raises ``ValueError`` for bad
    arguments. The GIL is released while the tests run.

    >>> import os, wellspring
    >>> r = wellspring.report(os.urandom(125_000))
    >>> [t["name"] for t in r["tests"]][:3]
    ['frequency', 'block_frequency', 'cumulative_sums']
    """
    if isinstance(data, str):
        data, input_format = data.encode("ascii", "replace"), "ascii"
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"data must be bytes-like or str, not {type(data).__name__}")
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, int) or samples < 1):
        raise ValueError(f"samples must be a positive int, not {samples!r}")
    if isinstance(streams, bool) or not isinstance(streams, int) or streams < 1:
        raise ValueError(f"streams must be a positive int, not {streams!r}")
    overrides = []
    for key, value in (set or {}).items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"set[{key!r}] must be an int, not {value!r}")
        overrides.append(f"{key}={value}")
    return _json.loads(report_json(bytes(data), input_format, samples, overrides, streams))


def quick_shannon(data: bytes | bytearray | memoryview) -> float:
    """Shannon entropy of ``data`` in bits per byte (0 to 8; 0 for empty data): how even the
    byte histogram is, not how predictable the bytes are.

    >>> import wellspring
    >>> wellspring.quick_shannon(bytes(range(256)))
    8.0
    """
    return _quick_shannon(_data(data))


def quick_min_entropy(data: bytes | bytearray | memoryview) -> float:
    """A quick min-entropy estimate in bits per byte: the SP 800-90B most-common-value
    estimate (an upper bound on the full assessment for data with structure; 0 for fewer than
    two bytes). ``min_entropy_estimate`` runs the full assessment."""
    return _quick_min_entropy(_data(data))


def grade_min_entropy(h: float) -> str:
    """Letter grade of a min-entropy per 8-bit sample, as ``wellspring bench`` grades:
    ``"A"`` for h ≥ 6, ``"B"`` ≥ 4, ``"C"`` ≥ 2, ``"D"`` ≥ 0.5, else ``"F"``. Raises
    ``ValueError`` for a negative or NaN ``h`` or a non-number."""
    if isinstance(h, bool) or not isinstance(h, (int, float)):
        raise ValueError(f"h must be a number, not {type(h).__name__}")
    try:
        value = float(h)
    except OverflowError:
        raise ValueError(f"h is too large: {h}") from None
    return _grade_min_entropy(value)


def quick_quality(data: bytes | bytearray | memoryview) -> dict:
    """``{"samples": int, "shannon": float, "min_entropy": float, "grade": str}`` for
    ``data``: ``quick_shannon``, ``quick_min_entropy`` and its ``grade_min_entropy``."""
    return _quick_quality(_data(data))


def min_entropy_estimate(data: bytes | bytearray | memoryview) -> float:
    """The full SP 800-90B non-IID min-entropy assessment of ``data`` (8-bit samples), in
    bits per byte: all ten estimators on the bytes and on their bitstring, combined as NIST's
    ``ea_non_iid`` does. It is the figure the engine credits a source by. (openentropy
    returns a dict here; ``assess(data)`` gives every estimator.) Raises ``ValueError`` for
    empty data or too few samples for the predictors. The GIL is released while it runs."""
    return _min_entropy_estimate(_data(data))


def platform_info() -> dict:
    """Facts about this machine that bear on its noise: ``{"system", "machine", "family",
    "python_version", "wellspring_version", "cpu_model", "cores", "kernel_release", "rdrand",
    "rdseed"}``; ``cpu_model`` comes from /proc/cpuinfo (else ``platform.processor()``, else
    None), ``cores`` is the number of logical CPUs this process may use, and ``rdrand`` /
    ``rdseed`` say whether the kernel lists those CPU flags."""
    info: dict = {
        "system": _platform.system(),
        "machine": _platform.machine(),
        "family": "unix" if _os.name == "posix" else ("windows" if _os.name == "nt" else _os.name),
        "python_version": _platform.python_version(),
        "wellspring_version": version(),
    }
    info.update(_platform_details())
    if info["cpu_model"] is None:
        info["cpu_model"] = _platform.processor() or None
    if info["kernel_release"] is None:
        info["kernel_release"] = _platform.release() or None
    return info


def record(
    sources: str | list[str],
    *,
    duration: float | None = None,
    samples: int | None = None,
    output: str | _os.PathLike = "sessions",
    tags: dict[str, str] | None = None,
    note: str | None = None,
    conditioned: bool = False,
) -> str:
    """Records the raw samples of ``sources`` (names or categories, a list or a
    comma-separated filter as ``--sources`` takes) for ``duration`` seconds or ``samples``
    per source, exactly as ``wellspring record`` does, and returns the session folder's path
    (see docs/SESSIONS.md for the layout); with ``conditioned=True`` each source's SHA-256
    output is kept too, as ``record --conditioned`` does. The GIL is released while recording; Ctrl-C
    (KeyboardInterrupt) ends the session cleanly, keeps it, and is raised.

    >>> import tempfile, wellspring
    >>> path = wellspring.record("clock_jitter", samples=10_000, output=tempfile.mkdtemp())
    >>> wellspring.load_session(path)["manifest"]["complete"]
    True
    """
    if isinstance(sources, (list, tuple)):
        if not all(isinstance(s, str) for s in sources):
            raise ValueError("sources must be source or category names")
        sources = ",".join(sources)
    if not isinstance(sources, str) or not sources.strip():
        raise ValueError("sources must name at least one source or category")
    if (duration is None) == (samples is None):
        raise ValueError("give exactly one of duration (seconds) or samples (per source)")
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, int) or samples < 1):
        raise ValueError(f"samples must be a positive int, not {samples!r}")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, (int, float)) or not duration > 0):
        raise ValueError(f"duration must be positive seconds, not {duration!r}")
    tags = dict(tags or {})
    if not all(isinstance(k, str) and isinstance(v, str) and k for k, v in tags.items()):
        raise ValueError("tags must map non-empty str keys to str values")
    path, _manifest = _record_session(
        sources,
        samples=samples,
        seconds=None if duration is None else float(duration),
        output=_os.fspath(output),
        tags=tags,
        note=note,
        conditioned=bool(conditioned),
    )
    return path


def load_session(path: str | _os.PathLike) -> dict:
    """Opens a recorded session: ``{"path", "crashed", "manifest": {...session.json...},
    "samples": {source: bytes}}``, plus ``"arrays": {source: numpy.ndarray of uint8}`` when
    numpy is installed (it is not required). A session cut short by a crash opens too
    (``crashed`` is true and each source's ``samples`` count comes from its raw file).
    """
    path = _os.fspath(path)
    manifest_json, crashed = _open_session(path)
    manifest = _json.loads(manifest_json)
    samples = {}
    for source in manifest["sources"]:
        name = source["name"]
        with open(_os.path.join(path, "raw", f"{name}.bin"), "rb") as f:
            samples[name] = f.read()
    session = {"path": path, "crashed": crashed, "manifest": manifest, "samples": samples}
    try:
        import numpy
    except ImportError:
        return session
    session["arrays"] = {name: numpy.frombuffer(data, dtype=numpy.uint8) for name, data in samples.items()}
    return session


def analyze(
    data: bytes | bytearray | memoryview | None = None,
    *,
    session: str | _os.PathLike | None = None,
    name: str = "data",
    bits_per_sample: int = 8,
    windows: int = 16,
    iid: bool = False,
) -> dict:
    """The noise analysis ``wellspring analyze --json`` prints, of ``data`` (one source,
    called ``name``) or of a recorded ``session`` folder (every source, and the
    cross-correlation of every pair): ``{"sources": [{"name", "samples", "autocorrelation",
    "spectrum", "bit_bias", "histogram_p", "stationarity", "runs_p", "h_assessed", "iid",
    "verdict", "reasons"}], "cross_correlation": [...]}`` (docs/ANALYSIS.md). The GIL is
    released while it runs.
    """
    if (data is None) == (session is None):
        raise ValueError("give exactly one of data (bytes) or session (a session folder)")
    if data is not None and not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"data must be bytes-like, not {type(data).__name__}")
    for label, value, low, high in (("bits_per_sample", bits_per_sample, 1, 8), ("windows", windows, 2, 1024)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{label} must be an int in {low}..{high}, not {value!r}")
    text = _analyze_json(
        data=None if data is None else bytes(data),
        session=None if session is None else _os.fspath(session),
        name=name,
        bits_per_sample=bits_per_sample,
        windows=windows,
        iid=iid,
    )
    return _json.loads(text)



def compare(
    a: bytes | bytearray | memoryview | str | _os.PathLike,
    b: bytes | bytearray | memoryview | str | _os.PathLike,
    *,
    name: str = "data",
    bits_per_sample: int = 8,
) -> dict:
    """Do two recordings differ? The document ``wellspring compare A B --json`` prints, of two
    byte strings (one entry called ``name``) or of two paths (session folders or raw sample
    files): ``{"sources": [{"name", "h_a", "h_b", "h_difference", "h_difference_ci",
    "distribution_p", "acf_difference_p", "differ", "reasons", ...}], "only_in_a",
    "only_in_b"}`` (docs/ANALYSIS.md). The GIL is released while it runs.
    """
    if isinstance(bits_per_sample, bool) or not isinstance(bits_per_sample, int) or not 1 <= bits_per_sample <= 8:
        raise ValueError(f"bits_per_sample must be an int in 1..8, not {bits_per_sample!r}")
    data = (bytes, bytearray, memoryview)
    if isinstance(a, data) and isinstance(b, data):
        text = _compare_json(a_data=bytes(a), b_data=bytes(b), name=name, bits_per_sample=bits_per_sample)
    elif isinstance(a, (str, _os.PathLike)) and isinstance(b, (str, _os.PathLike)):
        text = _compare_json(a_path=_os.fspath(a), b_path=_os.fspath(b), name=name, bits_per_sample=bits_per_sample)
    else:
        raise ValueError("compare two byte strings or two paths (sessions or raw files)")
    return _json.loads(text)
