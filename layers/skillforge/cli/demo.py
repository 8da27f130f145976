"""`skillforge demo`: the whole local stack in the foreground, stopped cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "tests" / "data" / "onet_29_0_sample"


def _step(message: str) -> None:
    typer.secho(f"==> {message}", fg=typer.colors.CYAN)


def demo(
    port: int = typer.Option(8080, help="HTTP port of the API"),
    onet_source: str = typer.Option(
        None,
        envvar="ONET_SOURCE",
        help="O*NET text release folder or db_XX_X_text.zip (default: bundled sample)",
    ),
) -> None:
    """Start PostgreSQL and moto, migrate, load O*NET, serve the API on 127.0.0.1:PORT until Ctrl-C."""
    from skillforge.config import get_settings
    from skillforge.db.local import LocalServer
    from skillforge.db.migrate import upgrade
    from skillforge.local import moto_server
    from skillforge.local.stack import provision

    # moto accepts any credentials; these never reach AWS because every client points at moto.
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("SKILLFORGE_ENV", "local"),
    ):
        os.environ.setdefault(name, value)
    settings = get_settings()
    managed_pg = not settings.database_url
    local_pg = LocalServer(Path(settings.home))
    moto = None
    children: list[subprocess.Popen] = []

    def shutdown(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shutdown)
    try:
        _step("PostgreSQL")
        url = settings.database_url or local_pg.up(settings.db_name)
        typer.echo(f"    {url}" + ("" if managed_pg else "  (DATABASE_URL)"))
        _step("moto (S3, KMS, SQS, SNS, EventBridge, Secrets Manager, Step Functions, DynamoDB)")
        moto, endpoint = moto_server.start()
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        resources = provision(settings.require_env(), settings.aws_region, endpoint)
        typer.echo(
            f"    {endpoint}: {len(resources.buckets)} buckets, {len(resources.queues)} queues, "
            f"{len(resources.keys)} KMS keys"
        )
        _step("migrations")
        before, after = upgrade(url)
        typer.echo(f"    {before or '(empty)'} -> {after}")

        env = {**os.environ, "DATABASE_URL": url, "AWS_REGION": settings.aws_region}
        exe = [sys.executable, "-m", "skillforge.cli"]

        _load_reference_data(exe, env, url, onet_source)

        if _has_command("serve"):
            _step(f"API on http://127.0.0.1:{port}")
            children.append(subprocess.Popen([*exe, "serve", "--port", str(port)], env=env))
            _wait_for_port(port)
            _print_next_steps(port)
        else:
            typer.echo("    (the HTTP API is not part of this build yet)")
        typer.secho("Running. Press Ctrl-C to stop everything.", fg=typer.colors.GREEN)
        while True:
            for child in children:
                if child.poll() is not None:
                    raise typer.Exit(child.returncode or 1)
            time.sleep(0.5)
    except KeyboardInterrupt:
        typer.echo("")
    finally:
        _step("stopping")
        for child in children:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        if moto is not None:
            moto.stop()
        if managed_pg:
            local_pg.down()
        typer.echo("    stopped: API, moto" + (", PostgreSQL" if managed_pg else ""))


def _load_reference_data(exe: list[str], env: dict, url: str, onet_source: str | None) -> None:
    """The bundled sample (or ONET_SOURCE), then the curated learning pathways that target it. A database
    that already holds a real release keeps it: the sample would be refused as a suspicious shrink."""
    if not _has_command("onet"):
        typer.echo("    (the O*NET importer is not part of this build yet)")
        return
    from skillforge.onet.releases import list_releases

    current = next((r for r in list_releases(url) if r["status"] == "current" and r["occupations"] > 0), None)
    if current and not onet_source:
        _step(
            f"O*NET reference data: release {current['release']} already current "
            f"({current['occupations']} occupations)"
        )
    else:
        source = onet_source or str(SAMPLE)
        _step(f"O*NET reference data from {source}")
        subprocess.run([*exe, "onet", "import", source], env=env, check=True)
    if _has_command("pathways"):
        _step("learning pathways (content/pathways)")
        subprocess.run([*exe, "pathways", "publish"], env=env, check=True)


def _has_command(name: str) -> bool:
    """Features register their commands as they land; the demo uses whichever exist."""
    from skillforge.cli import app

    return any(g.name == name for g in app.registered_groups) or any(
        c.name == name for c in app.registered_commands
    )


def _wait_for_port(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the API did not start on port {port}")


def _print_next_steps(port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    typer.echo(f"""
    Try:
      open {base}/docs                                  (Swagger UI)
      curl '{base}/v1/occupations?q=registered%20nurse&limit=3'
      curl '{base}/v1/occupations/15-1252.00'
      curl '{base}/v1/skills?q=python%20programming'
      curl -X POST {base}/v1/match -H 'content-type: application/json' \\
           -d '{{"skills": [{{"name": "Programming", "level": 5}}, {{"name": "Mathematics", "level": 4}}]}}'
      curl -X POST {base}/v1/occupations/29-1141.00/gap-analysis -H 'content-type: application/json' \
           -d '{{"skills": [{{"name": "Active Listening", "level": 4}}, {{"name": "Biology", "level": 3}}]}}'
      TOKEN=$(.venv/bin/skillforge dev-token --sub demo-admin --role platform_admin)
      curl -H "Authorization: Bearer $TOKEN" {base}/v1/me
      .venv/bin/skillforge xapi validate some-statements.jsonl
""")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
