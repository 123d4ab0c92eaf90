"""Delivery text (DELIVERIES.md "Text format"): UTF-8 with or without BOM, or Windows-1252."""

from __future__ import annotations

import re

BOM = b"\xef\xbb\xbf"
_NEWLINE = re.compile(r"\r\n|\r|\n")


class NotTextError(ValueError):
    """The bytes are not a text file (binary content, or decodable by none of the encodings)."""


def detect_encoding(raw: bytes) -> str:
    """`utf-8-sig` (BOM), `utf-8`, or `cp1252`. Valid UTF-8 is taken as UTF-8: Windows-1252
    text with æ, ø or å is practically never valid UTF-8, and ASCII is both."""
    if b"\x00" in raw:
        raise NotTextError("the file holds NUL bytes: it is binary, not a delivery")
    if raw.startswith(BOM):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError as error:
        raise NotTextError(f"neither UTF-8 nor Windows-1252 (byte {error.start})") from None
    return "cp1252"


def decode(raw: bytes) -> tuple[str, str]:
    encoding = detect_encoding(raw)
    return raw.decode(encoding), encoding


def physical_lines(text: str) -> list[str]:
    """Lines ended by LF, CRLF or CR (and nothing else: not form feeds or Unicode separators),
    numbered as editors number them when line 1 is the header."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def first_line(text: str) -> tuple[str, str]:
    """The first physical line and the text after its line ending."""
    end = _NEWLINE.search(text)
    return (text[: end.start()], text[end.end() :]) if end else (text, "")


# The same split as physical_lines, in DuckDB SQL, of a text column: a list of the lines (a text that
# ends with a line ending gives an empty last one, like a blank line, which ingestion skips).
SQL_PHYSICAL_LINES = "string_split(replace(replace({text}, chr(13) || chr(10), chr(10)), chr(13), chr(10)), chr(10))"
