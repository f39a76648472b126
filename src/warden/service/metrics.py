"""Prometheus metrics for the service and the worker, in one registry per process.

A registry of our own (not the library's global one) so that tests can build several apps in
one process and each counts only its own traffic."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from warden.enforce.decide import EventOutcome

#: Request latency buckets (seconds): the budget for /v1/check is 10 ms at p99.
LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The service's counters, histograms and gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "warden_http_requests_total",
            "HTTP requests by route, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "warden_http_request_seconds",
            "HTTP request latency by route.",
            ["route"],
            buckets=LATENCY,
            registry=self.registry,
        )
        self.events = Counter(
            "warden_events_total",
            "Events by outcome: processed, duplicate, quarantined.",
            ["outcome"],
            registry=self.registry,
        )
        self.actions = Counter(
            "warden_actions_total",
            "Actions taken, by type and rule.",
            ["type", "rule"],
            registry=self.registry,
        )
        self.decision_seconds = Histogram(
            "warden_decision_seconds",
            "From publish to commit, for events that arrive through the stream.",
            buckets=LATENCY,
            registry=self.registry,
        )
        self.queue_lag = Gauge(
            "warden_queue_lag_messages",
            "Messages waiting in the stream consumer (JetStream num_pending).",
            registry=self.registry,
        )
        self.texts = Counter(
            "warden_texts_screened_total", "Texts screened.", registry=self.registry
        )

    def count_outcomes(self, outcomes: Iterable[EventOutcome]) -> None:
        for outcome in outcomes:
            self.events.labels(outcome.status).inc()
            for record in outcome.actions:
                for rule in record.action.rule_ids:
                    self.actions.labels(record.action.type.value, rule).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
