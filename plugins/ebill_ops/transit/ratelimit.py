"""A thread-safe token bucket: at most ``rate`` bills per second to finance, bursts up to ``burst``.

The clock and the sleep are parameters so that tests can drive time instead of waiting for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self,
        rate: float,
        burst: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate < 0 or burst <= 0:
            raise ValueError("rate must be >= 0 and burst > 0")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._last = clock()
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds spent waiting, for the run summary

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now

    def acquire(self, amount: float) -> float:
        """Take ``amount`` tokens, waiting as long as needed; returns the seconds waited.

        A request larger than the burst is allowed once the bucket is full (it then goes into
        debt), so a batch bigger than one second of rate is slowed, never refused.
        """
        if self.rate == 0:
            return 0.0
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                need = min(amount, self.burst)
                if self._tokens >= need:
                    self._tokens -= amount
                    self.waited += waited
                    return waited
                pause = (need - self._tokens) / self.rate
            self._sleep(pause)
            waited += pause
