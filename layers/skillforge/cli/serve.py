"""`skillforge serve` (the career API on a local HTTP server) and `skillforge dev-token`."""

from __future__ import annotations

import os

import typer

from skillforge.cli._output import emit, fail

JSON = typer.Option(False, "--json", help="Machine-readable output")


def serve(
    port: int = typer.Option(8080, "--port", help="TCP port"),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on"),
    as_json: bool = JSON,
) -> None:
    """Serve the API Gateway handler on http://HOST:PORT (Swagger UI at /docs) until Ctrl-C."""
    from skillforge.config import get_settings

    if get_settings().env != "local":
        fail("`skillforge serve` runs only with SKILLFORGE_ENV=local", as_json)
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    from skillforge.api.local_server import make_server

    try:
        server = make_server(host, port)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", as_json)
    url = f"http://{host}:{server.server_address[1]}"
    emit({"url": url, "docs": f"{url}/docs"}, as_json, f"SkillForge API on {url} (Swagger UI: {url}/docs)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def dev_token(
    sub: str = typer.Option(..., "--sub", help="Subject (user id)"),
    role: str = typer.Option(..., "--role", help="learner|advisor|partner_admin|platform_admin"),
    partner: str | None = typer.Option(None, "--partner", help="Partner code (custom:partner_code)"),
    ttl_hours: float = typer.Option(12.0, "--ttl-hours", min=0.01, max=24 * 30, help="Lifetime"),
    as_json: bool = JSON,
) -> None:
    """Print a bearer token that the local server accepts (signed with the local key; never valid in AWS)."""
    from skillforge.api.auth import ROLES, issue_dev_token
    from skillforge.config import get_settings

    if get_settings().env != "local":
        fail("dev tokens exist only with SKILLFORGE_ENV=local", as_json)
    if role not in ROLES:
        fail(f"--role must be one of {', '.join(ROLES)}, got {role!r}", as_json, code=2)
    if partner is not None:
        from skillforge.principal import is_partner_code

        if not is_partner_code(partner):
            fail(f"--partner must be a partner code (a-z, 0-9, '-'), got {partner!r}", as_json, code=2)
    try:
        token = issue_dev_token(sub, role, partner, ttl_seconds=int(ttl_hours * 3600))
    except ValueError as exc:
        fail(str(exc), as_json, code=2)
    emit({"token": token}, as_json, token)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("dev-token")(dev_token)
