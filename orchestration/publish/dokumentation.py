"""The data dictionary published with every LIS publication (`published/dokumentation/`): a page per
mart with its grain and every column's type and meaning, for the analysts who build on the marts.
The meanings are the dbt YAML's descriptions (dbt_project/models/marts/lis/*.yml), read from dbt's
manifest, so the dictionary is always the models' own. The same texts become the comments of the
tables and columns in lis.duckdb and PostgreSQL. The pages open from a file share with no network:
no script, style or font is fetched."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from orchestration.dbt import DBT_PROJECT, ensure_manifest

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str


@dataclass(frozen=True)
class MartDoc:
    name: str
    description: str
    columns: tuple[Column, ...]
    rows: int = 0
    key: tuple[str, ...] = ()  # its grain; the published files are sorted by it


def _nodes() -> dict:
    ensure_manifest()
    return json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))["nodes"]


def descriptions(marts: tuple[str, ...]) -> dict[str, tuple[str, dict[str, str]]]:
    """Per mart, its description and its columns' descriptions, from dbt's manifest."""
    found = {}
    for node in _nodes().values():
        if node["resource_type"] == "model" and node["name"] in marts:
            columns = {name: " ".join(c["description"].split()) for name, c in node["columns"].items()}
            found[node["name"]] = (" ".join(node["description"].split()), columns)
    return found


def keys(marts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Per mart, its key (its grain): the columns of its dbt test unique_combination_of_columns."""
    found = {}
    for node in _nodes().values():
        test = node.get("test_metadata") or {}
        mart = node.get("attached_node", "").removeprefix("model.yr.")
        if test.get("name") == "unique_combination_of_columns" and mart in marts:
            found[mart] = tuple(test["kwargs"]["columns"])
    return found


def write(folder: Path, docs: list[MartDoc], title: str = "LIS-marts: dataordbog") -> list[Path]:
    """index.html and one page per mart, plus README.md naming each mart and its grain."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "index.html"]
    written[0].write_text(env.get_template("dokumentation_index.html").render(title=title, marts=docs), "utf-8")
    for doc in docs:
        page = folder / f"{doc.name}.html"
        page.write_text(env.get_template("dokumentation_mart.html").render(title=title, mart=doc), "utf-8")
        written.append(page)
    readme = ["# LIS-marts", "", "Hver mart findes som Parquet (`lis/<mart>/`), i `lis.duckdb`, i PostgreSQL-skemaet",
              "`lis` og, undtagen `lis_borger_uge` (på landsplan for stor til Excel), som CSV til Excel",
              "(`lis-csv/<mart>.csv`).",
              "Filernes rækker står i martens nøgles orden. `borger_id` er tekst i alle formater, i CSV-filen som",
              '`="…"`, som Excel viser som teksten (som tal ville Excel miste de sidste cifre).',
              "Kolonnernes betydning: `dokumentation/<mart>.html`.", ""]  # fmt: skip
    readme += [f"- **{d.name}** ({d.rows:,} rækker; nøgle: {', '.join(d.key)}): {d.description}" for d in docs]
    (folder.parent / "README.md").write_text("\n".join(readme) + "\n", encoding="utf-8")
    return written


def comment_sql(relation: str, doc: MartDoc, quote=lambda name: name) -> list[str]:
    """COMMENT statements giving a table and its columns their descriptions (DuckDB and PostgreSQL)."""

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    statements = [f"comment on table {relation} is {literal(doc.description)}"]
    statements += [
        f"comment on column {relation}.{quote(c.name)} is {literal(c.description)}"
        for c in doc.columns
        if c.description
    ]
    return statements
