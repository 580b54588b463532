"""The one CSV convention of every insights table: the same route with ``?format=csv``.

A JSON page (``{"items": [...], "next_cursor": ...}``) becomes ``text/csv`` with one row per item:
nested objects flatten to dotted columns (``won_revenue.amount``, ``won_revenue.currency``), lists
become JSON text, null becomes an empty cell. The next page's cursor travels in the ``X-Next-Cursor``
header and a ``Link: <...>; rel="next"`` header, so a BI tool pages through CSV as through JSON.
Money stays a decimal string in its column, never a float.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import orjson
from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

Format = Annotated[
    Literal["json", "csv"],
    Query(description="`csv` answers the same table as text/csv (one row per item, dotted columns)"),
]

CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "The page as JSON, or as CSV with `?format=csv` (next cursor in `X-Next-Cursor`).",
        "headers": {"X-Next-Cursor": {"schema": {"type": "string"}, "description": "CSV only: the next page"}},
    }
}


def flatten(item: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            row.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            row[name] = orjson.dumps(value).decode()
        elif value is None:
            row[name] = ""
        else:
            row[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return row


def model_columns(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The dotted columns of a model's fields (an empty table still has its header)."""
    columns: list[str] = []
    for name, info in model.model_fields.items():
        optional = get_origin(info.annotation) in (Union, UnionType)  # X | None; dict[str, X] stays one column
        nested = [a for a in (info.annotation, *(get_args(info.annotation) if optional else ())) if _is_model(a)]
        columns += model_columns(nested[0], f"{prefix}{name}.") if nested else [f"{prefix}{name}"]
    return columns


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def to_csv(items: Iterable[Mapping[str, Any]], header: Iterable[str] = ()) -> str:
    rows = [flatten(item) for item in items]
    columns: dict[str, None] = {} if rows else dict.fromkeys(header)
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def table_response(request: Request, page: BaseModel, fmt: str, *, items_field: str = "items") -> Any:
    """``page`` as it is (JSON), or its items as CSV when ``fmt`` is ``csv``."""
    if fmt != "csv":
        return page
    data = page.model_dump(mode="json")
    headers: dict[str, str] = {}
    next_cursor = data.get("next_cursor")
    if next_cursor:
        headers["X-Next-Cursor"] = next_cursor
        headers["Link"] = f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'
    item_types = [a for a in get_args(type(page).model_fields[items_field].annotation) if _is_model(a)]
    header = model_columns(item_types[0]) if item_types else []
    return Response(to_csv(data[items_field], header), media_type="text/csv; charset=utf-8", headers=headers)
