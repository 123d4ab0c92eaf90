"""argparse in Danish: `yr`'s help and errors in one language with the help texts of its commands.

argparse writes its own words in English (usage:, options:, -h's "show this help message and exit",
its error messages). The parser below says them in Danish; subcommands' parsers are of the same
class (argparse makes them of their parent's), so one class serves every command."""

from __future__ import annotations

import argparse
import re
import sys
from functools import cache

# argparse's messages (Python 3.11) as yr says them
_ERRORS = (
    (re.compile(r"the following arguments are required: (.*)"), r"mangler: \1"),
    (re.compile(r"unrecognized arguments: (.*)"), r"ukendte argumenter: \1"),
    (
        re.compile(r"argument (.*?): invalid choice: (.*) \(choose from (.*)\)"),
        r"\1: ugyldigt valg \2 (vælg mellem \3)",
    ),
    (re.compile(r"argument (.*?): expected one argument"), r"\1: mangler sin værdi"),
    (re.compile(r"argument (.*?): invalid \w+ value: (.*)"), r"\1: ugyldig værdi \2"),
    (re.compile(r"argument (.*?): (.*)"), r"\1: \2"),  # yr's own ArgumentTypeError, already Danish
)


class _DanishUsage(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "brug: " if prefix is None else prefix)


@cache
def _danish(formatter_class: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    return type(f"Dansk{formatter_class.__name__}", (_DanishUsage, formatter_class), {})


class DanishParser(argparse.ArgumentParser):
    def __init__(self, *args, formatter_class=argparse.HelpFormatter, add_help: bool = True, **kwargs) -> None:
        super().__init__(*args, formatter_class=_danish(formatter_class), add_help=False, **kwargs)
        self._positionals.title = "argumenter"
        self._optionals.title = "tilvalg"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help="vis denne hjælp og afslut"
            )

    def error(self, message: str) -> None:
        for pattern, danish in _ERRORS:
            if pattern.fullmatch(message):
                message = pattern.sub(danish, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fejl: {message}\n")
