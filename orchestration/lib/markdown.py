"""Text the Dagster UI renders as Markdown: asset descriptions and Markdown metadata."""

from __future__ import annotations

import re

import dagster as dg

_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
_PLACEHOLDER = re.compile(r"(?<!\\)<([A-Za-zÆØÅæøå_][\w.-]*)>")


def escape_placeholders(text: str) -> str:
    r"""`published/lis/<mart>/` outside code would show as published/lis//: the renderer takes `<mart>`
    for an HTML tag and drops it. Each such placeholder outside code (`…`, ```…```) becomes
    \<mart\>, which Markdown shows as <mart>; code is shown as it is."""
    parts = _CODE.split(text)
    return "".join(part if i % 2 else _PLACEHOLDER.sub(r"\\<\1\\>", part) for i, part in enumerate(parts))


def markdown(text: str) -> dg.MetadataValue:
    """Markdown metadata, its placeholders kept."""
    return dg.MetadataValue.md(escape_placeholders(text))
