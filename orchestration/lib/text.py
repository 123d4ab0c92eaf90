"""Delivery text (DELIVERIES.md "Text format"): UTF-8 with or without BOM, or Windows-1252; lines
of `;`-separated fields, each field bare or enclosed in double quotes."""

from __future__ import annotations

import re

BOM = b"\xef\xbb\xbf"
_NEWLINE = re.compile(r"\r\n|\r|\n")


class NotTextError(ValueError):
    """The bytes are not a text file (binary content, or decodable by none of the encodings)."""


# Control bytes that no delivery holds (tab, line ends and form feed are text); a file whose start
# is more than 1 % of them is binary, whatever an encoding makes of it.
_CONTROL = bytes(sorted(set(range(32)) - {9, 10, 12, 13})) + b"\x7f"
_SNIFF = 64 * 1024
_MAX_CONTROL_SHARE = 0.01


def refuse_binary(raw: bytes) -> None:
    """NotTextError, saying what the file looks like, when it is not text at all."""
    if raw.startswith(b"\x1f\x8b"):
        raise NotTextError("den ligner en gzip-komprimeret fil — pak den ud, før den lægges i landing/")
    if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise NotTextError(
            "den ligner en zip-fil (fx et Excel-regneark) — pak den ud eller gem den som ;-separeret tekst, "
            "før den lægges i landing/"
        )
    if b"\x00" in raw:
        raise NotTextError("den rummer NUL-bytes: den er binær, ikke en leverance")
    head = raw[:_SNIFF]
    if len(head) - len(head.translate(None, _CONTROL)) > _MAX_CONTROL_SHARE * len(head):
        raise NotTextError("den rummer for mange kontroltegn: den er binær, ikke en leverance")


def detect_encoding(raw: bytes) -> str:
    """`utf-8-sig` (BOM), `utf-8`, or `cp1252`. Valid UTF-8 is taken as UTF-8: Windows-1252
    text with æ, ø or å is practically never valid UTF-8, and ASCII is both."""
    refuse_binary(raw)
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
        raise NotTextError(f"den er hverken UTF-8 eller Windows-1252 (byte {error.start})") from None
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


# A field is bare (no `;`, no `"`) or enclosed in double quotes with `""` for a quote inside. One
# pattern for Python (`re`) and DuckDB (RE2), which both take the first alternative that matches.
FIELD_PATTERN = r'"(?:[^"]|"")*"|[^;"]*'
LINE_PATTERN = f"(?:{FIELD_PATTERN})(?:;(?:{FIELD_PATTERN}))*"
_LINE = re.compile(LINE_PATTERN)
_FIELDS = re.compile(f";({FIELD_PATTERN})")


class QuoteError(ValueError):
    """A line whose quotes do not enclose whole fields (unclosed, or inside a bare field)."""


def split_fields(line: str) -> list[str]:
    """A line's fields without their quotes; QuoteError when the line is not made of fields alone."""
    if '"' not in line:
        return line.split(";")
    if not _LINE.fullmatch(line):
        raise QuoteError("et anførselstegn er ikke lukket eller står inde i et felt uden anførselstegn")
    return [f[1:-1].replace('""', '"') if f.startswith('"') else f for f in _FIELDS.findall(";" + line)]


def join_fields(fields: list[str]) -> str:
    """A line of fields, each quoted only when it holds `;`, `"` or a line break: what split_fields reads."""
    return ";".join('"' + f.replace('"', '""') + '"' if any(c in f for c in ';"\r\n') else f for f in fields)
