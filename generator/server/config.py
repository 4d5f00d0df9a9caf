"""Frozen settings of the local server: accepted tokens, job timings, file sizes, cost.

Everything a test may want to vary per server lives here; what it may want to vary per test
(faults, failures, timings of later jobs) is a knob on the ``Controller`` instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DEFAULT_TOKEN = "test-token"
DEFAULT_FILE_SIZE = 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Timings:
    """How long a job stays in each state; ``math.inf`` keeps it there for good."""

    queue_seconds: float = 1.0
    run_seconds: float = 2.0

    def __post_init__(self) -> None:
        for name in ("queue_seconds", "run_seconds"):
            value = getattr(self, name)
            if math.isnan(value) or value < 0:
                raise ValueError(f"{name} must be a non-negative number of seconds, got {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerConfig:
    """Server-wide settings.

    ``broke_tokens`` authenticate like ``tokens`` but every submit made with them answers
    402 (insufficient balance), so a client's balance error can be tested without faults.
    """

    tokens: frozenset[str] = frozenset({DEFAULT_TOKEN})
    broke_tokens: frozenset[str] = frozenset()
    timings: Timings = field(default_factory=Timings)
    file_size: int = DEFAULT_FILE_SIZE
    cost_per_job: float = 0.05

    def __post_init__(self) -> None:
        if not self.tokens and not self.broke_tokens:
            raise ValueError("the server needs at least one accepted token")
        if any(not token or token != token.strip() for token in self.all_tokens):
            raise ValueError("tokens must be non-empty and have no surrounding whitespace")
        if self.file_size < 0:
            raise ValueError(f"file_size must be >= 0, got {self.file_size}")

    @property
    def all_tokens(self) -> frozenset[str]:
        return self.tokens | self.broke_tokens

    @property
    def primary_token(self) -> str:
        """The token a test client should use: the default one if accepted, else the first."""
        if DEFAULT_TOKEN in self.tokens:
            return DEFAULT_TOKEN
        return min(self.tokens or self.broke_tokens)
