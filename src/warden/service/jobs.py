"""Event batches accepted with ``POST /v1/events?async=true``, decided in the background."""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Callable
from typing import Any

#: Batches waiting at most; past that a new one is refused (503) rather than queued forever.
MAX_QUEUED = 1000
#: Finished jobs remembered for ``GET /v1/jobs/{id}``; the oldest are forgotten first.
KEPT = 10_000

Work = Callable[[], dict[str, Any]]


class QueueFull(Exception):
    """The job queue is full; the client should retry later."""


class Jobs:
    """Accepted batches, decided one after another by one background thread, in the order
    they came; ``GET /v1/jobs/{id}`` tells how each went. Jobs live as long as the process —
    a client that must not lose a batch retries it (events are idempotent by ``event_id``)."""

    def __init__(self, max_queued: int = MAX_QUEUED) -> None:
        self._jobs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, Work]] = queue.Queue(max_queued)
        self._thread: threading.Thread | None = None

    def submit(self, work: Work) -> str:
        """Queue ``work``; its job id. Raises :class:`QueueFull` when the queue is full."""
        job_id = uuid.uuid4().hex
        with self._lock:
            try:
                self._queue.put_nowait((job_id, work))
            except queue.Full:
                raise QueueFull from None
            self._jobs[job_id] = {"job_id": job_id, "status": "queued"}
            while len(self._jobs) > KEPT:
                del self._jobs[next(iter(self._jobs))]
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="warden-jobs", daemon=True)
                self._thread.start()
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return dict(job) if job is not None else None

    def _run(self) -> None:
        while True:
            job_id, work = self._queue.get()
            self._set(job_id, status="running")
            try:
                self._set(job_id, status="done", result=work())
            except Exception as exc:  # the job reports it; the client retries
                self._set(job_id, status="failed", error=f"{type(exc).__name__}: {exc}")

    def _set(self, job_id: str, **values: Any) -> None:
        with self._lock:
            if job_id in self._jobs:
                self._jobs[job_id].update(values)
