"""Opaque keyset-pagination cursors (servicekit's one format)."""

from servicekit.pagination import decode_cursor, encode_cursor

__all__ = ["decode_cursor", "encode_cursor"]
