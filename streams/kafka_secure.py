"""The secure local broker's material: a test CA, broker and client certificates, the user's password, listeners."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from streams.errors import BrokerError

__all__ = ["USER", "SecureFiles", "ensure_files", "listener_config", "scram_format_args"]

USER = "warta"
_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
_VALID_DAYS = 825  # the longest validity browsers and TLS libraries accept for a leaf certificate


@dataclass(frozen=True, slots=True)
class SecureFiles:
    """Where the secure broker's files are, under `<state>/secure/`."""

    folder: Path

    @property
    def cafile(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def broker_pem(self) -> Path:
        return self.folder / "broker.pem"  # key and certificate: Kafka's PEM keystore

    @property
    def client_cert(self) -> Path:
        return self.folder / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.folder / "client.key"

    @property
    def password_file(self) -> Path:
        return self.folder / f"{USER}.password"

    def password(self) -> str:
        return self.password_file.read_text("utf-8").strip()


def _write_private(path: Path, data: bytes) -> None:
    """Write a file that only its owner can read, never readable by others even for a moment."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def _certificates(files: SecureFiles) -> None:
    """A CA of this state dir, and a broker and a client certificate it signs (EC P-256: quick to make)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # a little slack for clocks
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Warta local test CA {secrets.token_hex(4)}")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(name: str, usage: x509.ObjectIdentifier, san: list[x509.GeneralName]) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=_VALID_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        # Unencrypted PKCS#8: the files are 0600 in the user's own state dir, and Kafka's PEM store reads it.
        pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        return pem_key, cert.public_bytes(serialization.Encoding.PEM)

    pem = serialization.Encoding.PEM
    ca_pem = ca.public_bytes(pem)
    broker_key, broker_cert = leaf("localhost", ExtendedKeyUsageOID.SERVER_AUTH,
                                   [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client_key, client_cert = leaf(USER, ExtendedKeyUsageOID.CLIENT_AUTH, [])
    _write_private(files.broker_pem, broker_key + broker_cert + ca_pem)
    _write_private(files.client_key, client_key)
    files.client_cert.write_bytes(client_cert)
    # The CA's key is not kept: nothing else will ever be signed by it.
    files.cafile.write_bytes(ca_pem)  # last: its presence means the set is complete


def ensure_files(state_dir: Path, formatted: bool) -> SecureFiles:
    """The CA, certificates and password of this state dir, made on first use and kept (exported settings stay
    valid across restarts); `formatted`: the secure data dir already holds the SCRAM users of a password."""
    files = SecureFiles(state_dir / "secure")
    if formatted and not files.password_file.is_file():
        raise BrokerError(f"the secure broker's storage in {state_dir} was formatted with a password that "
                          f"{files.password_file} no longer holds: delete {state_dir / 'data-secure'} to start afresh")
    files.folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(files.folder, 0o700)
    if not files.cafile.is_file():
        try:
            _certificates(files)
        except ImportError:
            raise BrokerError("the secure broker's certificates need the `cryptography` package: "
                              "pip install cryptography (a dependency of warta)") from None
    if not files.password_file.is_file():
        _write_private(files.password_file, (secrets.token_urlsafe(24) + "\n").encode())
    return files


def listener_config(files: SecureFiles, port: int, ssl_port: int, internal_port: int, controller_port: int) -> dict[
        str, str]:
    """The server.properties lines of the secure broker: SASL_SSL for clients, SSL with client certificates
    beside it, PLAINTEXT on loopback for the broker's own traffic only (never advertised to clients as theirs)."""
    plain_jaas = ('org.apache.kafka.common.security.plain.PlainLoginModule required '
                  f'user_{USER}="{files.password()}";')
    scram_jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    return {
        "listeners": f"SASL_SSL://127.0.0.1:{port},SSL://127.0.0.1:{ssl_port},INTERNAL://127.0.0.1:{internal_port},"
                     f"CONTROLLER://127.0.0.1:{controller_port}",
        "advertised_listeners": f"SASL_SSL://127.0.0.1:{port},SSL://127.0.0.1:{ssl_port},"
                                f"INTERNAL://127.0.0.1:{internal_port}",
        "inter_broker_listener": "INTERNAL",
        "protocol_map": "CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL",
        "security": "\n".join([
            "# Secure listeners (warta kafka start --secure); this file is 0600: it holds the PLAIN user's password.",
            "sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN",
            f"listener.name.sasl_ssl.plain.sasl.jaas.config={plain_jaas}",
            f"listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config={scram_jaas}",
            f"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={scram_jaas}",
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={files.broker_pem}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={files.cafile}",
            "listener.name.ssl.ssl.client.auth=required",
        ]),
    }


def scram_format_args(files: SecureFiles) -> list[str]:
    """StorageTool format's `--add-scram` arguments: the user under both SCRAM mechanisms."""
    args: list[str] = []
    for mechanism in _MECHANISMS:
        args += ["--add-scram", f"{mechanism}=[name={USER},password={files.password()}]"]
    return args
