"""Signed checkpoints of the audit chain: what lets a regulator hold Warden to its past.

The hash chain (:mod:`warden.audit.chain`) shows that nothing *before a trusted head* was
changed, but someone who can write to the database can drop the newest records or rebuild
the whole chain with valid hashes. A checkpoint pins the head: its ``(seq, hash)`` signed
with Warden's Ed25519 key, in a small JSON file handed to someone outside. Later, the
stored chain must still hold a record at that seq with that hash — truncation leaves no
record there, a recomputed chain leaves another hash there.

A checkpoint file (``docs/audit.md`` states it for outside verifiers)::

    {"checkpoint": {"at": …, "count": 3, "database": …, "format": "warden-audit-checkpoint/1",
                    "hash": "…", "seq": 3, "signed_at": …},
     "public_key": "<32 raw bytes, base64>", "signature": "<64 bytes, base64>"}

The signature covers the canonical JSON (:func:`warden.audit.chain.canonical_json`) of the
``checkpoint`` object, so adding, removing or changing any field breaks it. Pure apart
from reading key files: the database side is :func:`warden.audit.log.check_checkpoint`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from warden.audit.chain import AuditRecord, canonical_json, format_timestamp
from warden.errors import ConfigError, InputError

FORMAT = "warden-audit-checkpoint/1"
#: The fields of the signed ``checkpoint`` object, all required.
FIELDS = ("at", "count", "database", "format", "hash", "seq", "signed_at")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed head: record ``seq`` of the chain had ``hash`` when ``signed_at``.

    ``at`` is the head record's own timestamp, ``count`` the number of records verified
    when it was signed, and ``database`` a label of where the chain lived (the URL without
    its password): informative, signed, but not checked.
    """

    seq: int
    hash: str
    at: str
    count: int
    database: str
    signed_at: str
    public_key: bytes  # raw Ed25519, 32 bytes
    signature: bytes  # 64 bytes

    def body(self) -> dict[str, Any]:
        """The object whose canonical encoding is signed."""
        return {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "count": self.count,
            "database": self.database,
            "signed_at": self.signed_at,
        }

    def to_json(self) -> dict[str, Any]:
        """The file form: the signed body, the public key and the signature (base64)."""
        return {
            "checkpoint": self.body(),
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }

    @property
    def key_fingerprint(self) -> str:
        """``SHA256:`` and the first 16 hex digits of the key's hash, for people to compare."""
        return fingerprint(self.public_key)


def fingerprint(raw_public_key: bytes) -> str:
    """A short name for a public key: ``SHA256:`` + 16 hex digits of its SHA-256."""
    return "SHA256:" + hashlib.sha256(raw_public_key).hexdigest()[:16]


def sign(
    head: AuditRecord,
    count: int,
    database: str,
    key: Ed25519PrivateKey,
    signed_at: datetime | None = None,
) -> Checkpoint:
    """A checkpoint of ``head`` (the last record of a chain that verified), signed by ``key``."""
    unsigned = Checkpoint(
        seq=head.seq,
        hash=head.hash,
        at=format_timestamp(head.at),
        count=count,
        database=database,
        signed_at=format_timestamp(signed_at or datetime.now(UTC)),
        public_key=raw_public(key.public_key()),
        signature=b"",
    )
    signature = key.sign(canonical_json(unsigned.body()))
    return replace(unsigned, signature=signature)


def signature_holds(checkpoint: Checkpoint, trusted: Ed25519PublicKey | None = None) -> str | None:
    """``None`` when the signature is good, else why not.

    With ``trusted``, the checkpoint must also carry that key: a file re-signed with
    another key (after its fields were changed) fails here. Without it, the embedded key
    is used, which proves only that the file is intact, not who signed it.
    """
    if trusted is not None and raw_public(trusted) != checkpoint.public_key:
        return (
            f"signed by key {checkpoint.key_fingerprint}, "
            f"expected key {fingerprint(raw_public(trusted))}"
        )
    try:
        key = Ed25519PublicKey.from_public_bytes(checkpoint.public_key)
        key.verify(checkpoint.signature, canonical_json(checkpoint.body()))
    except InvalidSignature:
        return "signature does not match the checkpoint's content (the file was altered)"
    except ValueError as exc:
        return f"public_key: not an Ed25519 key ({exc})"
    return None


def read_checkpoint(path: Path) -> Checkpoint:
    """Read a checkpoint file; raises :class:`InputError` naming the field that is wrong."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"--checkpoint: {path}: cannot read ({exc.strerror})") from None
    except ValueError as exc:
        raise InputError(f"--checkpoint: {path}: not JSON ({exc})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("checkpoint"), dict):
        raise InputError(f"{path}: checkpoint: missing; expected a Warden audit checkpoint")
    body: dict[str, Any] = obj["checkpoint"]
    if body.get("format") != FORMAT:
        raise InputError(f"{path}: checkpoint.format: {body.get('format')!r}; expected {FORMAT!r}")
    missing = [name for name in FIELDS if name not in body]
    if missing:
        raise InputError(f"{path}: checkpoint: missing {', '.join(missing)}")
    for name in ("seq", "count"):
        if not isinstance(body[name], int) or isinstance(body[name], bool) or body[name] < 1:
            raise InputError(
                f"{path}: checkpoint.{name}: {body[name]!r}; expected a positive integer"
            )
    for name in ("hash", "at", "database", "signed_at"):
        if not isinstance(body[name], str):
            raise InputError(f"{path}: checkpoint.{name}: {body[name]!r}; expected a string")
    return Checkpoint(
        seq=body["seq"],
        hash=body["hash"],
        at=body["at"],
        count=body["count"],
        database=body["database"],
        signed_at=body["signed_at"],
        public_key=_base64(obj, "public_key", path),
        signature=_base64(obj, "signature", path),
    )


def write_checkpoint(checkpoint: Checkpoint, path: Path) -> None:
    """Write the file form, one indented JSON object (the signature does not depend on it)."""
    path.write_text(json.dumps(checkpoint.to_json(), indent=2, sort_keys=True) + "\n", "utf-8")


def check_record(checkpoint: Checkpoint, record: AuditRecord | None, head_seq: int) -> str | None:
    """``None`` when ``record`` (the stored one at the checkpoint's seq) is the checkpointed
    one; else what happened. ``head_seq`` is the stored chain's last seq (0 when empty)."""
    if record is None:
        if head_seq < checkpoint.seq:
            ends = f"the chain ends at seq {head_seq}" if head_seq else "the chain is empty"
            return (
                f"seq {checkpoint.seq} missing: {ends} — records after it were removed (truncated)"
            )
        return f"seq {checkpoint.seq} missing from the chain"
    if record.hash != checkpoint.hash:
        return (
            f"hash mismatch at seq {checkpoint.seq}: checkpoint {checkpoint.hash}, "
            f"chain {record.hash} — the chain up to it was rewritten (recomputed)"
        )
    return None


def generate_key(path: Path) -> Ed25519PublicKey:
    """Write a new Ed25519 private key to ``path`` (PEM, mode 0600; never overwrites)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"--out: {path}: already exists; refusing to overwrite a key") from None
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)  # whatever the umask
        out.write(pem)
    return key.public_key()


def load_private_key(path: Path, source: str = "WARDEN_AUDIT_SIGNING_KEY") -> Ed25519PrivateKey:
    """The Ed25519 private key in the PEM file at ``path``; :class:`ConfigError` otherwise."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise ConfigError(f"{source}: {path}: cannot read ({exc.strerror})") from None
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ConfigError(
            f"{source}: {path}: not an unencrypted PEM private key ({exc}); "
            "expected one made by `warden audit keygen`"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{source}: {path}: {type(key).__name__}; expected an Ed25519 key")
    return key


def load_public_key(path: Path, source: str = "--public-key") -> Ed25519PublicKey:
    """The Ed25519 public key in the PEM file at ``path`` (as ``warden audit keygen`` prints)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{source}: {path}: cannot read ({exc.strerror})") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(f"{source}: {path}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{source}: {path}: {type(key).__name__}; expected an Ed25519 key")
    return key


def public_pem(key: Ed25519PublicKey) -> str:
    """``key`` as a PEM ``PUBLIC KEY`` block (what ``--public-key`` reads)."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def raw_public(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of ``key`` (what a checkpoint file carries, base64-encoded)."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _base64(obj: Mapping[str, Any], name: str, path: Path) -> bytes:
    value = obj.get(name)
    if not isinstance(value, str):
        raise InputError(f"{path}: {name}: {value!r}; expected base64")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise InputError(f"{path}: {name}: {value!r}; expected base64") from None
