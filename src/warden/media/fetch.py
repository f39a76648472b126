"""An event's picture reference to bytes: inline base64, a local file, or an http(s) URL.

Each source has its guard, and breaking one raises :class:`~warden.errors.MediaError` naming
the picture and the limit:

* ``data`` — decoded base64, at most ``max_bytes``;
* ``path`` (or a ``file://`` URL) — only under one of ``roots``, after resolving symlinks
  and ``..`` (``/media/../etc/passwd`` is outside), at most ``max_bytes``;
* ``http(s)://`` — only when the host is allowed (fetching is off by default), with a
  timeout, no redirects to elsewhere, and the body read in chunks up to ``max_bytes``.

A ``sha256`` on the reference is checked against the bytes read. The HTTP client is passed
in (an ``httpx.Client``; tests give one with a ``MockTransport``), so this module opens no
connection of its own accord.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from warden.domain.events import MediaRef
from warden.errors import MediaError
from warden.media.limits import MediaLimits

if TYPE_CHECKING:
    import httpx


def read_media(ref: MediaRef, limits: MediaLimits, client: httpx.Client | None = None) -> bytes:
    """The bytes of ``ref`` within ``limits``; raises :class:`MediaError` saying why not."""
    if ref.data is not None:
        raw = _inline(ref, limits)
    elif ref.path is not None:
        raw = _local(ref, Path(ref.path), limits)
    else:
        assert ref.url is not None  # MediaRef guarantees exactly one source
        raw = _url(ref, ref.url, limits, client)
    if ref.sha256 is not None:
        digest = hashlib.sha256(raw).hexdigest()
        if digest != ref.sha256:
            raise MediaError(
                f"media {ref.media_id!r}: sha256 {digest} does not match the {ref.sha256} given"
            )
    return raw


def _inline(ref: MediaRef, limits: MediaLimits) -> bytes:
    assert ref.data is not None
    if len(ref.data) * 3 // 4 > limits.max_bytes:
        raise MediaError(
            f"media {ref.media_id!r}: inline data of about {len(ref.data) * 3 // 4} bytes "
            f"is over the limit of {limits.max_bytes} bytes (max_bytes)"
        )
    try:
        return base64.b64decode(ref.data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MediaError(f"media {ref.media_id!r}: data is not valid base64 ({exc})") from exc


def _local(ref: MediaRef, path: Path, limits: MediaLimits) -> bytes:
    if not limits.roots:
        raise MediaError(
            f"media {ref.media_id!r}: local path {str(path)!r} refused: no media roots are "
            "allowed (WARDEN_MEDIA_ROOTS)"
        )
    for root in limits.roots:
        base = root.resolve()
        candidate = (base / path).resolve()  # an absolute path stays itself
        if candidate.is_relative_to(base) and candidate.is_file():
            return _read_file(ref, candidate, limits)
    raise MediaError(
        f"media {ref.media_id!r}: path {str(path)!r} is not a file under the allowed media "
        f"roots ({', '.join(str(r) for r in limits.roots)})"
    )


def _read_file(ref: MediaRef, path: Path, limits: MediaLimits) -> bytes:
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise MediaError(
            f"media {ref.media_id!r}: file of {size} bytes is over the limit of "
            f"{limits.max_bytes} bytes (max_bytes)"
        )
    with path.open("rb") as stream:
        return stream.read(limits.max_bytes + 1)


def _url(ref: MediaRef, url: str, limits: MediaLimits, client: httpx.Client | None) -> bytes:
    parts = urlsplit(url)
    if parts.scheme == "file":
        return _local(ref, Path(unquote(parts.path)), limits)
    if parts.scheme not in ("http", "https"):
        raise MediaError(
            f"media {ref.media_id!r}: URL scheme {parts.scheme!r} is not supported "
            "(expected http, https or file)"
        )
    host = (parts.hostname or "").lower()
    if host not in limits.hosts:
        allowed = ", ".join(sorted(limits.hosts)) or "none: fetching is off"
        raise MediaError(
            f"media {ref.media_id!r}: host {host!r} is not allowed (WARDEN_MEDIA_HOSTS; "
            f"allowed: {allowed})"
        )
    if client is None:
        raise MediaError(f"media {ref.media_id!r}: no HTTP client to fetch {url!r} with")
    import httpx

    try:
        with client.stream("GET", url, timeout=limits.timeout, follow_redirects=False) as response:
            if response.status_code != 200:
                raise MediaError(
                    f"media {ref.media_id!r}: fetching {url!r} answered "
                    f"{response.status_code} (expected 200; redirects are not followed)"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limits.max_bytes:
                    raise MediaError(
                        f"media {ref.media_id!r}: {url!r} sent more than the limit of "
                        f"{limits.max_bytes} bytes (max_bytes)"
                    )
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException as exc:
        raise MediaError(
            f"media {ref.media_id!r}: fetching {url!r} took longer than the limit of "
            f"{limits.timeout} s (timeout)"
        ) from exc
    except httpx.HTTPError as exc:
        raise MediaError(f"media {ref.media_id!r}: fetching {url!r} failed: {exc}") from exc
