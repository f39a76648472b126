"""Warden as a running service: the HTTP API (``warden serve``) and the stream worker.

* :mod:`warden.service.keys` — API keys: created once, stored hashed, scoped, revocable;
* :mod:`warden.service.app` — the FastAPI application (:func:`create_app`);
* :mod:`warden.service.api` — the ``/v1`` routes; :mod:`warden.service.akismet` — the
  Akismet-compatible endpoint for comment and forum spam;
* :mod:`warden.service.views` — accounts, actions and cases as JSON, shared with the CLI;
* :mod:`warden.service.metrics`, :mod:`warden.service.limits` — Prometheus metrics and the
  per-key rate limit;
* :mod:`warden.service.worker` — the JetStream consumer (``warden worker``) and publisher.

Every driver decides through :mod:`warden.enforce.decide`; nothing here re-implements it.
"""
