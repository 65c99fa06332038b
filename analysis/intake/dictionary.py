"""Data dictionary: Frictionless Table Schemas for every dataset the package reads or writes.

The schemas for questionnaire data are *generated* from the instrument definitions in
``questionnaires/*.yaml`` so that the dictionary, the loader (:mod:`analysis.intake.readers`, which checks
files against these very schemas) and the scoring code cannot drift apart:

* ``responses-<id>.json`` — wide responses, one row per ``respondent_id`` × ``occasion``;
* ``scores-<id>.json`` — the columns :func:`analysis.intake.scoring.score` writes;
* ``rejections.json`` — the rejection file written in reject-rows mode.

Other schemas in ``data_dictionary/`` (background variables, service use, indicators…) are
written by hand and only rendered here. ``python -m analysis dictionary`` writes the generated
files; ``python -m analysis codebook --out data_dictionary/CODEBOOK.md`` renders all of them
as Markdown with :func:`analysis.intake.codebook.render_codebook`.

Own code rather than the ``frictionless`` package: the package needs only the Table Schema
descriptor format (plain JSON) and a small subset of its checks, which :mod:`analysis.intake.readers`
implements with Finnish-specific reading rules (decimal comma, cp1252, file row numbers) that
the library does not offer; adding it would add a large dependency for no gain.

Examples
--------
>>> from analysis.intake.instruments import load_instrument
>>> schema = responses_schema(load_instrument("3x10d"))
>>> [f["name"] for f in schema["fields"]][:4]
['respondent_id', 'occasion', 'date', 'sat_health']
>>> schema["fields"][3]["constraints"]
{'minimum': 0, 'maximum': 10}
"""
from __future__ import annotations

import json
from pathlib import Path

from analysis import resource
from analysis.intake.instruments import (
    Instrument,
    available_instruments,
    load_instrument,
)

DICTIONARY_DIR = resource("data_dictionary")

#: Cell texts read as missing in every questionnaire column (after stripping white space): empty
#: cells and the R/Excel/SPSS conventions. Answer-level codes (``EOS``, ``-9`` …) are declared per
#: instrument (``missing_codes`` in its YAML) and apply to its item columns only.
MISSING_VALUES = ["", "NA", "N/A", "#N/A", "."]

#: Other names accepted for the identifier columns (matched like item labels: case, punctuation,
#: white space and dashes folded; see :func:`analysis.intake.instruments.header_text`).
ID_FIELDS = [
    {"name": "respondent_id", "type": "string",
     "description": "Pseudonymous respondent identifier (never a personal identity code; see "
                    "analysis.intake.privacy.pseudonymise).",
     "labels": {"fi": "Vastaajatunnus", "sv": "Respondent-id", "en": "Respondent ID"},
     "aliases": ["id", "tunniste", "tunnus", "vastaajatunnus", "vastaajan tunnus", "vastaaja_id", "asiakastunnus",
                 "asiakkaan tunnus", "asiakas_id", "respondent", "respondent id", "client id", "participant id",
                 "deltagar-id"],
     "constraints": {"required": True}},
    {"name": "occasion", "type": "string",
     "description": "Measurement occasion, e.g. baseline, 6m, 12m (pilot) or t1, retest (comparison "
                    "cohort). Optional column: files without it are single-occasion; when present "
                    "every row needs a value.",
     "labels": {"fi": "Mittauskerta", "sv": "Mätningstillfälle", "en": "Occasion"},
     "aliases": ["mittauskerta", "mittausajankohta", "vastauskerta", "ajankohta", "mätningstillfälle", "wave",
                 "time point"]},
]
DATE_FIELD = {"name": "date", "type": "date", "format": "default",
              "description": "Date of answering: YYYY-MM-DD or D.M.YYYY, optionally with a time "
                             "(3.2.2025 14:05, 2025-02-03T14:05), which is kept. Optional column.",
              "labels": {"fi": "Vastauspäivä", "sv": "Svarsdatum", "en": "Date"},
              "aliases": ["päivämäärä", "pvm", "vastauspäivä", "datum", "vastausaika", "aikaleima", "timestamp"]}

REJECTION_FIELDS = [
    {"name": "file", "type": "string", "description": "Input file the row came from."},
    {"name": "row", "type": "integer",
     "description": "Row as numbered in the file, header = row 1 (xlsx: sheet row; sav: case number + 1)."},
    {"name": "respondent_id", "type": "string", "description": "Respondent of the row, when readable."},
    {"name": "column", "type": "string", "description": "Column header as written in the file."},
    {"name": "value", "type": "string", "description": "Offending cell text (identity codes masked)."},
    {"name": "reason", "type": "string", "description": "What was expected."},
    {"name": "line", "type": "integer",
     "description": "Physical line of a CSV file where the row starts (differs from row when a quoted cell "
                    "spans lines); in workbooks and SPSS files the same as row."},
    {"name": "scope", "type": "string", "constraints": {"enum": ["row", "answer"]},
     "description": "row: the problem rejected the row; answer: an invalid answer was read as missing and the "
                    "row kept (an id or occasion cell, which the scoring needs, always rejects the row)."},
    {"name": "code", "type": "string",
     "description": "The reason as a code (invalid_value, broken_line, missing_key, duplicate_key), for "
                    "reports in other languages; empty for a study-level check (occasion, agreement)."},
    {"name": "fields", "type": "string",
     "description": "The reason's facts as JSON (e.g. the expected type and range), for reports."},
]


def _item_field(ins: Instrument, key: str) -> dict:
    """An item's field: type, scale, the scale's value labels as ``categories`` (a cell holding a
    label reads as its code) and the instrument's answer-level missing codes."""
    item = ins.item(key)
    field = {"name": key, "description": item.label.get("en", key)}
    if item.kind == "text":
        field["type"] = "string"
    else:
        field["type"] = "integer"
        field["constraints"] = {"minimum": item.scale.min, "maximum": item.scale.max}
        if item.scale.labels:
            field["categories"] = [{"value": v, "label": labels.get("en", str(v)), "labels": dict(labels)}
                                   for v, labels in sorted(item.scale.labels.items())]
    if ins.missing_codes:
        field["missingValues"] = [*MISSING_VALUES, *(c for c in ins.missing_codes if c not in MISSING_VALUES)]
    return field


def responses_schema(ins: Instrument) -> dict:
    """Table Schema of wide responses to ``ins`` (the layout :func:`analysis.intake.readers.load_responses` reads).

    Columns: ``respondent_id``, optional ``occasion`` and ``date``, then every item (rating items
    ``integer`` with the scale as ``minimum``/``maximum``; text items ``string``). Item columns may be
    named by key or by any label or alias of the instrument definition.

    Examples
    --------
    >>> schema = responses_schema(load_instrument("who5"))
    >>> [f["name"] for f in schema["fields"]][2:5], schema["primaryKey"]
    (['date', 'who5_1', 'who5_2'], ['respondent_id', 'occasion'])
    """
    return {
        "name": f"responses-{ins.id}",
        "title": f"Responses: {ins.title.get('en', ins.id)}",
        "description": f"Wide responses to instrument '{ins.id}', one row per respondent_id × occasion. "
                       "Item columns may be headed by key, Finnish/Swedish/English label or alias "
                       f"(questionnaires/{ins.id}.yaml). Columns not listed are passed through unchecked.",
        "fields": [*ID_FIELDS, DATE_FIELD, *(_item_field(ins, k) for k in ins.item_keys)],
        "missingValues": MISSING_VALUES,
        "primaryKey": ["respondent_id", "occasion"],
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _life_domain_fields(ins: Instrument) -> list[dict]:
    cfg = ins.scoring
    bands = [b["name"] for b in cfg["bands"]]
    band_text = ", ".join(f"{b['name']} {b['min']}–{b['max']}" for b in cfg["bands"])
    prio = cfg["priority"]
    fields = []
    for domain in cfg["domains"]:
        sat = ins.item(f"sat_{domain}")
        lo, hi = sat.scale.min, sat.scale.max
        name = sat.label.get("en", domain).split("–")[-1].strip()
        fields += [
            {"name": f"sat_{domain}", "type": "integer", "constraints": {"minimum": lo, "maximum": hi},
             "description": f"Satisfaction now – {name} ({lo}–{hi})."},
            {"name": f"band_{domain}", "type": "string", "constraints": {"enum": bands},
             "description": f"Traffic-light band of sat_{domain}: {band_text}."},
            {"name": f"imp_{domain}", "type": "integer", "constraints": {"minimum": lo, "maximum": hi},
             "description": f"Importance – {name}. Only when importance was asked."},
            {"name": f"goal_{domain}", "type": "integer", "constraints": {"minimum": lo, "maximum": hi},
             "description": f"Goal (wished satisfaction) – {name}. Only when goals were asked."},
            {"name": f"gap_{domain}", "type": "integer", "constraints": {"minimum": lo - hi, "maximum": hi - lo},
             "description": f"goal_{domain} − sat_{domain}. Only when goals were asked."},
            {"name": f"priority_{domain}", "type": "boolean",
             "description": f"Priority domain: imp_{domain} ≥ {prio['importance_min']} and "
                            f"sat_{domain} ≤ {prio['satisfaction_max']} (default thresholds; configurable). "
                            "Only when importance was asked."},
        ]
    n_dom = len(cfg["domains"])
    mean_cfg = cfg["domain_mean"]
    fields += [
        {"name": "n_answered", "type": "integer", "constraints": {"minimum": 0, "maximum": n_dom},
         "description": f"Number of the {n_dom} satisfaction items answered."},
        {"name": "n_low", "type": "integer", "constraints": {"minimum": 0, "maximum": n_dom},
         "description": f"Number of domains in the '{bands[0]}' band."},
        {"name": "domain_mean", "type": "number", "constraints": {"minimum": 0, "maximum": 10},
         "description": f"Mean satisfaction over the {len(mean_cfg['domains'])} specific domains "
                        f"({', '.join(mean_cfg['domains'])}) when at least {mean_cfg['min_answered']} are "
                        "answered, else missing. Not an official total; life as a whole is kept apart."},
        {"name": cfg["global_domain"], "type": "integer", "constraints": {"minimum": 0, "maximum": 10},
         "description": f"Satisfaction with {cfg['global_domain'].replace('_', ' ')} (item "
                        f"sat_{cfg['global_domain']}), the respondent's own global measure."},
    ]
    return fields


def scores_schema(ins: Instrument) -> dict:
    """Table Schema of the scored output of ``ins`` (columns of :func:`analysis.intake.scoring.score`).

    3X10D (``scoring.type: life_domains``): per domain ``sat_``, ``band_``, ``imp_``, ``goal_``,
    ``gap_``, ``priority_`` (the last four only when importance/goal were asked), then
    ``n_answered``, ``n_low``, ``domain_mean`` and the global domain. Other instruments: each
    declared score (range derived from the items' scales, reverse keys, ``zero_base``, method and
    ``multiply``) and ``n_answered``.

    Examples
    --------
    >>> [(f["name"], f["type"]) for f in scores_schema(load_instrument("who5"))["fields"]][2:]
    [('who5_raw', 'number'), ('who5_pct', 'number'), ('n_answered', 'integer')]
    """
    if ins.scoring.get("type") == "life_domains":
        fields = _life_domain_fields(ins)
    else:
        fields = []
        for rule in ins.scores:
            lo, hi = ins.score_bounds(rule.key)
            fields.append({"name": rule.key, "type": "number",
                           "constraints": {"minimum": _number(lo), "maximum": _number(hi)},
                           "description": f"{rule.label.get('en', rule.key)} — {rule.method} of "
                                          f"{len(rule.items)} items, missing when fewer than {rule.required} "
                                          "are answered."})
        n_rating = len(ins.rating_items)
        fields.append({"name": "n_answered", "type": "integer", "constraints": {"minimum": 0, "maximum": n_rating},
                       "description": f"Number of the {n_rating} rating items answered."})
    return {
        "name": f"scores-{ins.id}",
        "title": f"Scores: {ins.title.get('en', ins.id)}",
        "description": f"Scored output of instrument '{ins.id}' (python -m analysis score … --instrument "
                       f"{ins.id}): identifiers first, then scores.",
        "fields": [*ID_FIELDS, *fields],
        "missingValues": [""],
        "primaryKey": ["respondent_id", "occasion"],
    }


def rejections_schema() -> dict:
    """Table Schema of the rejection file (``--rejects``): one line per problem found.

    Examples
    --------
    >>> [f["name"] for f in rejections_schema()["fields"]]
    ['file', 'row', 'respondent_id', 'column', 'value', 'reason', 'line', 'scope', 'code', 'fields']
    """
    return {
        "name": "rejections",
        "title": "Rejected rows",
        "description": "Problems found when loading in reject-rows mode; a rejected row may have several "
                       "lines. Accepted + rejected rows = rows read.",
        "fields": REJECTION_FIELDS,
        "missingValues": [""],
    }


def generated_schemas() -> dict[str, dict]:
    """Every generated schema by file name (``responses-<id>.json``, ``scores-<id>.json``, ``rejections.json``).

    Examples
    --------
    >>> schemas = generated_schemas()
    >>> len(schemas), sorted(schemas)[:2]
    (17, ['rejections.json', 'responses-3x10d-14-17.json'])
    """
    out: dict[str, dict] = {}
    for ident in available_instruments():
        ins = load_instrument(ident)
        out[f"responses-{ins.id}.json"] = responses_schema(ins)
        out[f"scores-{ins.id}.json"] = scores_schema(ins)
    out["rejections.json"] = rejections_schema()
    return out


def schema_text(schema: dict) -> str:
    """Canonical JSON text of a schema (UTF-8, 2-space indent, trailing newline).

    Examples
    --------
    >>> print(schema_text({"title": "x", "fields": []}), end="")
    {
      "title": "x",
      "fields": []
    }
    """
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(directory: str | Path = DICTIONARY_DIR) -> list[Path]:
    """Write :func:`generated_schemas` into ``directory``; returns the paths written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_schemas(folder)
    >>> len(written), written[0].name
    (17, 'responses-3x10d.json')
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in generated_schemas().items():
        path = directory / name
        path.write_text(schema_text(schema), encoding="utf-8")
        paths.append(path)
    return paths


def load_schema(dataset: str | Path, directory: str | Path = DICTIONARY_DIR) -> dict:
    """Read ``<directory>/<dataset>.json`` (or a path to a schema file).

    Examples
    --------
    >>> [f["name"] for f in load_schema("service-use")["fields"]]
    ['respondent_id', 'period', 'service_type', 'visits']
    """
    path = Path(dataset)
    if path.suffix != ".json":
        path = Path(directory) / f"{dataset}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in Path(directory).glob("*.json")))
        raise ValueError(f"no data dictionary entry {str(dataset)!r} ({path}); known datasets: {known}")
    return json.loads(path.read_text(encoding="utf-8"))


def template_headers(ins: Instrument, lang: str | None = None) -> list[str]:
    """Headers of an empty input file for ``ins``: keys, or labels in ``lang`` (``fi``, ``sv``, ``en``).

    Every header is one the loader recognises, so a survey tool set up with them exports files
    that load without renaming.

    Examples
    --------
    >>> template_headers(load_instrument("who5"))[:3]
    ['respondent_id', 'occasion', 'date']
    >>> template_headers(load_instrument("3x10d"), "fi")[3]
    'Tyytyväisyys nyt – Terveys'
    """
    if lang is None:
        return [*(f["name"] for f in (*ID_FIELDS, DATE_FIELD)), *ins.item_keys]
    return [*(f["labels"][lang] for f in (*ID_FIELDS, DATE_FIELD)), *(ins.label(k, lang) for k in ins.item_keys)]


def dataset_headers(dataset: str, lang: str | None = None) -> list[str]:
    """Headers of an empty input file of a dataset (``background``, ``indicators``,
    ``service-visits`` …): field names, or their labels in ``lang`` (a field without a label in
    that language keeps its name). Every header is one :func:`analysis.intake.readers.load_table`
    recognises.

    Examples
    --------
    >>> dataset_headers("plan-dates", "fi")
    ['Asiakastunnus', 'Suunnitelman päivämäärä']
    """
    fields = load_schema(dataset)["fields"]
    if lang is None:
        return [f["name"] for f in fields]
    return [f.get("labels", {}).get(lang, f["name"]) for f in fields]


def _write_headers(headers: list[str], path: str | Path, lang: str | None, sheet: str) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise ValueError(f"template file must end in .xlsx or .csv, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        import xlsxwriter

        with xlsxwriter.Workbook(path) as wb:
            ws = wb.add_worksheet(sheet[:31])
            ws.write_row(0, 0, headers, wb.add_format({"bold": True, "text_wrap": True}))
            ws.freeze_panes(1, 0)
    else:
        import csv

        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh, delimiter=";" if lang in ("fi", "sv") else ",", lineterminator="\r\n").writerow(headers)
    return path


def write_template(ins: Instrument, path: str | Path, lang: str | None = None) -> Path:
    """Write an empty ``.xlsx`` or ``.csv`` input file with :func:`template_headers` as its header row.

    CSV: UTF-8 with BOM, ``;``-separated for Finnish and Swedish (as Excel writes them there),
    ``,`` otherwise.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_template(load_instrument("who5"), Path(folder) / "who5.csv")
    ...     header = path.read_text(encoding="utf-8-sig")
    >>> header.splitlines()[0]
    'respondent_id,occasion,date,who5_1,who5_2,who5_3,who5_4,who5_5'
    """
    return _write_headers(template_headers(ins, lang), path, lang, ins.id)


def write_dataset_template(dataset: str, path: str | Path, lang: str | None = None) -> Path:
    """Write an empty ``.xlsx`` or ``.csv`` file of a dataset with :func:`dataset_headers` as its
    header row (CSV as :func:`write_template`).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_dataset_template("indicators", Path(folder) / "indikaattorit.csv", "fi")
    ...     header = path.read_text(encoding="utf-8-sig")
    >>> header.splitlines()[0]
    'Kausi;Indikaattori;Arvo;Yksikkö;Tavoite'
    """
    return _write_headers(dataset_headers(dataset, lang), path, lang, dataset)
