"""The `warta` command: enrich offline, run workers, produce and tail topics, manage a local broker."""

from __future__ import annotations

import codecs
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

import typer

from streams import codec
from streams.errors import BrokerError, ConfigError, InvalidMessage, WartaError
from streams.settings import Settings

__all__ = ["main"]

# Help texts are Rich markup (typer's default rich_markup_mode): a "[env: …]" would be read as a style tag and
# vanish, so every literal "[" in a help text goes through _env() or rich.markup.escape.
app = typer.Typer(
    help="Warta: a streaming news-event processor (dedup → tag events → timestamps) on Apache Kafka.\n\n"
    "Settings come from flags or environment variables: KAFKA_BOOTSTRAP_SERVERS (use that cluster and "
    "start nothing), WARTA_TOPIC_PREFIX (default 'warta.'), WARTA_APP_ID, WARTA_PARTITIONS, WARTA_REPLICATION, "
    "WARTA_DATA_DIR, WARTA_WEB_PORT, WARTA_WEB_HOST, WARTA_LOG_LEVEL, WARTA_LOG_FORMAT, WARTA_KAFKA_PORT, WARTA_HOME, "
    "WARTA_CACHE, WARTA_MAX_BODY_BYTES, WARTA_DEDUP_RETENTION_DAYS, WARTA_TAGGERS; a secured cluster: "
    "KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CAFILE, "
    "KAFKA_SSL_CERTFILE, KAFKA_SSL_KEYFILE, KAFKA_SSL_KEY_PASSWORD, KAFKA_SSL_CHECK_HOSTNAME (see README.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kafka_app = typer.Typer(help="Run a local single-node Apache Kafka broker (KRaft) from Maven Central jars.",
                        no_args_is_help=True)
topics_app = typer.Typer(help="Create, list or delete Warta's topics (prefix from WARTA_TOPIC_PREFIX).",
                         no_args_is_help=True)
app.add_typer(kafka_app, name="kafka")
app.add_typer(topics_app, name="topics")

_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Settings)}


def _env(text: str, var: str, default: object) -> str:
    """An option's help ending in "[env: VAR; default: X]", its bracket escaped for Rich."""
    return f"{text} \\[env: {var}; default: {default}]"


Prefix = Annotated[
    str | None, typer.Option("--prefix", help=_env("Topic prefix.", "WARTA_TOPIC_PREFIX", _DEFAULTS["topic_prefix"]))
]
Bootstrap = Annotated[
    str | None,
    typer.Option("--bootstrap", "-b", help=_env("Kafka cluster, host:port\\[,host:port…].", "KAFKA_BOOTSTRAP_SERVERS",
                                                "the local broker of `warta kafka start`")),
]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"warta {version('warta')}")
        except PackageNotFoundError:
            typer.echo("warta (not installed: no package metadata)")
        raise typer.Exit()


# The global security flags, by the variable each stands for: _settings() lays them over the environment.
_SECURITY_FLAGS: dict[str, str] = {}
_SECURITY = "Kafka security (before the command; passwords only from the environment)"


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print Warta's version and exit.")
    ] = False,
    protocol: Annotated[str | None, typer.Option(
        "--security-protocol", rich_help_panel=_SECURITY,
        help=_env("PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.", "KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"))] = None,
    mechanism: Annotated[str | None, typer.Option(
        "--sasl-mechanism", rich_help_panel=_SECURITY,
        help=_env("SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN; the password: KAFKA_SASL_PASSWORD.",
                  "KAFKA_SASL_MECHANISM", "none"))] = None,
    username: Annotated[str | None, typer.Option(
        "--sasl-username", rich_help_panel=_SECURITY, help=_env("SASL user.", "KAFKA_SASL_USERNAME", "none"))] = None,
    cafile: Annotated[Path | None, typer.Option(
        "--ssl-cafile", rich_help_panel=_SECURITY,
        help=_env("PEM file of the CA that signed the brokers' certificates.", "KAFKA_SSL_CAFILE",
                  "the system's CAs"))] = None,
    certfile: Annotated[Path | None, typer.Option(
        "--ssl-certfile", rich_help_panel=_SECURITY,
        help=_env("Client certificate (PEM).", "KAFKA_SSL_CERTFILE", "none"))] = None,
    keyfile: Annotated[Path | None, typer.Option(
        "--ssl-keyfile", rich_help_panel=_SECURITY,
        help=_env("Its private key (PEM; if encrypted: KAFKA_SSL_KEY_PASSWORD).", "KAFKA_SSL_KEYFILE",
                  "in the certificate file"))] = None,
    check_hostname: Annotated[bool | None, typer.Option(
        "--ssl-check-hostname/--no-ssl-check-hostname", rich_help_panel=_SECURITY, show_default=False,
        help=_env("Check that the broker's certificate names the host connected to.", "KAFKA_SSL_CHECK_HOSTNAME",
                  "true"))] = None,
) -> None:
    """Warta's global options."""
    flags = {"KAFKA_SECURITY_PROTOCOL": protocol, "KAFKA_SASL_MECHANISM": mechanism, "KAFKA_SASL_USERNAME": username,
             "KAFKA_SSL_CAFILE": cafile, "KAFKA_SSL_CERTFILE": certfile, "KAFKA_SSL_KEYFILE": keyfile,
             "KAFKA_SSL_CHECK_HOSTNAME": None if check_hostname is None else str(check_hostname).lower()}
    _SECURITY_FLAGS.update({name: str(value) for name, value in flags.items() if value is not None})


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _settings(**overrides: Any) -> Settings:
    return Settings.from_env({**os.environ, **_SECURITY_FLAGS}, **overrides)


def _bootstrap(settings: Settings, start: bool = False) -> str:
    """The cluster to use: configured, else the running local broker, else (if allowed) start one.

    Every command that talks to Kafka comes through here, so this is where the process's Kafka clients get their
    TLS/SASL settings (streams.security.use)."""
    from streams import security

    security.use(settings.security)
    if settings.bootstrap_servers:
        return settings.bootstrap_servers
    from streams import kafka_local

    info = kafka_local.status(settings.kafka_home)
    if info is not None:
        if (info.security == "PLAINTEXT") != (settings.security.protocol == "PLAINTEXT"):
            raise ConfigError(
                f"the local broker at {info.bootstrap} is {info.security} but the client is set to "
                f"{settings.security.protocol}: " + ("export what `warta kafka start --secure` prints (it prints it "
                                                     "again)" if info.security != "PLAINTEXT" else
                                                     "unset KAFKA_SECURITY_PROTOCOL, or set KAFKA_BOOTSTRAP_SERVERS")
            )
        return str(info.bootstrap)
    if not start:
        raise WartaError(
            "no Kafka broker: run `warta kafka start` or set KAFKA_BOOTSTRAP_SERVERS=host:port"
        )
    _err(f"Starting a local Kafka broker on 127.0.0.1:{settings.kafka_port} …")
    t0 = time.monotonic()
    info = kafka_local.start(settings.kafka_port, state_dir=settings.kafka_home, progress=_err)
    _err(f"Kafka {info.version} ready at {info.bootstrap} in {time.monotonic() - t0:.1f}s (log: {info.log_file})")
    return str(info.bootstrap)


# ---------------------------------------------------------------- input files

# Byte order marks that say for sure how a file is encoded (UTF-32's first: its LE mark starts with UTF-16's).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _from_bom(data: bytes) -> bytes | None:
    """A UTF-16/32 file with a byte order mark, re-encoded as UTF-8 (the mark is unambiguous); else None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).encode("utf-8")
            except UnicodeDecodeError:
                return None
    return None


def _encoding_hint(data: bytes, name: str) -> str:
    """What a file that is not UTF-8 probably is, and the iconv line that converts it."""
    sample = data[:4096]
    if len(sample) >= 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if max(even, odd) > len(sample) // 8:
            guess = "UTF-16LE" if odd > even else "UTF-16BE"
            return f"the file looks like {guess} (no byte order mark); convert it with " \
                   f"`iconv -f {guess} -t UTF-8 {name} > {Path(name).stem}.utf8{Path(name).suffix}`"
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "save it as UTF-8"
    return ("the file looks like cp1252 (Windows-1252) or Latin-1; convert it with "
            f"`iconv -f CP1252 -t UTF-8 {name} > {Path(name).stem}.utf8{Path(name).suffix}`")


def _read_inputs(paths: list[str]) -> Iterator[tuple[str, int, bytes, str]]:
    """(origin, line number, raw record, encoding hint) for each article: JSONL lines, or one text file = one
    article.

    UTF-16/32 files with a byte order mark are decoded; a text file that is not UTF-8 fails with a hint about
    its likely encoding; a JSON Lines file's bad lines fail one by one as usual, and the hint (empty if the file
    is UTF-8) is for their error messages."""
    for name in paths or ["-"]:
        if name == "-":
            data, stem = sys.stdin.buffer.read(), "stdin"
        else:
            path = Path(name)
            if not path.is_file():
                raise WartaError(f"{name}: no such file")
            data, stem = path.read_bytes(), path.stem
        data = _from_bom(data) or data
        jsonl = name.endswith((".jsonl", ".ndjson", ".json")) or data.lstrip()[:1] == b"{"
        hint = ""
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            hint = _encoding_hint(data, name)
            if not jsonl:
                raise WartaError(f"{name}: not valid UTF-8 at byte {exc.start}: {hint}") from None
        if jsonl:
            for n, line in enumerate(data.splitlines(), 1):
                if line.strip():
                    yield name, n, line, hint
        else:
            try:
                text = codec.decode_text(data)
            except InvalidMessage as exc:
                raise WartaError(f"{name}: {exc}") from None
            yield name, 1, codec.dumps({"id": stem, "body": text}), ""


def _one_line(message: str) -> str:
    """A report of one article as one stderr line: a multi-line error message (a schema error, an exception
    quoting the article) would otherwise split it and break `grep`-style reading of the report."""
    return " ".join(message.split("\n")).replace("\r", " ")


def _reason(exc: InvalidMessage, hint: str) -> str:
    """An invalid record's reason, with the file's encoding hint when the record is not UTF-8."""
    return f"{exc.reason}: {exc}" + (f": {hint}" if hint and exc.reason == "bad_encoding" else "")


# ---------------------------------------------------------------- commands

@app.command()
def enrich(
    paths: Annotated[list[str] | None, typer.Argument(help="JSONL or plain-text files; '-' or none: stdin.")] = None,
    events_only: Annotated[bool, typer.Option("--events", help="Print events, not articles.")] = False,
) -> None:
    """Enrich articles offline (no Kafka): JSON Lines out, in input order, one dedup memory for all input.

    Uses exactly the same cores as the stream. A bad article never stops the run: each is reported on stderr
    in one line, `<file>:<line>: <reason>: <detail>` (the reasons of the dead letters, e.g. not_json or schema;
    `internal` for an unexpected error while enriching it), and the rest still come out. Exit status: 0 when
    every article came out, 1 at the end if any was bad (a count of them is the last line on stderr).
    """
    from streams.article import parse_article
    from streams.dedup import DedupConfig, Deduplicator
    from streams.pipeline import enrich_one
    from streams.tagging import tagger_from_spec

    settings = _settings()
    dedup = Deduplicator(config=DedupConfig(window_seconds=settings.dedup_retention_days * 86400))
    tagger = tagger_from_spec(settings.taggers)
    invalid = internal = records = 0
    out = sys.stdout.buffer
    for origin, line, raw, hint in _read_inputs(paths or []):
        records += 1
        try:
            article = parse_article(raw, settings.max_body_bytes)
        except InvalidMessage as exc:
            invalid += 1
            _err(_one_line(f"{origin}:{line}: {_reason(exc, hint)}"))
            continue
        try:
            enriched, events, _audits = enrich_one(
                article, dedup, record_time=time.time(), clock=time.time, tagger=tagger
            )
            lines = b"".join(codec.dumps(record) + b"\n" for record in (events if events_only else [enriched]))
        except Exception as exc:  # a bug in a core (or a plug-in tagger) costs this article, not the rest
            internal += 1
            _err(_one_line(f"{origin}:{line}: internal: article {article.id[:80]!r}: {type(exc).__name__}: {exc}"))
            continue
        # Written whole after the work succeeded, so a failed article leaves no partial output.
        out.write(lines)
        out.flush()
    if not records:
        _err(f"no articles in {', '.join(paths or ['-'])}")
    if invalid or internal:
        _err(f"{invalid + internal} bad article(s) of {records}: {invalid} invalid, {internal} internal error(s)")
        raise typer.Exit(1)


@app.command()
def produce(
    paths: Annotated[list[str], typer.Argument(help="JSONL files (one article per line) or plain-text files.")],
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
    raw: Annotated[bool, typer.Option(help="Send lines as they are, even if invalid (to test dead letters).")]
    = False,
) -> None:
    """Send articles to the `articles` topic (keyed by article id), with a progress bar."""
    from rich.progress import Progress

    from streams import admin, contract
    from streams.article import parse_article

    settings = _settings(bootstrap_servers=bootstrap, topic_prefix=prefix)
    records = list(_read_inputs(paths))
    server = _bootstrap(settings)
    topic = settings.topic("articles")
    # kafka-python would wait max_block_ms for a topic the broker does not have (auto-creation is off).
    admin.require_topic(server, topic, _create_hint(bootstrap, prefix))
    producer = admin.producer(server)
    sent = skipped = 0
    with Progress(transient=False, console=None) as progress:
        task = progress.add_task(f"→ {topic}", total=len(records))
        for origin, line, value, hint in records:
            key: bytes | None = None
            headers: list[tuple[str, bytes]] = []  # an invalid record sent with --raw claims no schema
            try:
                key = parse_article(value, None).id.encode("utf-8")
                headers = contract.headers(contract.ARTICLE)
            except InvalidMessage as exc:
                if not raw:
                    skipped += 1
                    _err(f"{origin}:{line}: not sent ({_reason(exc, hint)}); use --raw to send it anyway")
                    progress.advance(task)
                    continue
            producer.send(topic, key=key, value=value, headers=headers)
            sent += 1
            progress.advance(task)
        producer.flush()
    producer.close()
    _err(f"sent {sent} article(s) to {topic} at {server}" + (f", {skipped} invalid not sent" if skipped else ""))
    if skipped:
        raise typer.Exit(1)


_TAIL_FILTERED = ("events", "enriched", "tagged")  # the logical topics whose records are or carry events


def _tail_filter(types: list[str] | None, countries: list[str] | None, languages: list[str] | None,
                 modality: list[str] | None) -> Any:
    """The tail's EventFilter from its options (a ConfigError names the choices for a wrong value)."""
    from streams.tail import EventFilter, event_types, modalities, parse_choice, parse_country, split_values

    return EventFilter(
        types=parse_choice(types, event_types(), "--type", upper=True),
        countries=frozenset(parse_country(c) for c in split_values(countries)),
        languages=frozenset(v.lower() for v in split_values(languages)),
        modalities=parse_choice(modality, modalities(), "--modality", upper=False),
    )


def _table_printer() -> Any:
    """A function that prints table rows as they come, in columns of fixed width (a header above the first)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Column, Table

    from streams.tail import COLUMNS

    console = Console(highlight=False)
    header = [True]

    def show(rows: list[tuple[str, ...]]) -> None:
        table = Table(*(Column(name, width=width, no_wrap=True, overflow="ellipsis") for name, width in COLUMNS),
                      box=None, show_header=header[0], header_style="bold", pad_edge=False)
        for row in rows:
            table.add_row(*map(escape, row))
        console.print(table)
        header[0] = False

    return show


def _tail_help() -> str:
    from streams.tail import event_types, modalities

    try:
        return f"types: {', '.join(event_types())}; modalities: {', '.join(modalities())}"
    except (ConfigError, OSError, KeyError):  # no schemas installed: the values are checked when used
        return "see schemas/event.v1.json"


_FILTER_NOTE = "Repeat it or give a comma list; any one matches."


@app.command()
def tail(
    name: Annotated[str, typer.Argument(help="Logical (enriched, events, deadletter, …) or full topic name.")],
    max_records: Annotated[int | None, typer.Option("--max", "-n", help="Stop after N records (shown ones).")]
    = None,
    timeout: Annotated[float | None, typer.Option(help="Stop after S seconds without a new record.")] = None,
    from_end: Annotated[bool, typer.Option("--from-end", help="Only records that arrive from now on.")] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only records timestamped at or after this: an age (30m, 1h, 2d; s, m, h, d, "
                                     f"w) or a date-time ({_WHEN_HELP}). Each partition starts at its first record "
                                     "that recent."),
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option("--type", "-t", help=f"Events of this PLOVER type, e.g. ASSAULT. {_FILTER_NOTE}"),
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option("--country", "-c", help="Events where this country (ISO 3166 alpha-3 such as PRK, or alpha-2) "
                                             f"is an actor's, a recipient's or the place's. {_FILTER_NOTE}"),
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option("--language", "-l", help=f"Records in this language (id, en, …). {_FILTER_NOTE}"),
    ] = None,
    modality: Annotated[
        list[str] | None,
        typer.Option("--modality", "-m", help="Events with this modality: asserted, reported, denied, expected or "
                                              f"hypothetical. {_FILTER_NOTE}"),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--format", "-f", help=_env("json (one record per line) or table (for people: each event's "
                                                 "type, actors → recipients, place, event time, source).",
                                                 "WARTA_TAIL_FORMAT", _DEFAULTS["tail_format"])),
    ] = None,
    meta: Annotated[
        bool,
        typer.Option("--meta", help='Print each record as {"topic", "partition", "offset", "timestamp" (ISO 8601, '
                                    'UTC), "key", "headers", "value"} (keys and headers that are not UTF-8: '
                                    '{"b64": …}).'),
    ] = False,
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
) -> None:
    """Print a topic's records as JSON Lines (from the earliest offset unless --from-end or --since); with --meta,
    each with its key, partition, offset, timestamp and headers; with --format table, its events in a table.

    --type, --country and --modality pick events: on `events` an event passes, on `enriched` and `tagged` an article
    passes when one of its events does; --language picks by the record's language (an article's, an event's).
    Filters combine: a record must pass each one given."""
    from datetime import datetime

    from streams import admin, ops
    from streams.tail import event_rows, parse_since
    from streams.topics import LOGICAL_TOPICS, MONITORING_TOPICS

    settings = _settings(bootstrap_servers=bootstrap, topic_prefix=prefix, tail_format=output)
    fmt = settings.tail_format
    if fmt not in ("json", "table"):
        raise ConfigError(f"--format {fmt!r}: choose json or table (--format or WARTA_TAIL_FORMAT)")
    if fmt == "table" and meta:
        raise ConfigError("--meta prints JSON: drop it or use --format json")
    if since is not None and from_end:
        raise ConfigError("--since and --from-end both say where to start: give one")
    flt = _tail_filter(types, country, language, modality)
    logical = name in LOGICAL_TOPICS or name in MONITORING_TOPICS  # `warta tail stats`: the dashboards' topic
    if logical and name not in _TAIL_FILTERED and (flt.on_events or flt.languages or fmt == "table"):
        raise ConfigError(f"{name} records carry no events: --type, --country, --language, --modality and --format "
                          f"table apply to {', '.join(_TAIL_FILTERED)}")
    start = parse_since(since, datetime.now().astimezone()) if since is not None else None
    server = _bootstrap(settings)
    topic = settings.topic(name) if logical else name
    hint = (_create_hint(bootstrap, prefix) if logical
            else f"check the name with `warta topics list` (or a logical name: "
                 f"{', '.join([*LOGICAL_TOPICS, *MONITORING_TOPICS])})")
    out = sys.stdout.buffer
    show = _table_printer() if fmt == "table" else None
    records = admin.consume(server, topic, from_end=from_end, idle_timeout=timeout, wait=0, hint=hint, since=start)
    shown = 0
    floor = ops.epoch_ms(start) if start is not None else None
    for record in records if max_records != 0 else ():
        if floor is not None and record.timestamp < floor:
            continue  # an earlier timestamp after the partition's first recent one (a producer's own time)
        try:
            value = codec.loads(record.value)
        except InvalidMessage:
            value = {"_raw": record.value.decode("utf-8", "replace") if record.value else None}
        if not flt.passes(value):
            continue
        if show is not None:
            show(event_rows(value, flt))
        else:
            out.write(codec.dumps(ops.record_meta(record, value) if meta else value) + b"\n")
            out.flush()
        shown += 1
        if max_records is not None and shown >= max_records:
            break  # at once: not after waiting for one more record


@app.command()
def worker(
    agents: Annotated[
        str, typer.Option(help="Comma-separated agents to run: dedup,tag,time,stories.")
    ] = "dedup,tag,time,stories",
    web_port: Annotated[
        int | None,
        typer.Option(help=_env("Dashboard/metrics port (0, or a busy one: a free one).", "WARTA_WEB_PORT",
                               _DEFAULTS["web_port"])),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help=_env("Table state (RocksDB), one per worker.", "WARTA_DATA_DIR", _DEFAULTS["data_dir"])),
    ] = None,
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
    log_level: Annotated[
        str | None,
        typer.Option(help=_env("debug|info|warning|error (a \"ready\" line with the worker's partitions and web "
                               "address shows at warning too).", "WARTA_LOG_LEVEL", _DEFAULTS["log_level"])),
    ] = None,
    log_format: Annotated[
        str | None,
        typer.Option(help=_env("text (Faust's lines) or json (one object per line on stderr: time, level, logger, "
                               "message, app_id, host, pid, web).", "WARTA_LOG_FORMAT", _DEFAULTS["log_format"])),
    ] = None,
) -> None:
    """Run a Faust worker with some or all agents (several workers may run side by side:
    give each its own --data-dir and --web-port).

    When its partitions are assigned and its tables recovered, it logs one line: `ready: partitions 0-3 of …;
    web http://…` (`reassigned: …` after a later rebalance)."""
    from streams import admin, logs
    from streams.app import AGENTS, build_app

    chosen = [a.strip() for a in agents.split(",") if a.strip()]
    unknown = sorted(set(chosen) - set(AGENTS))
    if unknown or not chosen:
        raise WartaError(f"--agents: unknown {unknown or chosen}; choose from {', '.join(AGENTS)}")
    settings = _settings(
        bootstrap_servers=bootstrap, topic_prefix=prefix, web_port=web_port, data_dir=data_dir, log_level=log_level,
        log_format=log_format,
    )
    if settings.log_format not in logs.LOG_FORMATS:
        raise ConfigError(f"log format {settings.log_format!r}: choose {' or '.join(logs.LOG_FORMATS)} "
                          "(--log-format or WARTA_LOG_FORMAT)")
    server = _bootstrap(settings)
    admin.check_reachable(server)  # a wrong address fails here, in one line, before anything else is said
    notes: list[str] = []
    if settings.web_port == 0 or _port_busy(settings.web_host, settings.web_port):
        from streams.kafka_local import free_port

        port = free_port()
        if settings.web_port:
            notes.append(f"web port {settings.web_port} is busy; using {port}")
        settings = _settings(**{**_overrides(settings), "web_port": port})
    web = f"http://{settings.web_host}:{settings.web_port}/warta/dashboard"
    fields = logs.worker_fields(settings.group_id, web)
    notes.append(f"worker {settings.group_id}: agents {','.join(chosen)} on {server}; dashboard {web}")
    for note in notes:  # before Faust sets up logging: as a JSON line too when JSON was asked for
        _err(logs.JsonFormatter(fields).format(logging.makeLogRecord(
            {"name": logs.READY_LOGGER, "levelname": "INFO", "levelno": logging.INFO, "msg": note}
        )) if settings.log_format == "json" else note)
    admin.create_topics(settings, server, internal=True)
    faust_app = build_app(settings, server, chosen)
    logs.announce_ready(faust_app, web)
    from faust import Worker

    worker = Worker(faust_app, loglevel=settings.log_level, quiet=settings.log_format == "json",
                    logging_config=logs.logging_config(settings.log_format, settings.log_level, fields))
    # Faust's terminal spinner sets the root logger to DEBUG whatever the level asked for, so aiokafka builds a
    # log record for every send (about a tenth of a worker's time); a worker is a service, not a terminal toy.
    worker.spinner = None
    worker.execute_from_commandline()


# ---------------------------------------------------------------- an operator's tools

GroupOpt = Annotated[
    str | None,
    typer.Option("--group", "-g", help=_env("Consumer group.", "WARTA_APP_ID", "<prefix>workers")),
]


def _member_ref(group: Any, member_id: str | None) -> str:
    """A partition's owner as its row number in the members table ("#2"), or "-"."""
    for n, m in enumerate(group.members, 1):
        if m.member_id == member_id:
            return f"#{n}"
    return "-"


def _show_groups(found: list[Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from streams.logs import assignment_text

    console = Console(highlight=False)
    for g in found:
        console.print(f"[bold]consumer group {escape(g.group)}[/]  state {g.state}  {len(g.members)} member(s)  "
                      f"lag {g.lag}" + (f"  error: {escape(g.error)}" if g.error else ""))
        if g.members:
            members = Table("#", "client id", "host", "member id", "assigned partitions", box=None)
            for n, m in enumerate(g.members, 1):
                members.add_row(str(n), escape(m.client_id), escape(m.host), escape(m.member_id),
                                escape(assignment_text(m.assignment)))
            console.print(members)
        if g.partitions:
            lags = Table("topic", "partition", "committed", "end", "lag", "member", box=None)
            for p in g.partitions:
                lags.add_row(escape(p.topic), str(p.partition), "-" if p.committed is None else str(p.committed),
                             "-" if p.end is None else str(p.end), "-" if p.lag is None else str(p.lag),
                             _member_ref(g, p.member))
            console.print(lags)
        if not g.members and not g.partitions:
            console.print("  no members and no committed offsets")
        console.print()


@app.command()
def groups(
    all_groups: Annotated[bool, typer.Option("--all", help="Every consumer group of the cluster.")] = False,
    group: GroupOpt = None,
    output: Annotated[str, typer.Option("--format", help="table (for people) or json.")] = "table",
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
) -> None:
    """Show consumer groups: state, members (client id, host, assigned partitions) and lag per partition (end
    offset minus committed offset). Warta's group by default (the app id), --all for every group.

    A partition without a committed offset counts its lag from its earliest offset (where Warta's workers start);
    Faust's changelog and leader topics, which workers read without committing, are listed only in the members'
    assignments."""
    from streams import ops

    if output not in ("table", "json"):
        raise ConfigError(f"--format {output!r}: choose table or json")
    settings = _settings(bootstrap_servers=bootstrap, topic_prefix=prefix)
    server = _bootstrap(settings)
    found = ops.describe_groups(server, None if all_groups else [group or settings.group_id])
    if output == "json":
        sys.stdout.buffer.write(codec.dumps([g.as_dict() for g in found]) + b"\n")
        return
    if not found:
        _err(f"no consumer groups on {server}")
        return
    _show_groups(found)


offsets_app = typer.Typer(help="Move the committed offsets of Warta's consumer group (its workers stopped).",
                          no_args_is_help=True)
app.add_typer(offsets_app, name="offsets")

_WHEN_HELP = "ISO 8601, with or without a zone: 2024-10-13T00:00+07:00, 2024-10-13T00:00 (local time), 2024-10-13"


def _warta_topic(settings: Settings, name: str) -> str:
    from streams.topics import INTERNAL_TOPICS, LOGICAL_TOPICS

    names = [*LOGICAL_TOPICS, *INTERNAL_TOPICS]
    if name in names:
        return settings.topic(name)
    if name.startswith(settings.topic_prefix) and name[len(settings.topic_prefix):] in names:
        return name
    raise ConfigError(f"--topic {name!r}: not one of Warta's topics ({', '.join(names)})")


@offsets_app.command("reset")
def offsets_reset(
    to: Annotated[
        str,
        typer.Option("--to", help="earliest, latest, or a date-time: the first record at or after it (the end if "
                                  f"none is that recent). {_WHEN_HELP}."),
    ],
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", help="A topic of Warta's (logical name; repeat for several). Default: articles."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")] = False,
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
) -> None:
    """Set the committed offsets of Warta's consumer group (the app id: WARTA_APP_ID, default `<prefix>workers`)
    on `articles` (or --topic): the workers re-read from there when they start. Refused while the group has
    members: stop the workers first."""
    from streams import ops

    settings = _settings(bootstrap_servers=bootstrap, topic_prefix=prefix)
    target: str | Any = to if to in ("earliest", "latest") else ops.parse_when(to, "--to")
    names = [_warta_topic(settings, t) for t in (topic or ["articles"])]
    server = _bootstrap(settings)
    group_id = settings.group_id
    if not dry_run:
        ops.require_no_members(server, group_id)
    moves = ops.plan_reset(server, group_id, names, target, _create_hint(bootstrap, prefix))
    for m in moves:
        now = "-" if m.current is None else str(m.current)
        change = "" if m.current is None else (f"  re-read {m.current - m.target}" if m.target < m.current else
                                               f"  skip {m.target - m.current}" if m.target > m.current else "")
        typer.echo(f"{m.topic}[{m.partition}]  {now} -> {m.target}  (end {m.end}){change}")
    what = to if isinstance(target, str) else target.isoformat()
    if dry_run:
        _err(f"dry run: consumer group {group_id} would move to {what} on {len(moves)} partition(s); nothing changed")
        return
    ops.apply_reset(server, group_id, moves)
    _err(f"consumer group {group_id}: {len(moves)} partition(s) of {', '.join(names)} reset to {what}")


def _send_all(producer: Any, items: list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]],
              label: str) -> int:
    """Send (topic, key, value, headers) with a progress bar; the number sent."""
    from rich.progress import Progress

    with Progress(transient=False) as progress:
        task = progress.add_task(label, total=len(items))
        for topic, key, value, headers in items:
            producer.send(topic, key=key, value=value, headers=headers)
            progress.advance(task)
        producer.flush()
    producer.close()
    return len(items)


@app.command()
def replay(
    since: Annotated[str, typer.Option("--from", help=f"First record time to re-send. {_WHEN_HELP}.")],
    until: Annotated[str | None, typer.Option("--to", help="Re-send records before this time (default: all up "
                                                           "to now).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be re-sent; send nothing.")] = False,
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
) -> None:
    """Re-send a time range of `articles` to `articles`, with a progress bar and a count.

    The records whose Kafka timestamp is at or after --from and before --to go out again with the same key, value
    and headers, plus a `warta-replay` header naming the original (`<topic>:<partition>:<offset>`). Running workers
    process them again; records that arrive meanwhile are not part of the replay."""
    from streams import admin, contract, ops

    start = ops.parse_when(since, "--from")
    end = ops.parse_when(until, "--to") if until else None
    if end is not None and end <= start:
        raise ConfigError(f"--to {until} is not after --from {since}")
    settings = _settings(bootstrap_servers=bootstrap, topic_prefix=prefix)
    server = _bootstrap(settings)
    topic = settings.topic("articles")
    lo, hi = ops.epoch_ms(start), ops.epoch_ms(end) if end is not None else None
    scanned, records = ops.bounded_records(server, topic, _create_hint(bootstrap, prefix), since=start)
    items: list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]] = []
    for record in records:
        if record.timestamp < lo or (hi is not None and record.timestamp >= hi):
            continue
        origin = f"{record.topic}:{record.partition}:{record.offset}".encode()
        headers = [(k, v) for k, v in record.headers or [] if k != ops.REPLAY_HEADER]
        headers = contract.relabel(headers, record.value, contract.ARTICLE)  # labels one sent without them
        items.append((topic, record.key, record.value, [*headers, (ops.REPLAY_HEADER, origin)]))
    span = f"from {start.isoformat()}" + (f" to {end.isoformat()}" if end else "")
    if dry_run:
        _err(f"dry run: {len(items)} record(s) of {topic} {span} would be re-sent ({scanned} read); nothing sent")
        return
    sent = _send_all(admin.producer(server), items, f"↻ {topic}") if items else 0
    _err(f"re-sent {sent} record(s) of {topic} {span} to {topic} ({scanned} read)")


deadletter_app = typer.Typer(help="Re-send dead letters (after a fix).", no_args_is_help=True)
app.add_typer(deadletter_app, name="deadletter")


def _enum(field: str) -> list[str]:
    """The values schemas/deadletter.v1.json allows for `field` (reason, stage)."""
    from streams.schemas import load_schema

    try:
        return list(load_schema("deadletter.v1")["properties"][field]["enum"])
    except (ConfigError, OSError, KeyError):  # no schemas installed: no choices to offer, no filter refused
        return []


@deadletter_app.command("replay")
def deadletter_replay(
    reason: Annotated[
        list[str] | None,
        typer.Option("--reason", "-r", help="Only dead letters with this reason (repeat for several): "
                                            + ", ".join(_enum("reason")) + "."),
    ] = None,
    stage: Annotated[
        list[str] | None,
        typer.Option("--stage", "-s", help="Only dead letters from this stage (repeat for several): "
                                           + ", ".join(_enum("stage")) + "."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be re-sent; send nothing.")] = False,
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
) -> None:
    """Re-send the original bytes of dead letters (with their original key) to the topic they were read from:
    `articles` for bad input, `deduped`/`tagged` for the tag and time stages' failures. Each carries a
    `warta-replay` header naming the dead letter and `warta-deadletter-reason`. Skipped and counted: dead letters
    whose original is truncated, and those from the dedup stage's internal topics or another prefix."""
    from streams import admin, contract, ops

    for name, values in (("reason", reason), ("stage", stage)):
        bad = sorted(set(values or []) - set(_enum(name)))
        if bad and _enum(name):
            raise ConfigError(f"--{name} {', '.join(bad)}: choose from {', '.join(_enum(name))}")
    settings = _settings(bootstrap_servers=bootstrap, topic_prefix=prefix)
    server = _bootstrap(settings)
    source = settings.topic("deadletter")
    targets = {settings.topic(name) for name in ("articles", "deduped", "tagged")}
    _, records = ops.bounded_records(server, source, _create_hint(bootstrap, prefix))
    items: list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]] = []
    reasons: list[str] = []
    unreadable = filtered = truncated = elsewhere = 0
    for letter in ops.dead_letters(records):
        if letter is None:
            unreadable += 1
        elif (reason and letter.reason not in reason) or (stage and letter.stage not in stage):
            filtered += 1
        elif letter.original is None:
            truncated += 1
        elif letter.topic not in targets:
            elsewhere += 1
        else:
            headers = [(ops.REPLAY_HEADER, f"{source}:{letter.partition}:{letter.offset}".encode()),
                       ("warta-deadletter-reason", letter.reason.encode())]
            # A dead letter keeps no headers: a valid original is labelled again, a broken one stays unlabelled.
            headers = contract.relabel(headers, letter.original,
                                       contract.ARTICLE if letter.topic == settings.topic("articles") else None)
            items.append((letter.topic, letter.key, letter.original, headers))
            reasons.append(letter.reason)
            if dry_run:
                typer.echo(f"{source}[{letter.partition}]@{letter.offset}  {letter.reason}  {letter.stage}  "
                           f"{letter.article_id or '-'}  {letter.size} bytes -> {letter.topic}")
    skipped = [f"{n} {what}" for n, what in ((truncated, "with a truncated original"),
                                             (elsewhere, "from the dedup stage's internal topics or another prefix"),
                                             (filtered, "not matching --reason/--stage"),
                                             (unreadable, "not warta.deadletter/v1 records")) if n]
    tail_note = (f" ({ops.group_count(reasons)})" if reasons else "") + (
        "; skipped " + ", ".join(skipped) if skipped else "")
    if dry_run:
        _err(f"dry run: {len(items)} dead letter(s) would be re-sent{tail_note}; nothing sent")
        return
    sent = _send_all(admin.producer(server), items, "↻ dead letters") if items else 0
    where = ", ".join(sorted({t for t, *_ in items})) or settings.topic("articles")
    _err(f"re-sent {sent} dead letter(s) to {where}{tail_note}")


def _create_hint(bootstrap: str | None, prefix: str | None) -> str:
    """What to run when a Warta topic is missing, with the flags the failing command was given."""
    flags = (f" --prefix {prefix}" if prefix else "") + (f" --bootstrap {bootstrap}" if bootstrap else "")
    return f"run `warta topics create{flags}`"


def _overrides(s: Settings) -> dict[str, Any]:
    return {f.name: getattr(s, f.name) for f in fields(s)}


def _port_busy(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


@topics_app.command("create")
def topics_create(
    partitions: Annotated[
        int | None, typer.Option(help=_env("Partitions per topic.", "WARTA_PARTITIONS", _DEFAULTS["partitions"]))
    ] = None,
    replication: Annotated[
        int | None, typer.Option(help=_env("Replication factor.", "WARTA_REPLICATION", _DEFAULTS["replication"]))
    ] = None,
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
) -> None:
    """Create every Warta topic that does not exist yet."""
    from streams import admin

    settings = _settings(bootstrap_servers=bootstrap, topic_prefix=prefix, partitions=partitions,
                         replication=replication)
    for spec, created in admin.create_topics(settings, _bootstrap(settings)):
        typer.echo(f"{'created' if created else 'exists '}  {spec.name}  partitions={spec.partitions}")


@topics_app.command("list")
def topics_list(bootstrap: Bootstrap = None, prefix: Prefix = None) -> None:
    """List the cluster's topics with their partition counts."""
    from streams import admin

    settings = _settings(bootstrap_servers=bootstrap, topic_prefix=prefix)
    for name, parts in admin.list_topics(_bootstrap(settings)).items():
        typer.echo(f"{name}\t{parts}")


@topics_app.command("delete")
def topics_delete(
    yes: Annotated[bool, typer.Option("--yes", help="Really delete (without it: list what would go).")] = False,
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
) -> None:
    """Delete every topic with the prefix, the workers' own Faust topics (`<app id>-…`: table changelogs) and
    their consumer group (WARTA_APP_ID, default `<prefix>workers`). Stop the workers first."""
    from streams import admin

    settings = _settings(bootstrap_servers=bootstrap, topic_prefix=prefix)
    server = _bootstrap(settings)
    names = admin.deletable_topics(list(admin.list_topics(server)), settings.topic_prefix, settings.group_id)
    if not yes:
        for name in names:
            typer.echo(name)
        _err(f"{len(names)} topic(s) with prefix {settings.topic_prefix!r} or app id {settings.group_id!r} "
             f"on {server}, and consumer group {settings.group_id}: add --yes to delete them")
        raise typer.Exit(1 if names else 0)
    group_deleted = admin.delete_topics(server, names, settings.group_id)
    for name in names:
        typer.echo(f"deleted  {name}")
    _err(f"deleted {len(names)} topic(s) on {server}"
         + (f" and consumer group {settings.group_id}" if group_deleted else ""))


@kafka_app.command("start")
def kafka_start(
    port: Annotated[
        int | None,
        typer.Option(help=_env("Broker port on 127.0.0.1 (0: any free port).", "WARTA_KAFKA_PORT",
                               _DEFAULTS["kafka_port"])),
    ] = None,
    secure: Annotated[bool, typer.Option(
        "--secure", help="A SASL_SSL listener on the port (SCRAM-SHA-256/512 and PLAIN, user warta, a test CA made "
                         "for it) and an SSL one that wants a client certificate; prints the variables to export.")]
    = False,
) -> None:
    """Fetch the Kafka jars (first run only), format KRaft storage and start the broker; print its address (with
    --secure: the `export` lines a client needs; `eval "$(warta kafka start --secure)"` sets them).

    If Warta's broker already runs, print its address; asking for another port then is an error."""
    from streams import kafka_local

    if secure:
        _start_secure(port)
        return

    settings = _settings(kafka_port=port)
    if settings.bootstrap_servers:
        typer.echo(f"KAFKA_BOOTSTRAP_SERVERS={settings.bootstrap_servers} is set: using it, starting nothing")
        return
    running = kafka_local.status(settings.kafka_home)
    if running is not None:
        asked = port if port is not None else (settings.kafka_port if os.environ.get("WARTA_KAFKA_PORT") else None)
        if asked not in (None, 0, running.port):
            raise BrokerError(
                f"Warta's broker already runs on port {running.port}, not {asked}: use {running.bootstrap}, "
                "or `warta kafka stop` first to start it on another port"
            )
        if running.security != "PLAINTEXT":
            raise BrokerError(f"Warta's broker runs with --secure at {running.bootstrap}: `warta kafka start --secure` "
                              "prints its settings, or `warta kafka stop` first")
        _err(f"Kafka {running.version} already runs at {running.bootstrap} (pid {running.pid})")
        typer.echo(running.bootstrap)
        return
    typer.echo(_bootstrap(settings, start=True))


def _start_secure(port: int | None) -> None:
    """`warta kafka start --secure`: start (or find) the secure broker and print what its clients export."""
    import shlex

    from streams import kafka_local

    # The client settings of a shell that used another cluster must not stop this broker from starting.
    settings = Settings.from_env({k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}, kafka_port=port)
    running = kafka_local.status(settings.kafka_home)
    if running is not None and port not in (None, 0, running.port):
        raise BrokerError(f"Warta's broker already runs on port {running.port}, not {port}: use it, or "
                          "`warta kafka stop` first")
    if running is None:
        _err(f"Starting a secure local Kafka broker on 127.0.0.1:{settings.kafka_port} …")
    info = running or kafka_local.start(settings.kafka_port, state_dir=settings.kafka_home, progress=_err, secure=True)
    if info.security == "PLAINTEXT":
        raise BrokerError(f"Warta's broker runs without --secure at {info.bootstrap}: `warta kafka stop` first")
    client = kafka_local.client_security(settings.kafka_home)
    files = kafka_local.secure_files(settings.kafka_home)
    q = shlex.quote
    # Only the password file's path is printed: the password itself never reaches a terminal or a log.
    for line in (f"export KAFKA_BOOTSTRAP_SERVERS={info.bootstrap}", "export KAFKA_SECURITY_PROTOCOL=SASL_SSL",
                 f"export KAFKA_SASL_MECHANISM={client.sasl_mechanism}",
                 f"export KAFKA_SASL_USERNAME={client.username}",
                 f'export KAFKA_SASL_PASSWORD="$(cat {q(str(files.password_file))})"',
                 f"export KAFKA_SSL_CAFILE={q(str(files.cafile))}"):
        typer.echo(line)
    _err(f"Kafka {info.version} with SASL_SSL at {info.bootstrap} (pid {info.pid}, log {info.log_file}); the same "
         f"user with SCRAM-SHA-512 and PLAIN too; TLS with a client certificate at 127.0.0.1:{info.ssl_port} "
         f"(KAFKA_SECURITY_PROTOCOL=SSL KAFKA_SSL_CERTFILE={files.client_cert} KAFKA_SSL_KEYFILE={files.client_key})")


@kafka_app.command("stop")
def kafka_stop() -> None:
    """Stop the broker that `warta kafka start` started (and nothing else)."""
    from streams import kafka_local

    stopped = kafka_local.stop(_settings().kafka_home)
    typer.echo("stopped" if stopped else "no local broker was running")


@kafka_app.command("status")
def kafka_status() -> None:
    """Say whether the local broker runs, where, and since when; exit 1 if not running."""
    from streams import kafka_local

    info = kafka_local.status(_settings().kafka_home)
    if info is None:
        typer.echo("not running")
        raise typer.Exit(1)
    secure = "" if info.security == "PLAINTEXT" else f"{info.security}, "
    typer.echo(f"running: Kafka {info.version} at {info.bootstrap} ({secure}pid {info.pid}, log {info.log_file})")


@kafka_app.command("logs")
def kafka_logs(lines: Annotated[int, typer.Option("--lines", "-n", help="How many last lines.")] = 50) -> None:
    """Print the end of the local broker's log."""
    from streams import kafka_local

    path = kafka_local.log_file(_settings().kafka_home)
    if not path.is_file():
        raise WartaError(f"no broker log at {path}")
    for line in path.read_text("utf-8", "replace").splitlines()[-lines:]:
        typer.echo(line)


@app.command()
def demo(
    once: Annotated[bool, typer.Option("--once", help="Exit when the samples are through.")] = False,
    samples: Annotated[Path | None, typer.Option(help="Folder of sample articles (.txt/.jsonl).")] = None,
    timeout: Annotated[float, typer.Option(help="With --once: give up after S seconds.")] = 180.0,
    prefix: Annotated[
        str, typer.Option("--prefix", help="The demo's topic prefix (its app id: <prefix>workers).")
    ] = "warta-demo.",
) -> None:
    """Start a broker (unless KAFKA_BOOTSTRAP_SERVERS is set), topics and a worker; send the sample
    articles (the Tribunnews seed among them) and print enriched articles and events as they arrive.

    The demo has its own topics (`warta-demo.*`) and consumer group; each run deletes the previous run's first.
    Afterwards `WARTA_TOPIC_PREFIX=warta-demo. warta tail enriched` reads them; `warta topics delete --prefix
    warta-demo. --yes` deletes them."""
    from streams.demo import run_demo

    raise typer.Exit(run_demo(_settings(), samples=samples, once=once, timeout=timeout, ensure_broker=_bootstrap,
                              prefix=prefix))


def main() -> None:
    """Entry point: run the CLI, printing Warta's errors (and a Kafka client's) as one line and exiting 1."""
    try:
        app()
    except WartaError as exc:
        _err(f"{type(exc).__name__}: {exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if not type(exc).__module__.startswith("kafka."):
            raise
        # A broker-side failure the commands do not foresee: still one line, not a client library's traceback.
        _err(f"Kafka error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "))
        sys.exit(1)


if __name__ == "__main__" and os.environ.get("WARTA_NO_MAIN") is None:
    main()
