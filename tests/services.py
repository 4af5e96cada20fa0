"""Real PostgreSQL and Redis servers (Debian's packages) for the serving tests.

Each runs on a free 127.0.0.1 port with its data in a fresh temporary folder,
with a password (so the tests can check it never reaches a log), and is
stopped and removed after. `make services` installs the packages.
"""
import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import List, Optional

from tests.bot_server import free_port

STARTUP_SECONDS = 60


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found: run `make services`")
    return found[-1]


def _as_postgres_user() -> List[str]:
    """PostgreSQL refuses to run as root: use Debian's ``postgres`` account then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _wait(check, what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early: {log.read_text(errors='replace')[-2000:]}")
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start in {STARTUP_SECONDS}s")


class PostgresServer:
    """``url`` is the SQLAlchemy URL of a database ``rasa`` owned by user ``rasa``."""

    user = "rasa"

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="zqbz-pg-"))
        self.port = free_port()
        # Characters that must be escaped in a URL, as real passwords have.
        self.password = secrets.token_hex(12) + "@:/%"
        self.url = f"postgresql://{self.user}:{urllib.parse.quote(self.password, safe='')}" \
                   f"@127.0.0.1:{self.port}/rasa"
        self.log = self.folder / "postgres.log"
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "PostgresServer":
        data, pwfile = self.folder / "data", self.folder / "pw"
        pwfile.write_text(self.password)
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            for path in (self.folder, pwfile):
                os.chown(path, account.pw_uid, account.pw_gid)
        subprocess.run(_as_postgres_user() + [
            _postgres_bin("initdb"), "-D", str(data), "-U", self.user, "--pwfile", str(pwfile),
            "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8"],
            check=True, capture_output=True)
        self.resume()
        self._sql("CREATE DATABASE rasa", database="postgres")
        return self

    def resume(self) -> None:
        """Start the server (again) on the same port and data."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(_as_postgres_user() + [
                _postgres_bin("postgres"), "-D", str(self.folder / "data"), "-p", str(self.port),
                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
                "-c", "fsync=off"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait(self._ready, "PostgreSQL", self.process, self.log)

    def pause(self) -> None:
        """Stop the server now (a fast shutdown: clients are cut off), keeping its data."""
        os.killpg(self.process.pid, signal.SIGINT)  # the whole group: runuser does not pass SIGINT on
        self.process.wait(timeout=30)

    def _connect(self, database: str = "rasa"):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user,
                                password=self.password, dbname=database, connect_timeout=2)

    def _ready(self) -> bool:
        try:
            self._connect("postgres").close()
            return True
        except Exception:  # noqa: BLE001 - any failure means "not yet"
            return False

    def _sql(self, statement: str, params: tuple = (), database: str = "rasa") -> list:
        connection = self._connect(database)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def chart_env(self) -> dict:
        """The variables Rasa's Helm chart gives the container for its PostgreSQL."""
        return {"DB_HOST": "127.0.0.1", "DB_PORT": str(self.port), "DB_USER": self.user,
                "DB_PASSWORD": self.password, "DB_DATABASE": "rasa"}

    def events(self, sender_id: str) -> List[str]:
        """The stored event types of one conversation, in order (straight from the table)."""
        rows = self._sql("SELECT type_name FROM events WHERE sender_id = %s ORDER BY id", (sender_id,))
        return [row[0] for row in rows]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                self.pause()
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)


class RedisServer:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="zqbz-redis-"))
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.log = self.folder / "redis.log"
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "RedisServer":
        self.resume()
        return self

    def pause(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)

    def resume(self) -> None:
        redis_server = shutil.which("redis-server")
        if not redis_server:
            raise RuntimeError("redis-server not found: run `make services`")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [redis_server, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                 "--appendonly", "no", "--dir", str(self.folder), "--requirepass", self.password],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait(self._ready, "Redis", self.process, self.log)

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=2)

    def _ready(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:  # noqa: BLE001
            return False

    def env(self) -> dict:
        return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port), "REDIS_PASSWORD": self.password}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
