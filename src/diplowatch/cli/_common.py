"""Shared by every command: the Typer ``app``, the consoles, option types and helpers.

Stdout tables are rendered at least :data:`PIPED_WIDTH` columns wide when stdout is not a
terminal. Helpers that turn a bad option into an exit 2 (``_check_format``, ``_iso_date``)
print ``error: …`` on stderr first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from typer.core import TyperArgument, TyperOption
from rich.console import Console
from rich.text import Text

from diplowatch.errors import DiplowatchError, InputError
from diplowatch.model import Article

if TYPE_CHECKING:
    from diplowatch.store import KnowledgeBase

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Diplomatic events from the news: who recognises whom, coded in CAMEO and PLOVER.")

_METAVARS = {"published": "DATE", "as_of": "DATE", "since": "DATE", "until": "DATE", "db": "DB",
             "format": "FORMAT", "summary_json": "FILE", "field": "FIELD=KEY", "every": "INTERVAL",
             "out": "PATH", "notify": "CHANNEL", "secret": "SECRET", "event": "EVENT", "target": "TARGET",
             "source": "SOURCE"}
"""Names shown for an option's value in ``--help``, by parameter name; other options show their type (TEXT …)."""


_TYPE_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "PATH"}


def _tidy_help(command: typer.core.TyperCommand | typer.core.TyperGroup) -> None:
    """Make ``--help`` of ``command`` and its subcommands read as click's own: ``--published DATE``,
    ``PATHS...`` (not ``<str>``, ``<list[str]>``, ``{paths}...``, the Python types Typer shows);
    flags take no value and show none. Changes the click objects in place; idempotent."""
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)
    for param in command.params:
        if isinstance(param, TyperOption):
            if not param.is_flag and not param.count:
                name = param.metavar or _METAVARS.get(param.name or "") or _TYPE_NAMES.get(
                    param.bare_type().removeprefix("list[").removesuffix("]"), "VALUE")
                param.metavar = name
                param.display_type_rich = lambda ctx, _n=name: _n  # noqa: ARG005 - Typer's hook
        elif isinstance(param, TyperArgument):
            name = (param.metavar or param.name or "ARG").upper() + ("..." if param.nargs != 1 else "")
            param.metavar = name
            param.display_type_rich = lambda ctx: None  # noqa: ARG005 - no type after the name
            param._usage_display_name = (lambda _n=name: _n) if param.required else (lambda _n=name: f"[{_n}]")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        import diplowatch

        try:
            number = version("diplowatch")
        except PackageNotFoundError:  # run from a source tree that is not installed
            number = diplowatch.__version__
        typer.echo(f"diplowatch {number}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_version,
                                          help="Print the version of diplowatch and exit.")] = False,
) -> None:
    """Diplomatic events from the news: who recognises whom, coded in CAMEO and PLOVER."""
    _tidy_help(ctx.command)  # before any subcommand parses its --help


PIPED_WIDTH = 160
"""Width of tables written to a pipe or file (Rich's default of 80 columns folds them unreadably)."""


def _out_width() -> int | None:
    """Width for stdout: ``None`` (the terminal's) on a terminal, else at least :data:`PIPED_WIDTH`
    (``$COLUMNS`` when it is wider)."""
    try:
        if sys.stdout is not None and sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):  # closed or replaced stream
        pass
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    return max(PIPED_WIDTH, columns)


out = Console(soft_wrap=False, width=_out_width())
err = Console(stderr=True, emoji=False, highlight=False, soft_wrap=True)


@contextmanager
def knowledge_base(db: str | None, **kwargs: object) -> Iterator[KnowledgeBase]:
    """Open the knowledge base for a command: any :class:`DiplowatchError` while it is open
    (cannot be opened, no such database, a refused write) is printed and exits 2.

    Args:
        db: SQLAlchemy URL or ``None`` for the default database (``--db`` has made a
            path a URL already).
        kwargs: passed to :class:`~diplowatch.store.KnowledgeBase` (``create=False`` for reads).
    """
    from diplowatch.store import KnowledgeBase

    try:
        with KnowledgeBase(db, **kwargs) as kb:
            yield kb
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None


def _error(message: object) -> None:
    """Print ``error: MESSAGE`` on stderr, the message verbatim (no markup, no emoji codes)."""
    err.print(Text.assemble(("error: ", "red"), str(message)))

def _db_url(value: str | None) -> str | None:
    """``--db`` as a SQLAlchemy URL: a file path or a URL, the forms ``$DIPLOWATCH_DB`` takes
    (:func:`diplowatch.store.opening.resolve_db_url`); ``None`` stays ``None`` (the default database)."""
    if value is None or not value.strip():
        return None
    from diplowatch.store.opening import resolve_db_url

    return resolve_db_url(value, create=False)


DbOption = Annotated[Optional[str], typer.Option(
    "--db", callback=_db_url,
    help="Knowledge base: a file path (/tmp/kb.db) or a SQLAlchemy URL (sqlite:////tmp/kb.db, "
         "postgresql://user@host/db), as $DIPLOWATCH_DB takes (default: $DIPLOWATCH_DB or "
         "~/.local/share/diplowatch/diplowatch.db).")]
PublishedOption = Annotated[Optional[str], typer.Option(
    "--published", help="Publication date YYYY-MM-DD for inputs that have none.")]
AsOfOption = Annotated[Optional[str], typer.Option("--as-of", help="Relation state as of this date (YYYY-MM-DD).")]


MIN_DATE = dt.date(1800, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
"""Dates accepted by ``--published``, ``--as-of``, ``--since`` and ``--until`` (news, not archaeology)."""


FormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json.")]
TABLE_JSON = ("table", "json")


def _check_format(format: str, choices: tuple[str, ...] = TABLE_JSON) -> None:
    """Exit 2 with a clear message unless ``--format`` is one of ``choices`` (every command uses this)."""
    if format not in choices:
        listed = " or ".join(choices) if len(choices) <= 2 else f"{', '.join(choices[:-1])} or {choices[-1]}"
        _error(f"--format must be {listed}, not {format!r}")
        raise typer.Exit(2)


def _iso_date(value: str | None, option: str) -> dt.date | None:
    """``value`` as a date, or ``None``; exit 2 when it is not ``YYYY-MM-DD`` or outside 1800–2200."""
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        _error(f"{option} {value!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    if not MIN_DATE <= day <= MAX_DATE:
        _error(f"{option} {value!r} is out of range: give a date from {MIN_DATE} to {MAX_DATE}")
        raise typer.Exit(2)
    return day


FieldOption = Annotated[Optional[list[str]], typer.Option(
    "--field", help="Corpus field name: FIELD=KEY, e.g. --field text=body --field published=date "
                    "(fields: id, url, title, published, text, lang; KEY may be dotted: meta.date).")]
FetchLinkedOption = Annotated[bool, typer.Option(
    "--fetch-linked", help="For feed items that hold only a summary, fetch and extract the linked page.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary line.")]
SummaryJsonOption = Annotated[Optional[str], typer.Option(
    "--summary-json", help="Write the run summary as JSON to this file (- for stdout).")]
INPUTS_HELP = ("Files (.txt .html .rss .atom .xml .jsonl .csv .tsv), directories, http(s) URLs, "
               "or - for stdin; the format is chosen by extension, content type or content.")


LangOption = Annotated[Optional[str], typer.Option(
    "--lang", help="Only articles detected in these languages, comma-separated (en,fr); others are skipped "
                   "and counted. Default: every language analysed (en, fr).")]
ForceLangOption = Annotated[Optional[str], typer.Option(
    "--force-lang", help="Read every article as this language (en or fr), whatever is detected.")]


def _languages(lang: str | None, force_lang: str | None) -> dict[str, object]:
    """Settings overrides of ``--lang``/``--force-lang`` (exit 2 naming a language not analysed)."""
    from diplowatch.extract.pipeline import LANGUAGES

    out: dict[str, object] = {}
    codes = [c.strip().lower() for c in (lang or "").split(",") if c.strip()]
    for option, given in (("--lang", codes), ("--force-lang", [force_lang.strip().lower()] if force_lang else [])):
        bad = [c for c in given if c not in LANGUAGES]
        if bad:
            _error(f"{option} {', '.join(bad)}: not a language analysed (give {', '.join(LANGUAGES)})")
            raise typer.Exit(2)
    if codes:
        out["languages"] = frozenset(codes)
    if force_lang:
        out["force_language"] = force_lang.strip().lower()
    return out


def _ingest_settings(fields: list[str] | None = None, fetch_linked: bool = False,
                     lang: str | None = None, force_lang: str | None = None):  # noqa: ANN202
    """Reader settings from the environment and the command's options (exit 2 when invalid)."""
    from diplowatch.ingest import IngestSettings, parse_field_map

    try:
        return IngestSettings.from_env(fields=parse_field_map(fields), fetch_linked=fetch_linked,
                                       **_languages(lang, force_lang))
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None


def _write_summary(summary, path: str | None, quiet: bool) -> None:  # noqa: ANN001
    """Print the run summary on stderr (unless quiet) and as JSON to ``path`` (``-``: stdout)."""
    if not quiet:
        err.print(Text(summary.line()))
    if path == "-":
        sys.stdout.write(summary.to_json() + "\n")
    elif path:
        Path(path).write_text(summary.to_json() + "\n", encoding="utf-8")


def _articles(paths: list[str], published: dt.date | None, settings=None,  # noqa: ANN001
              summary=None) -> tuple[list[Article], int]:  # noqa: ANN001
    """Read every input (any format, :func:`diplowatch.ingest.read_inputs`); report each bad
    one on stderr (and counts it in ``summary``, by reason, when one is given). Returns (articles, number
    of errors)."""
    from diplowatch.ingest import read_inputs

    articles: list[Article] = []
    errors = 0
    for item in read_inputs(paths, published=published, settings=settings, summary=summary):
        if isinstance(item, InputError):
            errors += 1
            _error(item)
            if summary is not None:
                summary.quarantine(item.reason)
        else:
            articles.append(item)
    return articles, errors


def _extractor():  # noqa: ANN202 - imported lazily: loading spaCy takes a second
    from diplowatch.extract import Extractor

    try:
        return Extractor()
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None


def _target_code(target: str) -> str:
    """Resolve a target given as ISO3, a name, a capital or a government name to its ISO3 code."""
    from diplowatch.actors import Gazetteer

    gaz = Gazetteer.default()
    if len(target) == 3 and target.isalpha() and target.isupper() and gaz.is_state(target):
        return target
    found = gaz.lookup(target)
    if found is None or not found.actor.state:
        _error(f"unknown target {target!r}: give an ISO 3166-1 alpha-3 code or a state name")
        raise typer.Exit(2)
    return found.actor.state


NO_EVENTS = "no events stored (run `diplowatch ingest` first)"
"""Printed instead of an empty table when the knowledge base holds no event at all."""


def _nothing_about(kb: KnowledgeBase, about: str) -> str:
    """The line printed instead of an empty table: the store is empty, or holds nothing ``about`` this."""
    return NO_EVENTS if kb.counts()["events"] == 0 else f"no events {about} stored"


def _sources(supports) -> str:  # noqa: ANN001
    urls = []
    for s in supports:
        ref = s.url or s.doc
        if ref not in urls:
            urls.append(ref)
    return ", ".join(urls)


def _extractor_factory():  # noqa: ANN202
    """The extractor factory in use: ``diplowatch.cli._extractor``, looked up at call time
    (so that replacing it on the package, as the tests do, reaches every command)."""
    return getattr(sys.modules["diplowatch.cli"], "_extractor", _extractor)
