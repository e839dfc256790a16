"""Fetch Kafka's jars from Maven Central, then format, start and stop a single-node local broker."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from streams import kafka_secure
from streams.errors import BrokerError, ConfigError, MissingToolError
from streams.security import KafkaSecurity

__all__ = [
    "KAFKA_VERSION",
    "BrokerInfo",
    "check_tools",
    "client_security",
    "default_cache_dir",
    "default_state_dir",
    "ensure_jars",
    "free_port",
    "log_file",
    "secure_files",
    "start",
    "status",
    "stop",
]

# The newest 4.1.x on Maven Central when this was written; faust-streaming 0.15.3 with aiokafka 0.14 was
# proven on it (docs/kafka.md: internal topics, changelog recovery after kill -9).
KAFKA_VERSION = "4.1.2"

# The slf4j binding the release tarball ships, per version: it must match the log4j that kafka-server
# brings (2.25.3 for 4.1.2), and slf4j-api stays 1.7.x because a 2.x API ignores a 1.x binding.
_LOGGING_DEPENDENCIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "4.1.2": (
        ("org.apache.logging.log4j", "log4j-slf4j-impl", "2.25.3"),
        ("org.slf4j", "slf4j-api", "1.7.36"),
    ),
}

# Pinned so a Maven upgrade cannot change how the classpath is gathered.
_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"
_MIN_JAVA = 17  # Kafka 4.x brokers need Java 17
_JAVA_HINT = "install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless)"
_MVN_HINT = "install Maven 3.6+ (Debian: apt-get install maven); it fetches Kafka's jars once"
_STATE_FILE = "state.json"
_LOG_LINES = 20  # how much of the broker log a startup error quotes


@dataclass(frozen=True, slots=True)
class BrokerInfo:
    """A running local broker, as recorded in its state directory."""

    bootstrap: str
    pid: int
    port: int
    controller_port: int
    log_file: Path
    data_dir: Path
    version: str
    started_at: float
    security: str = "PLAINTEXT"  # the client listener's protocol: SASL_SSL when started with secure=True
    ssl_port: int | None = None  # the secure broker's TLS listener that requires a client certificate


def default_state_dir() -> Path:
    """Where the broker's data, log and state.json live: $WARTA_HOME/kafka or ~/.local/state/warta/kafka."""
    home = os.environ.get("WARTA_HOME")
    if home:
        return Path(home).expanduser() / "kafka"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "warta" / "kafka"


def default_cache_dir() -> Path:
    """Where downloaded jars are kept: $WARTA_CACHE or ~/.cache/warta."""
    cache = os.environ.get("WARTA_CACHE")
    if cache:
        return Path(cache).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "warta"


def log_file(state_dir: Path | None = None) -> Path:
    """The broker's log file (stdout and stderr of the java process)."""
    return (state_dir or default_state_dir()) / "kafka.log"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- tools


def _java() -> str:
    """The java executable: $JAVA_HOME/bin/java if set, else the one on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise MissingToolError(f"java not found: {_JAVA_HINT}")
    return found


def _check_java() -> str:
    """The java executable, after checking it is new enough for the broker."""
    java = _java()
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MissingToolError(f"{java} -version failed ({exc}): {_JAVA_HINT}") from None
    # `openjdk version "17.0.15"`, `java version "1.8.0_402"`, `openjdk version "21"`
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if match is None:
        raise MissingToolError(f"cannot tell the version of {java}: {_JAVA_HINT}")
    major = int(match.group(2) or 0) if match.group(1) == "1" else int(match.group(1))
    if major < _MIN_JAVA:
        raise MissingToolError(f"{java} is Java {major}, Kafka needs {_MIN_JAVA}+: {_JAVA_HINT}")
    return java


def _mvn() -> str:
    """The mvn executable on PATH."""
    found = shutil.which("mvn")
    if found is None:
        raise MissingToolError(f"mvn not found: {_MVN_HINT}")
    return found


def check_tools() -> None:
    """Raise MissingToolError naming what to install if java 17+ or mvn is missing."""
    _check_java()
    _mvn()


# ---------------------------------------------------------------- jars


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on path (created if needed) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _template(name: str) -> str:
    return resources.files("streams.data.kafka").joinpath(name).read_text("utf-8")


def _pom(version: str) -> str:
    deps = _LOGGING_DEPENDENCIES.get(version)
    if deps is None:
        known = ", ".join(sorted(_LOGGING_DEPENDENCIES))
        raise ConfigError(f"Kafka {version}: no known logging dependencies (supported: {known})")
    lines = [
        f"    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
        f"<version>{ver}</version></dependency>"
        for group, artifact, ver in deps
    ]
    return (
        _template("pom.xml.txt").replace("@KAFKA_VERSION@", version).replace("@LOGGING_DEPENDENCIES@", "\n".join(lines))
    )


def ensure_jars(
    version: str = KAFKA_VERSION,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """The folder of the broker's jars, downloading them from Maven Central on first use."""
    cache = cache_dir or default_cache_dir()
    home = cache / f"kafka-{version}"
    libs = home / "libs"
    # The folder only appears by an atomic rename of a complete download, so existing means complete.
    if libs.is_dir():
        return libs
    pom = _pom(version)  # unknown versions fail before anything is downloaded
    with _locked(cache / f".kafka-{version}.lock"):
        if libs.is_dir():  # another process finished the download while we waited for the lock
            return libs
        mvn = _mvn()
        if progress is not None:
            progress(f"Downloading Apache Kafka {version} jars from Maven Central (first run only)…")
        tmp = Path(tempfile.mkdtemp(prefix=f".kafka-{version}-", dir=cache))
        try:
            (tmp / "pom.xml").write_text(pom, "utf-8")
            cmd = [
                mvn,
                "-B",
                "-q",
                "-f",
                str(tmp / "pom.xml"),
                _DEPENDENCY_PLUGIN,
                "-DincludeScope=runtime",
                f"-DoutputDirectory={tmp / 'libs'}",
            ]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise BrokerError(f"mvn did not fetch Kafka {version} within 30 minutes") from None
            jars = list((tmp / "libs").glob("*.jar")) if (tmp / "libs").is_dir() else []
            if done.returncode != 0 or not jars:
                tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-_LOG_LINES:])
                raise BrokerError(f"mvn could not fetch Kafka {version} (exit {done.returncode}):\n{tail}")
            if home.exists():
                shutil.rmtree(home)  # a leftover without libs/ (hand-edited or older layout)
            os.replace(tmp, home)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return libs


# ---------------------------------------------------------------- processes

# Popen objects of brokers this process started: kept so stop() can reap them (no zombie lingers
# to look alive) and so they are never garbage-collected with a ResourceWarning.
_children: dict[int, subprocess.Popen[bytes]] = {}


def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else; _is_ours() rejects it
    with contextlib.suppress(OSError):
        # A zombie still answers kill(0); field 3 of /proc/<pid>/stat is its state.
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    # No /proc (macOS): ask ps.
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, timeout=10).stdout
    return ""


def _is_ours(pid: int, state_dir: Path) -> bool:
    """True if pid is alive and is the Kafka java process started for this state dir (pids get reused)."""
    if not _alive(pid):
        return False
    cmd = _cmdline(pid)
    return "kafka.Kafka" in cmd and str(state_dir / "server.properties") in cmd


def _read_state(state_dir: Path) -> BrokerInfo | None:
    try:
        raw: dict[str, Any] = json.loads((state_dir / _STATE_FILE).read_text("utf-8"))
        return BrokerInfo(
            bootstrap=str(raw["bootstrap"]),
            pid=int(raw["pid"]),
            port=int(raw["port"]),
            controller_port=int(raw["controller_port"]),
            log_file=Path(raw["log_file"]),
            data_dir=Path(raw["data_dir"]),
            version=str(raw["version"]),
            started_at=float(raw["started_at"]),
            security=str(raw.get("security", "PLAINTEXT")),
            ssl_port=int(raw["ssl_port"]) if raw.get("ssl_port") else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or from an older layout: treated as "nothing recorded"


def _write_state(state_dir: Path, info: BrokerInfo) -> None:
    data = {key: str(value) if isinstance(value, Path) else value for key, value in asdict(info).items()}
    tmp = state_dir / f".{_STATE_FILE}.tmp"
    tmp.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    os.replace(tmp, state_dir / _STATE_FILE)  # readers never see half a file


def _tail(path: Path, lines: int = _LOG_LINES) -> str:
    try:
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _port_in_use(port: int) -> bool:
    """True if something listens on 127.0.0.1:port. SO_REUSEADDR as the broker's own listener has (Java sets it
    on server sockets): a port whose last connections are in TIME-WAIT, as after `stop`, is free for Kafka."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _other_ports(port: int, count: int) -> list[int]:
    """`count` free ports other than `port` and each other (the controller's first), padded to three."""
    found: list[int] = []
    while len(found) < count:
        candidate = free_port()
        if candidate != port and candidate not in found:
            found.append(candidate)
    return found + [0] * (3 - count)


def _cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (as StorageTool makes)."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):  # Kafka rejects ids that would look like a command-line flag
            return cid


def _format(java: str, libs: Path, props: Path, data_dir: Path, log4j: Path, extra: list[str] | None = None) -> None:
    """Format KRaft storage in data_dir unless it already is (formatting twice would fail); `extra` arguments
    (SCRAM users and their password) go through a 0600 argument file, never on a command line others can read."""
    if (data_dir / "meta.properties").is_file():
        return
    cmd = [
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        f"{libs}/*",
        "kafka.tools.StorageTool",
        "format",
        "-t",
        _cluster_id(),
        "-c",
        str(props),
        *(extra or []),
    ]
    argfile = props.with_name(".format.args")
    argfile.unlink(missing_ok=True)
    with os.fdopen(os.open(argfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        # The java launcher reads these `@file` arguments, main class and its arguments included; quoted, one a line.
        out.write("".join('"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"\n' for arg in cmd))
    try:
        done = subprocess.run([java, f"@{argfile}"], capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
    finally:
        argfile.unlink(missing_ok=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-_LOG_LINES:])
        raise BrokerError(f"formatting Kafka storage in {data_dir} failed (exit {done.returncode}):\n{tail}")


def _ready(bootstrap: str, security: KafkaSecurity | None = None) -> bool:
    """True once a kafka-python client can fetch cluster metadata from bootstrap (through its TLS and SASL)."""
    host, _, port = bootstrap.rpartition(":")
    try:
        # A bare TCP connect first: cheap, and keeps kafka-python from logging connection errors.
        with socket.create_connection((host, int(port)), timeout=1):
            pass
    except OSError:
        return False
    from kafka import KafkaAdminClient  # deferred: kafka-python is slow to import and only needed here
    from kafka.errors import KafkaError

    from streams.security import kafka_python_options

    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, client_id="warta-kafka-local",
                                 **kafka_python_options(security or KafkaSecurity()))
    except (KafkaError, OSError):
        return False
    try:
        admin.describe_cluster()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def _kill(pid: int, timeout: float) -> None:
    """SIGTERM pid, wait up to timeout, then SIGKILL; reap it if it is our child."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
    child = _children.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(1)


def secure_files(state_dir: Path | None = None) -> kafka_secure.SecureFiles:
    """Where the secure broker of a state dir keeps its CA, certificates and password."""
    return kafka_secure.SecureFiles((state_dir or default_state_dir()).resolve() / "secure")


def client_security(state_dir: Path | None = None, mechanism: str = "SCRAM-SHA-256") -> KafkaSecurity:
    """What a client of the secure local broker sets: its CA, its user and that user's password."""
    files = secure_files(state_dir)
    if not files.password_file.is_file():
        raise BrokerError(f"no secure broker was set up in {files.folder.parent}: run `warta kafka start --secure`")
    return KafkaSecurity(protocol="SASL_SSL", sasl_mechanism=mechanism, username=kafka_secure.USER,
                         password=files.password(), cafile=files.cafile)


def status(state_dir: Path | None = None) -> BrokerInfo | None:
    """The broker recorded in state_dir if its process is alive, else None."""
    state = (state_dir or default_state_dir()).resolve()
    info = _read_state(state)
    if info is None or not _is_ours(info.pid, state):
        return None
    return info


def start(
    port: int = 9092,
    *,
    state_dir: Path | None = None,
    heap_mb: int = 512,
    timeout: float = 90,
    progress: Callable[[str], None] | None = None,
    secure: bool = False,
) -> BrokerInfo:
    """Start the local broker on 127.0.0.1:port (0: any free port), or return the one already running.

    With `secure`, port is a SASL_SSL listener (SCRAM-SHA-256/512 and PLAIN for the user `warta`, a certificate of
    a CA made for this state dir; `client_security()` says what a client sets), beside an SSL listener that
    requires a client certificate, and the broker's own traffic goes through a loopback PLAINTEXT listener."""
    state = (state_dir or default_state_dir()).resolve()
    state.mkdir(parents=True, exist_ok=True)
    # One starter per state dir: two callers at once would both format and launch.
    with _locked(state / ".lock"):
        running = status(state)
        if running is not None:
            if port not in (0, running.port):
                raise BrokerError(
                    f"a local broker already runs on port {running.port} (state {state}), not {port}: "
                    "stop it first or use that port"
                )
            if (running.security != "PLAINTEXT") != secure:
                raise BrokerError(f"a local {running.security} broker already runs on port {running.port} (state "
                                  f"{state}): stop it first to start it {'with' if secure else 'without'} --secure")
            return running
        java = _check_java()
        libs = ensure_jars(progress=progress)
        port = port or free_port()
        if _port_in_use(port):
            raise BrokerError(f"port {port} on 127.0.0.1 is already in use: pick another or set port 0")
        controller_port, ssl_port, internal_port = _other_ports(port, 3 if secure else 1)
        # A secure broker's storage is formatted with its SCRAM users, so it has a data dir of its own.
        data_dir = state / ("data-secure" if secure else "data")
        data_dir.mkdir(exist_ok=True)
        props = state / "server.properties"
        log4j = state / "log4j2.yaml"
        listeners: dict[str, str] = {
            "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
            "advertised_listeners": f"PLAINTEXT://127.0.0.1:{port}",
            "inter_broker_listener": "PLAINTEXT",
            "protocol_map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "security": "",
        }
        users: list[str] = []
        if secure:
            files = kafka_secure.ensure_files(state, (data_dir / "meta.properties").is_file())
            listeners = kafka_secure.listener_config(files, port, ssl_port, internal_port, controller_port)
            users = kafka_secure.scram_format_args(files)
        # Rewritten on every start: the ports may differ from the last run (static voters allow that). Owner-only:
        # a secure broker's holds a password.
        props.unlink(missing_ok=True)
        with os.fdopen(os.open(props, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
            out.write(string.Template(_template("server.properties.txt")).substitute(
                port=port, controller_port=controller_port, data_dir=data_dir, **listeners
            ))
        log4j.write_text(_template("log4j2.yaml"), "utf-8")
        _format(java, libs, props, data_dir, log4j, users)

        log = log_file(state)
        if log.exists():
            os.replace(log, log.with_name(log.name + ".1"))  # keep one previous run for post-mortems
        if progress is not None:
            progress(f"Starting Kafka {KAFKA_VERSION} on 127.0.0.1:{port} (log: {log})…")
        cmd = [
            java,
            f"-Xms{heap_mb}m",
            f"-Xmx{heap_mb}m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}",
            "-cp",
            f"{libs}/*",
            "kafka.Kafka",
            str(props),
        ]
        started_at = time.time()
        with log.open("ab") as out:
            # Own session: Ctrl-C in the starting terminal or the end of a CLI call must not kill it.
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=state,
                start_new_session=True,
                close_fds=True,
            )
        _children[proc.pid] = proc
        info = BrokerInfo(
            bootstrap=f"127.0.0.1:{port}",
            pid=proc.pid,
            port=port,
            controller_port=controller_port,
            log_file=log,
            data_dir=data_dir,
            version=KAFKA_VERSION,
            started_at=started_at,
            security="SASL_SSL" if secure else "PLAINTEXT",
            ssl_port=ssl_port if secure else None,
        )
        # Ready means ready for a client as configured: the secure broker is asked over SASL_SSL as its user.
        check = client_security(state) if secure else None
        deadline = time.monotonic() + timeout
        while not _ready(info.bootstrap, check):
            if proc.poll() is not None:
                _children.pop(proc.pid, None)
                raise BrokerError(
                    f"Kafka exited with code {proc.returncode} while starting; last lines of {log}:\n" + _tail(log)
                )
            if time.monotonic() > deadline:
                _kill(proc.pid, 10)
                raise BrokerError(f"Kafka did not answer within {timeout:.0f}s; last lines of {log}:\n" + _tail(log))
            time.sleep(0.2)
        _write_state(state, info)
        return info


def stop(state_dir: Path | None = None, timeout: float = 30) -> bool:
    """Stop the broker recorded in state_dir (SIGTERM, then SIGKILL); False if none was running."""
    state = (state_dir or default_state_dir()).resolve()
    if not state.is_dir():
        return False
    with _locked(state / ".lock"):
        info = _read_state(state)
        running = info is not None and _is_ours(info.pid, state)
        if info is not None and running:
            _kill(info.pid, timeout)
            if _alive(info.pid):
                raise BrokerError(f"Kafka (pid {info.pid}) did not die after SIGKILL")
        with contextlib.suppress(FileNotFoundError):
            (state / _STATE_FILE).unlink()
        return running
