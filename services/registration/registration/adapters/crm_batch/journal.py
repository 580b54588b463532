"""The batch unit's savepoints: an undo journal in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_MISSING = object()


class UndoJournal:
    """Undo steps for the changes made inside :meth:`savepoint` blocks (a savepoint, in memory).

    Outside any block a change is simply made; inside one, how to undo it is noted first, so a
    block that fails leaves nothing behind, as a rolled-back savepoint would.
    """

    def __init__(self) -> None:
        self.steps: list[Callable[[], object]] = []
        self.depth = 0

    def assign(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        if self.depth:
            old = mapping.get(key, _MISSING)
            if old is _MISSING:
                self.steps.append(lambda: mapping.pop(key, None))
            else:
                self.steps.append(lambda: mapping.__setitem__(key, old))
        mapping[key] = value

    def append(self, items: list[Any], item: Any) -> None:
        if self.depth:
            self.steps.append(items.pop)
        items.append(item)

    def add(self, items: set[Any], item: Any) -> None:
        if item not in items:
            if self.depth:
                self.steps.append(lambda: items.discard(item))
            items.add(item)

    def discard(self, items: set[Any], item: Any) -> None:
        if item in items:
            if self.depth:
                self.steps.append(lambda: items.add(item))
            items.discard(item)

    def undo_to(self, mark: int) -> None:
        while len(self.steps) > mark:
            self.steps.pop()()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Changes made inside are undone if the block fails; the outermost block that succeeds
        forgets how to undo them."""
        mark = len(self.steps)
        self.depth += 1
        try:
            yield
        except BaseException:
            self.undo_to(mark)
            raise
        finally:
            self.depth -= 1
        if not self.depth:
            self.steps.clear()
