"""Neo4j Community 5.26 itself, for the integration tests: jars from Maven Central, one
server per test session on 127.0.0.1 with authentication on, stopped by process id.

`make neo4j` (run by `make test`) fetches the jars once into .cache/ (about 116 MB, 214
jars, a minute or two); `python -m tests.neo4j_server fetch` does the same, and
`python -m tests.neo4j_server run` starts a server by hand (see README, "Tests").
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSION = "5.26.17"  # the 5.26 LTS line: the last that runs on Java 17
JARS = ROOT / ".cache" / f"neo4j-{VERSION}" / "jars"
PASSWORD = "policygraph-test"
USER = "neo4j"
# Without Neo4j's own launcher its JVM options go on the command line: the module
# openings are what the launcher adds (startup fails with a LinkageError without them).
JVM_OPTS = ["--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true", "-Dfile.encoding=UTF-8"]
POM = f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>policygraph</groupId><artifactId>neo4j-test-server</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies><dependency>
    <groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{VERSION}</version>
  </dependency></dependencies>
</project>
"""


def java() -> str:
    """Java 17: another JDK on the machine (25) is too new for Neo4j 5.26."""
    preferred = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin/java")
    return str(preferred) if preferred.exists() else (shutil.which("java") or "java")


def fetch(attempts: int = 4) -> Path:
    """The server's jars, copied from Maven Central (and ~/.m2) once."""
    if JARS.is_dir() and any(JARS.glob(f"neo4j-{VERSION}.jar")):
        return JARS
    work = JARS.parent
    work.mkdir(parents=True, exist_ok=True)
    (work / "pom.xml").write_text(POM, encoding="utf-8")
    cmd = ["mvn", "-B", "-q", "-f", str(work / "pom.xml"),
           "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
           "-DincludeScope=runtime", f"-DoutputDirectory={JARS}.partial"]
    for attempt in range(attempts):  # Maven Central may answer 429 to a burst
        if subprocess.run(cmd).returncode == 0:
            os.replace(f"{JARS}.partial", JARS)
            return JARS
        time.sleep(5 * (attempt + 1))
    raise RuntimeError(f"could not fetch Neo4j {VERSION} from Maven Central")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Neo4jServer:
    """One Neo4j home under ``workdir``: configured, its password set, started, stopped."""

    name = "neo4j"

    def __init__(self, workdir: Path, heap: str = "768m") -> None:
        """``heap``: the JVM's -Xmx; the tests' small graphs need little, the 1,000-plan
        benchmark more (garbage collection otherwise slows the server it measures)."""
        if not any(JARS.glob(f"neo4j-{VERSION}.jar")):
            raise RuntimeError(f"Neo4j {VERSION} is not in {JARS}: `make test` fetches it "
                               "(or run `python -m tests.neo4j_server fetch`)")
        self.home = Path(workdir)
        self.heap = heap
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.user, self.password = USER, PASSWORD

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def _java(self, *args: str, **kw) -> list[str]:
        return [java(), *JVM_OPTS, f"-Xmx{self.heap}", "-cp", f"{JARS}/*", *args]

    def _env(self) -> dict:
        return {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}

    def configure(self) -> None:
        conf = self.home / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "neo4j.conf").write_text("\n".join([
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.port}",
            "server.http.enabled=false", "server.https.enabled=false",
            "dbms.routing.enabled=false",  # else it binds a second port
            "dbms.usage_report.enabled=false",  # else it calls home
            "db.tx_log.preallocate=false", "server.memory.pagecache.size=128m",
            "dbms.security.auth_enabled=true",
            f"server.directories.data={self.home / 'data'}",
            f"server.directories.logs={self.home / 'logs'}", ""]), encoding="utf-8")
        subprocess.run(self._java("org.neo4j.cli.AdminTool", "dbms", "set-initial-password",
                                  self.password), env=self._env(), check=True,
                       capture_output=True, timeout=120)

    def start(self, timeout: float = 180) -> "Neo4jServer":
        import neo4j

        if not (self.home / "conf" / "neo4j.conf").exists():
            self.configure()
        with open(self.home / "console.log", "ab") as log:
            self.proc = subprocess.Popen(
                self._java("org.neo4j.server.CommunityEntryPoint", f"--home-dir={self.home}",
                           f"--config-dir={self.home / 'conf'}", "--console-mode"),
                env=self._env(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("Neo4j exited at start: "
                                   + (self.home / "console.log").read_text()[-800:])
            try:
                with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as d:
                    d.verify_connectivity()
                return self
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Neo4j did not answer within {timeout:.0f} s")

    def stop(self, kill: bool = False) -> None:
        """By process id: SIGTERM for an orderly shutdown (SIGKILL with ``kill``)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def problems(self) -> list[str]:
        log = self.home / "console.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return [ln for ln in text.splitlines() if " ERROR " in ln]


def _interrupt(signum: int, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    if sys.argv[1:] == ["fetch"]:
        print(fetch())
    elif sys.argv[1:] == ["run"]:
        fetch()
        home = ROOT / ".cache" / "neo4j-home"
        server = Neo4jServer(home)
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.start()
            print(f"Neo4j {VERSION} on {server.uri}, user {USER}, password {PASSWORD}; "
                  f"home {home}; Ctrl-C or SIGTERM stops it", flush=True)
            server.proc.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()  # the JVM is this process's child: never leave it behind
    else:
        sys.exit("usage: python -m tests.neo4j_server fetch|run")
