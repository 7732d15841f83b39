"""Exceptions raised by diplowatch.

::

    DiplowatchError
     ├── InputError          an input cannot be read or is malformed (names it, and the line)
     ├── ConfigurationError  a setting, model or data file is missing or invalid
     ├── StoreError          the knowledge base cannot be opened or written
     ├── OutputError         an output file or directory cannot be written (names it)
     └── Cancelled           the caller abandoned an analysis before it ended (names the article)
"""

from __future__ import annotations


class DiplowatchError(Exception):
    """Base of every error diplowatch raises on purpose."""


class InputError(DiplowatchError):
    """An input cannot be read or is malformed.

    Attributes:
        source: the file name, URL or ``"<stdin>"`` that failed.
        line: 1-based line number inside the source, or ``None``.
        reason: what is wrong, in words a user can act on.
    """

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class ConfigurationError(DiplowatchError):
    """A setting, model or data file is missing or invalid."""


class StoreError(DiplowatchError):
    """The knowledge base cannot be opened or written."""


class OutputError(DiplowatchError):
    """An output file or directory cannot be written: the message names it and says why."""


class Cancelled(DiplowatchError):
    """An analysis was abandoned because its caller asked (a time limit passed, the client left).

    Nothing of the article's events is returned; the message names the article
    and how far the analysis had come.
    """
