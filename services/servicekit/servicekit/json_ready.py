"""A response body a route has already built from plain JSON values.

``run_write`` hands every other body to FastAPI's ``jsonable_encoder``, which walks it value by
value (and copies it) to make it JSON-ready. A bulk answer of thousands of items is already made
of ``dict``/``list``/``str``/``int``/``bool``/``None`` only, and the walk was a tenth of a bulk
registration's time; wrapped in :class:`JsonReady` it is stored and sent as it is. Only wrap what
holds nothing else (no dates, decimals, enums or models): the route's tests compare the wrapped
body with ``jsonable_encoder`` of it.
"""

from __future__ import annotations

from typing import Any


class JsonReady(dict[str, Any]):
    """A JSON object of plain JSON values, passed through without ``jsonable_encoder``."""
