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
"""

from __future__ import annotations

import json as _json
import random as _random

from wellspring._native import HealthError, NativePool, assess_json, detect_available_sources, report_json

__all__ = ["EntropyPool", "HealthError", "Random", "assess", "detect_available_sources", "report"]


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
        if not isinstance(conditioning, str):
            raise ValueError("conditioning must be 'sha256', 'drbg' or 'raw'")
        self._native = NativePool(sources, conditioning)

    @classmethod
    def auto(cls) -> "EntropyPool":
        """A pool over every available fast physical-noise source, with SHA-256 output."""
        return cls()

    def get_random_bytes(self, n: int) -> bytes:
        """``n`` random bytes. Raises ``ValueError`` for a negative ``n`` and ``HealthError``
        when the sources fail and no output can be produced."""
        if not isinstance(n, int) or isinstance(n, bool):
            raise ValueError(f"n must be an int, not {type(n).__name__}")
        return self._native.get_random_bytes(n)

    def health_report(self) -> dict:
        """``{"healthy": n, "total": n, "blocks_revoked": n, "diversity": str, "sources":
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

    def sources(self) -> list[str]:
        """Names of the pool's sources."""
        return self._native.sources()

    def __repr__(self) -> str:
        return f"EntropyPool(sources={self.sources()!r}, conditioning={self.conditioning!r})"


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
    ``{"bits", "alpha", "tests": [{"name", "params", "p_values", "passed", "skipped"?}]}``.

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
