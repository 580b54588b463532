"""The one CSV convention of the insights tables: dotted columns, money as decimal strings, a header
even for an empty table."""

from __future__ import annotations

from insights.entrypoints.csv_export import flatten, model_columns, to_csv
from insights.entrypoints.schemas import PartnerPage
from pydantic import BaseModel


class Inner(BaseModel):
    amount: str
    currency: str


class Row(BaseModel):
    name: str
    total: Inner
    best: Inner | None
    by_kind: dict[str, int]


def test_nested_objects_flatten_to_dotted_columns() -> None:
    item = {"name": "a", "total": {"amount": "10.50", "currency": "USD"}, "tags": ["x", "y"], "none": None, "ok": True}
    assert flatten(item) == {
        "name": "a",
        "total.amount": "10.50",
        "total.currency": "USD",
        "tags": '["x","y"]',
        "none": "",
        "ok": "true",
    }


def test_rows_share_one_header_in_first_seen_order() -> None:
    text = to_csv([{"a": 1, "b": {"c": "2"}}, {"a": 3, "d": "x,y"}])
    assert text == 'a,b.c,d\r\n1,2,\r\n3,,"x,y"\r\n'


def test_an_empty_table_still_has_its_header() -> None:
    assert model_columns(Row) == ["name", "total.amount", "total.currency", "best.amount", "best.currency", "by_kind"]
    assert to_csv([], model_columns(Row)) == "name,total.amount,total.currency,best.amount,best.currency,by_kind\r\n"
    assert model_columns(PartnerPage)[:2] == ["items", "next_cursor"]
