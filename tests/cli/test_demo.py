"""`make demo` end to end: it comes up, serves the API, and Ctrl-C stops everything it started."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_demo_serves_and_stops_cleanly_on_ctrl_c(fresh_db_url):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillforge.cli", "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": fresh_db_url},
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        output = "".join(lines)
        assert "Press Ctrl-C" in output, output
        assert f"http://127.0.0.1:{port}" in output
        assert "Try:" in output
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/v1/occupations?q=nurse&limit=3", timeout=10
        ) as resp:
            body = json.loads(resp.read())
        assert body["items"], body
        moto_port = int(re.search(r"http://127\.0\.0\.1:(\d+): \d+ buckets", output).group(1))
        assert port_open(moto_port)
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    output += rest
    assert proc.returncode == 0, output
    assert "stopped: API, moto" in output
    assert not port_open(port)
    assert not port_open(moto_port)
