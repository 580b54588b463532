"""A clock tests set to a business day: windows, escalations and closes without waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


class SettableClock:
    """The service's clock in tests: noon UTC of the day it is set to (``set`` moves it)."""

    def __init__(self, day: date) -> None:
        self.set(day)

    def set(self, day: date) -> None:
        self.current = datetime.combine(day, time(12), UTC)

    def now(self) -> datetime:
        return self.current
