"""Failed logins, counted per user name and per client address: once a user name has 5 failures
within 15 minutes, or an address 20 (a municipality's staff often share one address), further
attempts with it are refused without checking the password, until the oldest of them is 15
minutes old. A successful login clears the user name's failures, not the address's.

An attempt is counted as a failure when it starts, so that a flood of parallel attempts gets no
more than the limit of checks in; a success gives its count back. State is in memory, one
process's, and bounded: at most `max_keys` keys per kind are remembered (those idle longest are
forgotten first), so random user names cannot make it grow.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class Throttle:
    def __init__(self, limit: int, window: float, max_keys: int = 10_000, clock: Callable[[], float] = time.time):
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def attempt(self, key: str) -> float | None:
        """Count an attempt with `key` and return None, or, when the key is refused, the seconds until
        it may try again (nothing is counted then)."""
        with self._lock:
            now = self.clock()
            failures = self._failures.setdefault(key, deque())
            self._failures.move_to_end(key)
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if len(failures) >= self.limit:
                return failures[0] + self.window - now
            failures.append(now)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)
            return None

    def give_back(self, key: str) -> None:
        """An attempt counted by `attempt` that did not fail."""
        with self._lock:
            if failures := self._failures.get(key):
                failures.pop()

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def __len__(self) -> int:
        return len(self._failures)


class LoginThrottle:
    USER_LIMIT, ADDRESS_LIMIT, WINDOW = 5, 20, 15 * 60
    NAME_CHARS = 100  # a key holds at most this much of a typed name

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.users = Throttle(self.USER_LIMIT, self.WINDOW, clock=clock)
        self.addresses = Throttle(self.ADDRESS_LIMIT, self.WINDOW, clock=clock)

    def attempt(self, navn: str, address: str) -> float | None:
        """None: go on and check the password. Else the seconds until the user or address may try again."""
        navn = navn[: self.NAME_CHARS]
        if (wait := self.users.attempt(navn)) is not None:
            return wait
        if (wait := self.addresses.attempt(address)) is not None:
            self.users.give_back(navn)  # refused unchecked: no failure of the user's
            return wait
        return None

    def succeeded(self, navn: str, address: str) -> None:
        self.users.reset(navn[: self.NAME_CHARS])
        self.addresses.give_back(address)
