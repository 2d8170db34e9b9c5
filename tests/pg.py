"""A real, throwaway PostgreSQL cluster for the SQL-source tests (no mocks).

`initdb` + `pg_ctl` from Debian's postgresql package (`scripts/system-deps.sh`
installs it), in a temp dir, listening on 127.0.0.1 on a free port, with a
password for TCP logins (so the tests can prove the password never leaks).
As root, the server runs as user `postgres` through `runuser`, since
PostgreSQL refuses to run as root. `stop()` shuts it down and removes it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

PASSWORD = "Zq7-s3cret@pg/batchkit"  # '@' and '/' must be escaped in a URL: the masking must cope


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir(base: Path = Path("/usr/lib/postgresql")) -> Path:
    """The newest /usr/lib/postgresql/N/bin with initdb, else initdb on PATH."""
    found = sorted(base.glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb): run scripts/system-deps.sh "
        "(apt-get install postgresql), or set BATCHKIT_SKIP_POSTGRES=1 to skip the SQL-source tests")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    root: Path
    bindir: Path
    port: int

    def url(self, password: str | None = PASSWORD, database: str = "postgres") -> str:
        """A SQLAlchemy URL for user postgres (the password percent-escaped as URLs need)."""
        return URL.create("postgresql+psycopg", username="postgres", password=password, host="127.0.0.1",
                          port=self.port, database=database).render_as_string(hide_password=False)

    def stop(self) -> None:
        _run(self, [str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop"],
             check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(cluster: Cluster, argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        log = cluster.root / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise PostgresUnavailable(f"{' '.join(argv[:2])} failed ({proc.returncode}): {proc.stderr.strip()}\n{tail}")
    return proc


def start_cluster() -> Cluster:
    """initdb (about 1 s) and start a server; raises PostgresUnavailable with the reason."""
    bindir = find_bindir()
    root = Path(tempfile.mkdtemp(prefix="batchkit-pg-"))
    cluster = Cluster(root=root, bindir=bindir, port=0)
    try:
        (root / "pw").write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
            shutil.chown(root / "pw", "postgres", "postgres")
        _run(cluster, [str(bindir / "initdb"), "-D", str(root / "data"), "-U", "postgres", "--auth-local=trust",
                       "--auth-host=scram-sha-256", f"--pwfile={root / 'pw'}", "-E", "UTF8", "--locale=C.UTF-8"])
        for attempt in range(5):  # a free port can be taken between the check and the start
            cluster.port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {root} -c fsync=off "
                       "-c full_page_writes=off -c synchronous_commit=off")
            proc = _run(cluster, [str(bindir / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log"),
                                  "-w", "-t", "60", "-o", options, "start"], check=attempt == 4)
            if proc.returncode == 0:
                return cluster
    except BaseException:
        cluster.stop()
        raise
    raise PostgresUnavailable("could not start PostgreSQL")  # pragma: no cover - the last attempt raised
