"""Generate ``analysis/intake/name_lexicon.yaml``, the name lexicon of the free-text screening.

The screening (:func:`analysis.intake.privacy.redact_free_text`) matches the first names and
surnames of the lexicon in every Finnish case form that :func:`analysis.intake.privacy._name_forms`
generates. This script writes the lexicon once, from open data, with what the screening needs to
know about each form: whether it is also an ordinary word (then it counts as a name only in
context, e.g. capitalised inside a sentence or after a title).

Sources
    The population register's name statistics (Digital and Population Data Services Agency,
    DVV, earlier VRK; open data under CC BY 4.0): first names given to persons alive and living
    in Finland and surnames of those persons, with counts. The input is a tab-separated file
    ``name<TAB>count<TAB>gender<TAB>type`` with type ``F`` (first name) or ``L`` (surname), as
    exported from the published workbooks; counts may contain spaces (``22 583``).
    Kept: first names given to at least ``--first-min`` persons and surnames of at least
    ``--surname-min`` persons, written with letters only (double names such as Anna-Liisa are
    matched part by part; patronymics ending in -poika/-tytär are left out). Counts are not
    written to the lexicon.

Which forms are also words
    A form is marked as a word when the Finnish morphological analyser Voikko (the pure-Python
    ``pyvoikko`` from PyPI, which ships the voikko-fi dictionary; GPL, needed only here) gives it
    a reading other than a proper name that is a word of the dictionary itself: readings built
    on the fly as a compound (``myllymäki`` = mylly + mäki) or a derivation (``mäkinen`` =
    hilly) do not count, as such words are rarely written while the surnames are common. An
    inflected form that is a lower-case entry of Debian's English or Swedish word lists
    (``wamerican``, ``wswedish``) is a word too (``mean`` of Mea, ``innan`` of Inna, ``mannen``
    of Mann), and so is any form of two letters or fewer. The names themselves are judged by
    hand: names whose Finnish word reading is far rarer than the name (``matti``: checkmate) are
    listed under ``names_not_words`` in names.yaml, names that are common Swedish or English
    words (``Hans``, ``Ville``, ``Glad``) under ``also_words``; ``--suggest`` lists the names
    found in the English and Swedish lists as candidates. Nothing of those tools or lists is
    shipped; the project needs none of them at run time.

Usage (from the repository root)::

    pip install pyvoikko                      # into any Python 3.11 environment with the project
    apt-get install wamerican wswedish
    python tools/name_lexicon.py names.tsv --first-min 300 --surname-min 300 [--suggest]
"""
from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from analysis.intake.privacy import _name_forms  # noqa: E402

NAME_CLASSES = {"etunimi", "sukunimi", "paikannimi", "nimi"}
WORD_LISTS = {"/usr/share/dict/american-english": "utf-8", "/usr/share/dict/swedish": "latin-1"}
OUT = ROOT / "analysis" / "intake" / "name_lexicon.yaml"


def read_names(path: Path, first_min: int, surname_min: int) -> tuple[list[str], list[str]]:
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        name, count, kind = parts[0].strip(), int(re.sub(r"\D", "", parts[1]) or 0), parts[3].strip()
        if not re.fullmatch(r"[A-ZÅÄÖÜ][a-zåäöüéè]+", name) or name.endswith(("poika", "tytär")):
            continue
        target, least = (first, first_min) if kind == "F" else (last, surname_min)
        if count >= least:
            target[name] = max(target.get(name, 0), count)
    return sorted(first), sorted(last)


def word_lists() -> set[str]:
    words: set[str] = set()
    for path, encoding in WORD_LISTS.items():
        words |= {w for w in Path(path).read_text(encoding=encoding).split() if w.islower()}
    return words


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", type=Path, help="name statistics as TSV: name, count, gender, type (F/L)")
    parser.add_argument("--first-min", type=int, default=300)
    parser.add_argument("--surname-min", type=int, default=300)
    parser.add_argument("--suggest", action="store_true", help="list names that are English or Swedish words")
    args = parser.parse_args(argv)

    import pyvoikko  # generation only

    first, last = read_names(args.names, args.first_min, args.surname_min)
    hand = yaml.safe_load((ROOT / "analysis" / "intake" / "names.yaml").read_text(encoding="utf-8"))
    forms = set()
    for name in first + hand["first_names"]:
        forms |= _name_forms(name, False)
    for name in last + hand.get("surnames", []):
        forms |= _name_forms(name, True)
    keep = {form for name in hand.get("names_not_words", []) for form in _name_forms(name, True)}
    nominatives = {name.lower() for name in first + last + hand["first_names"] + hand.get("surnames", [])}
    english_swedish = word_lists()
    word_forms = []
    for form in sorted(forms - keep):
        if len(form) <= 2 or (form in english_swedish and form not in nominatives) or any(
                a.CLASS not in NAME_CLASSES and "[Bc]" not in a.FSTOUTPUT and "[Xj]" not in a.FSTOUTPUT
                for a in pyvoikko.analyse(form)):
            word_forms.append(form)
    if args.suggest:
        print("also words in English or Swedish:", " ".join(n for n in first + last if n.lower() in english_swedish))

    def block(items: list[str]) -> str:
        return "\n".join("  " + line for line in textwrap.wrap(" ".join(items), 96))

    header = textwrap.dedent(f"""\
        # GENERATED by tools/name_lexicon.py — do not edit by hand; add names to names.yaml instead.
        #
        # first_names, surnames: the first names given to at least {args.first_min} persons and the
        #   surnames of at least {args.surname_min} persons in the population register's name
        #   statistics (Digital and Population Data Services Agency, DVV; open data, CC BY 4.0;
        #   the 2016 release), alphabetical, without counts.
        # word_forms: lower-case case forms of these names (as analysis.intake.privacy._name_forms
        #   makes them) that are also ordinary words: a reading other than a proper name in the
        #   dictionary of the Finnish analyser Voikko (not a compound or derivation made on the
        #   fly); an inflected form found in Debian's English or Swedish word lists (wamerican,
        #   wswedish); two letters or fewer; less the forms of names.yaml's names_not_words.
        #   Such a form counts as a name only in context (see redact_free_text).
        """)
    text = (f"{header}first_names: >-\n{block(first)}\nsurnames: >-\n{block(last)}\n"
            f"word_forms: >-\n{block(word_forms)}\n")
    OUT.write_text(text, encoding="utf-8")
    print(f"{len(first)} first names, {len(last)} surnames, {len(forms)} forms, {len(word_forms)} also words "
          f"-> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
