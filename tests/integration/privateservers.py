"""Servers a test runs for itself, so that it can stop and restart them (the shared ones
must stay up for every other test). Imported by ``conftest.py`` and the tests that use them
— a module of its own, since ``conftest`` names a different module in each test folder."""

from __future__ import annotations

import os
from pathlib import Path


class PrivatePostgres:
    """A PostgreSQL server of the test's own (initdb in a temporary folder, a free port on
    127.0.0.1, trust auth), so a test can stop and restart it; the shared server must stay
    up for every other test."""

    def __init__(self, folder: Path, port: int, bin_dir: Path) -> None:
        self.folder, self.port, self.bin_dir = folder, port, bin_dir
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str) -> None:
        import subprocess

        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        # no pipes: the server pg_ctl starts would hold them open, and run() would wait
        subprocess.run(
            command,
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-l", log, "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
