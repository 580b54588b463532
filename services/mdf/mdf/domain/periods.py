"""Fund periods are calendar quarters, written ``YYYY-Qn``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_PATTERN = re.compile(r"^([0-9]{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(text)
        if match is None:
            raise ValueError(f"period must look like 2026-Q1, not {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def starts_on(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def ends_on(self) -> date:
        following = Period(self.year + 1, 1) if self.quarter == 4 else Period(self.year, self.quarter + 1)
        return following.starts_on - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"
