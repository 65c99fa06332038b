"""The codebook: every Table Schema of ``data_dictionary/`` and the study manifest's
documentation rendered as one Markdown file (``make codebook`` → ``data_dictionary/CODEBOOK.md``).

It sits above :mod:`analysis.intake.dictionary` and :mod:`analysis.intake.manifest` (it reads
both), so neither imports the other in a circle.
"""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from analysis.intake import manifest
from analysis.intake.dictionary import DICTIONARY_DIR


def _constraint_text(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if "minimum" in c and "maximum" in c:
        parts.append(f"{c['minimum']}–{c['maximum']}")
    elif "minimum" in c:
        parts.append(f"≥ {c['minimum']}")
    elif "maximum" in c:
        parts.append(f"≤ {c['maximum']}")
    if "enum" in c:
        parts.append("one of " + ", ".join(f"`{v}`" for v in c["enum"]))
    if "pattern" in c:
        parts.append(f"pattern `{c['pattern']}`")
    if c.get("unique"):
        parts.append("unique")
    for cat in field.get("categories", ()):
        names = dict.fromkeys([cat.get("label"), *cat.get("labels", {}).values(), *cat.get("aliases", ())])
        parts.append(f"`{cat['value']}` = " + " / ".join(f"{n}" for n in names if n is not None))
    if field.get("trueValues"):
        parts.append("true: " + ", ".join(f"`{v}`" for v in field["trueValues"]))
    if field.get("falseValues"):
        parts.append("false: " + ", ".join(f"`{v}`" for v in field["falseValues"]))
    if field.get("foldCase"):
        parts.append("spellings differing only in case or spacing are one value (written as most rows spell it)")
    rule = field.get("agreesWith")
    if rule:
        parts.append(f"must agree with `{rule['field']}` of the {rule['dataset']} file for the same `{rule['by']}` "
                     "(a disagreeing row is rejected)")
    if "missingValues" in field:
        parts.append("missing: " + ", ".join("empty" if m == "" else f"`{m}`" for m in field["missingValues"]))
    return "; ".join(parts)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _manifest_text() -> str:
    """The manifest's documentation, from :mod:`analysis.intake.manifest` (its one home), as Markdown."""
    doc = manifest.__doc__
    body = doc[doc.index("The manifest describes"):doc.index("Examples\n")].strip()
    intro, rest = body.split("::\n\n", 1)
    block, rest = rest.split("\n\n", 1)
    text = f"{intro}:\n\n```yaml\n{textwrap.dedent(block)}\n```\n\n{rest}"
    text = re.sub(r"(?<!`)``(?!`)", "`", text)
    return re.sub(r":(?:data|class|attr|meth|func|mod):`([^`]+)`", r"`\1`", text)


def render_codebook(directory: str | Path = DICTIONARY_DIR) -> str:
    """Markdown codebook of every ``*.json`` schema in ``directory`` (sorted by file name).

    One section per dataset: title, description, primary key, missing-value codes, and a table
    of fields (name, type, required, allowed values with every accepted value label and alias and
    the field's own missing codes, other accepted headers, description).

    Examples
    --------
    >>> render_codebook().splitlines()[0]
    '# Codebook'
    """
    directory = Path(directory)
    lines = ["# Codebook", "",
             "Rendered from the Frictionless Table Schemas in `data_dictionary/` by "
             "`python -m analysis codebook --out data_dictionary/CODEBOOK.md`; do not edit by hand.", "",
             "Headers are matched by name, label (fi/sv/en) or alias; cell values by code, value label or "
             "alias (`categories`), true/false values and a field's own missing codes — ignoring case, "
             "with dashes and white space folded. A cell holding a missing code is a missing answer, not a rejected row.", ""]
    lines += ["## The study manifest (`manifest.yaml`)", "", _manifest_text(), ""]
    for path in sorted(directory.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        lines += [f"## {schema.get('title', path.stem)} (`{path.name}`)", ""]
        if schema.get("description"):
            lines += [schema["description"], ""]
        pk = schema.get("primaryKey")
        if pk:
            lines.append(f"- Primary key: {', '.join(f'`{k}`' for k in ([pk] if isinstance(pk, str) else pk))}")
        missing = schema.get("missingValues", [""])
        lines.append("- Missing-value codes: " + ", ".join("empty cell" if m == "" else f"`{m}`" for m in missing))
        lines += ["", "| column | type | required | allowed values | also accepted as | description |",
                  "|---|---|---|---|---|---|"]
        for f in schema["fields"]:
            required = "yes" if f.get("constraints", {}).get("required") else ""
            aliases = ", ".join(f"`{a}`" for a in dict.fromkeys([*f.get("labels", {}).values(), *f.get("aliases", ())]))
            lines.append(f"| `{f['name']}` | {f.get('type', 'string')} | {required} | "
                         f"{_cell(_constraint_text(f))} | {_cell(aliases)} | {_cell(f.get('description', ''))} |")
        lines.append("")
    return "\n".join(lines)
