"""Serving the HTTP API and dashboard (``serve``) and its bearer tokens (``token …``)."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer
from rich.table import Table

from diplowatch.cli._common import (
    knowledge_base, DbOption, _error, app, err, out,
)
from diplowatch.errors import DiplowatchError


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
    time_limit: Annotated[Optional[float], typer.Option(
        "--ingest-time-limit", min=0.1, show_default=False,
        help="Seconds one POST /api/ingest may take (503 past it, nothing stored) [default: 30].")] = None,
    workers: Annotated[Optional[int], typer.Option(
        "--ingest-workers", min=1, max=16, show_default=False,
        help="Articles analysed at once (one spaCy copy, about 50 MB, each) [default: 2].")] = None,
) -> None:
    """Serve the HTTP API (/api/…) and the dashboard (/) with uvicorn."""
    import uvicorn

    from diplowatch.api import ApiSettings
    from diplowatch.web import create_app

    try:
        limits = {"ingest_time_limit": time_limit, "ingest_workers": workers}
        application = create_app(ApiSettings(db_url=db, **{k: v for k, v in limits.items() if v is not None}))
    except DiplowatchError as exc:
        _error(exc)
        raise typer.Exit(2) from None
    err.print(f"serving {application.state.kb.url} on http://{host}:{port}/ (API under /api, schema /openapi.json)")
    uvicorn.run(application, host=host, port=port, log_level="info")


token_app = typer.Typer(no_args_is_help=True, help="Bearer tokens of the HTTP API (stored hashed).")
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    scope: Annotated[list[str], typer.Option("--scope", help="Scope to grant: ingest or watch (repeatable).")],
    label: Annotated[Optional[str], typer.Option("--label", help="A note to recognise the token by.")] = None,
    db: DbOption = None,
) -> None:
    """Make a token and print it once (only its hash is stored)."""
    from diplowatch.store.tokens import create_token

    with knowledge_base(db) as kb:
        try:
            token, record = create_token(kb, scope, label)
        except ValueError as exc:  # an unknown scope
            _error(exc)
            raise typer.Exit(2) from None
    sys.stdout.write(token + "\n")
    err.print(f"token {record.id} with scope {' '.join(record.scopes)}: shown once, keep it now")


@token_app.command("list")
def token_list(db: DbOption = None) -> None:
    """List tokens (ids, scopes, labels; never the secrets)."""
    from diplowatch.store.tokens import list_tokens

    with knowledge_base(db, create=False) as kb:
        tokens = list_tokens(kb)
    table = Table()
    for col in ("id", "scopes", "label", "created", "revoked"):
        table.add_column(col)
    for t in tokens:
        table.add_row(t.id, " ".join(t.scopes), t.label or "", t.created_at, t.revoked_at or "")
    out.print(table)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="The token's id (as listed).")], db: DbOption = None) -> None:
    """Revoke a token by its id."""
    from diplowatch.store.tokens import revoke_token

    with knowledge_base(db, create=False) as kb:
        done = revoke_token(kb, token_id)
    if not done:
        _error(f"no valid token with id {token_id!r}")
        raise typer.Exit(1)
    out.print(f"token {token_id} revoked")
