"""The calculation file's format (OUTPUTS.md section 1), for the writer (beregningsfiler.py) and the
reader that rebuilds the record from published files (record.py)."""

from __future__ import annotations

import re

# yr-ydelsesrefusion-beregning-KKK-NNNN-YYYY-MM-DD.csv: kommune, running number, run date
FILE_NAME = re.compile(r"yr-ydelsesrefusion-beregning-(\d{3})-(\d{4})-(\d{4}-\d{2}-\d{2})\.csv")
FILE_PREFIX = "yr-ydelsesrefusion-beregning-"

# A row's key (every column but the Beregnings ID and the amounts), as recorded: borger_id in place
# of the CPR number, which is never stored twice, and the kommunenummer the file's name carries.
KEY = (
    "uge",
    "borger_id",
    "ydelse",
    "finansiering_kommunenummer",
    "finansiering_kommunenavn",
    "indberetter_ekstern_id",
    "refusionssats",
    "medfinansieringssats",
    "posteringskonto_for_indberetning",
    "funktionsomraade",
)
AMOUNTS = (
    "indberetning_udbetalingsbeloeb",
    "beregnet_udbetalingsbeloeb",
    "refusionsbeloeb",
    "medfinansieringsbeloeb",
    "finansieringsbeloeb",
)
RECORDED = (*KEY, *AMOUNTS)

# The file's columns in order, each with the recorded column it shows (OUTPUTS.md section 1).
FILE_COLUMNS = (
    ("Beregnings ID", "beregnings_id"),
    ("Uge", "uge"),
    ("CPR nummer", "cpr"),
    ("Ydelse", "ydelse"),
    ("Finansiering Kommunenavn", "finansiering_kommunenavn"),
    ("Indberetter Ekstern ID", "indberetter_ekstern_id"),
    ("Indberetning udbetalingsbeløb", "indberetning_udbetalingsbeloeb"),
    ("Beregnet udbetalingsbeløb", "beregnet_udbetalingsbeloeb"),
    ("Refusionssats", "refusionssats"),
    ("Refusionsbeløb", "refusionsbeloeb"),
    ("Medfinansieringssats", "medfinansieringssats"),
    ("Medfinansieringsbeløb", "medfinansieringsbeloeb"),
    ("Finansieringsbeløb", "finansieringsbeloeb"),
    ("Posteringskonto for indberetning", "posteringskonto_for_indberetning"),
    ("Funktionsområde", "funktionsomraade"),
)
COLUMNS = tuple(header for header, _ in FILE_COLUMNS)
HEADER = dict((column, header) for header, column in FILE_COLUMNS)  # recorded column → the file's
