"""The sweep's impact report: what a campaign would do (shadow) or did (enforce), by the numbers.

Policy leads read it before a campaign is switched on: how many accounts each action would
hit, in which categories, regions and account segments; how big the rings are; what share
of active accounts would be closed; and a random sample of decisions with their evidence to
spot-check by hand. With the simulator's ground truth (``--truth``) it also scores the
actions per role — precision, recall, and how cleanly rings were recovered.

Definitions (``docs/sweep.md#impact-report``):

* an account is *actioned* when any action was planned for it (applied or held for review);
  *closed* when a close was planned (held closes included: they await two reviewers);
* *active accounts* are accounts with at least one event in the sweep's window;
* *segment* — ``new`` when the account's first signup (or first event) is within 30 days
  of the window's last event, else ``established``.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq

from warden.domain.actions import ActionType
from warden.report import charts
from warden.report.html import (
    Stat,
    facts,
    grid,
    headline,
    note,
    number,
    page,
    section,
    share,
    table,
)
from warden.store.interfaces import ActionRecord
from warden.sweep.pipeline import SweepResult

ORDINARY_ROLES = frozenset({"ordinary", "official"})
NEW_ACCOUNT = timedelta(days=30)


def impact_figures(result: SweepResult) -> dict[str, Any]:
    """Every number of the impact report, as plain JSON-ready data."""
    since = result.since
    records = result.outcome.records
    by_account: dict[str, list[ActionRecord]] = defaultdict(list)
    for record in records:
        by_account[record.action.account_id].append(record)
    active = result.active_accounts
    closed = {
        a for a, rs in by_account.items() if any(r.action.type is ActionType.CLOSE for r in rs)
    }
    per_type_category: dict[str, Counter[str]] = defaultdict(Counter)
    for account_records in by_account.values():
        seen: set[tuple[str, str]] = set()
        for record in account_records:
            key = (record.action.type.value, record.action.category)
            if key not in seen:
                seen.add(key)
                per_type_category[key[0]][key[1]] += 1
    regions = (
        dict(
            zip(
                result.accounts.column("account_id").to_pylist(),
                result.accounts.column("region").to_pylist(),
                strict=True,
            )
        )
        if result.accounts.num_rows
        else {}
    )
    last_us = max((v[2] for v in since.values()), default=0)
    segments = {
        account: "new"
        if last_us - (signup if signup is not None else first)
        < NEW_ACCOUNT // timedelta(microseconds=1)
        else "established"
        for account, (_, signup, first) in since.items()
    }
    by_region = _breakdown(since.keys(), regions, by_account, closed)
    by_segment = _breakdown(since.keys(), segments, by_account, closed)
    sizes = Counter(ring.size for ring in result.rings.rings)
    rules = sorted(
        {
            rule: {
                "fired_rows": result.outcome.fired.get(rule, 0),
                "actions": sum(1 for r in records if rule in r.action.rule_ids),
                "accounts": len(
                    {r.action.account_id for r in records if rule in r.action.rule_ids}
                ),
            }
            for rule in set(result.outcome.fired) | {x for r in records for x in r.action.rule_ids}
        }.items()
    )
    return {
        "sweep_id": result.sweep_id,
        "mode": result.options.mode,
        "engine": result.counts.get("engine"),
        "policy_version": result.pack.policy_version,
        "campaign": result.campaign.name if result.campaign else None,
        "window": {
            "since": result.options.since.isoformat() if result.options.since else None,
            "until": result.options.until.isoformat() if result.options.until else None,
        },
        "counts": result.counts,
        "active_accounts": active,
        "accounts_actioned": len(by_account),
        "accounts_closed": len(closed),
        "share_actioned": len(by_account) / active if active else None,
        "share_closed": len(closed) / active if active else None,
        "held_for_review": sum(1 for r in records if r.status.value == "pending_review"),
        "accounts_by_action_and_category": {
            t: dict(sorted(c.items())) for t, c in sorted(per_type_category.items())
        },
        "actions_by_type": dict(Counter(r.action.type.value for r in records)),
        "by_region": by_region,
        "by_segment": by_segment,
        "rings": {
            "found": len(result.rings.rings),
            "accounts_in_rings": sum(r.size for r in result.rings.rings),
            "size_distribution": {str(k): v for k, v in sorted(sizes.items())},
            "largest": [
                {
                    "ring_id": r.ring_id,
                    "size": r.size,
                    "score": r.score,
                    "entities": list(r.entities[:5]),
                }
                for r in result.rings.rings[:10]
            ],
            "hub_entities_dropped": len(result.rings.hubs),
            "top_hubs": dict(sorted(result.rings.hubs.items(), key=lambda kv: -kv[1])[:10]),
        },
        "rules": dict(rules),
        "set_aside": dict(result.outcome.set_aside.most_common()),
        "sample": _sample(records, result.options.sample, result.options.seed),
        "timings_s": result.timings,
    }


def quality_against_truth(result: SweepResult, truth_path: Path) -> dict[str, Any]:
    """Precision and recall of the actions per role, and ring recovery, against the
    simulator's ground truth (``truth.parquet``: account_id, role, abusive, ring_id)."""
    truth = pq.read_table(truth_path).to_pylist()
    actioned = {r.action.account_id for r in result.outcome.records}
    roles: dict[str, dict[str, int]] = defaultdict(lambda: {"accounts": 0, "actioned": 0})
    abusive = {row["account_id"] for row in truth if row.get("abusive")}
    for row in truth:
        role = roles[row["role"]]
        role["accounts"] += 1
        role["actioned"] += row["account_id"] in actioned
    true_positive = len(actioned & abusive)
    ordinary = [row["account_id"] for row in truth if not row.get("abusive")]
    ordinary_actioned = sum(1 for a in ordinary if a in actioned)
    per_role = {
        name: counts
        | {
            "share_actioned": counts["actioned"] / counts["accounts"]
            if counts["accounts"]
            else None
        }
        for name, counts in sorted(roles.items())
    }
    return {
        "precision": true_positive / len(actioned) if actioned else None,
        "recall": true_positive / len(abusive) if abusive else None,
        "abusive_accounts": len(abusive),
        "actioned": len(actioned),
        "true_positives": true_positive,
        "ordinary_accounts": len(ordinary),
        "ordinary_actioned": ordinary_actioned,
        "ordinary_share_actioned": ordinary_actioned / len(ordinary) if ordinary else None,
        "per_role": per_role,
        "rings": ring_recovery(truth, result),
    }


def ring_recovery(truth: list[dict[str, Any]], result: SweepResult) -> dict[str, Any]:
    """Each true ring is matched to the found ring holding most of its members.

    *recovered* — share of all true ring members that sit in their ring's match;
    *purity* — share of the matched found rings' members that belong to that true ring."""
    true_rings: dict[str, set[str]] = defaultdict(set)
    for row in truth:
        if row.get("ring_id"):
            true_rings[row["ring_id"]].add(row["account_id"])
    found_of: dict[str, int] = {}
    found = [set(r.members) for r in result.rings.rings]
    for index, members in enumerate(found):
        for member in members:
            found_of[member] = index
    recovered = 0
    matched_members = 0
    matched_pure = 0
    for members in true_rings.values():
        hits = Counter(found_of[m] for m in members if m in found_of)
        if not hits:
            continue
        index, count = hits.most_common(1)[0]
        recovered += count
        matched_members += len(found[index])
        matched_pure += count
    total = sum(len(m) for m in true_rings.values())
    return {
        "true_rings": len(true_rings),
        "true_ring_members": total,
        "recovered": recovered / total if total else None,
        "purity": matched_pure / matched_members if matched_members else None,
        "found_rings": len(found),
    }


def write_impact(result: SweepResult) -> dict[str, Any]:
    """``impact.json`` and ``impact.html`` (the same numbers) in the sweep's folder; with
    ``--truth``, the figures include the quality section."""
    figures = impact_figures(result)
    if result.options.truth is not None:
        figures["quality"] = quality_against_truth(result, result.options.truth)
    out = result.options.out
    (out / "impact.json").write_bytes(
        orjson.dumps(figures, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    )
    (out / "impact.html").write_text(render_impact(figures), encoding="utf-8")
    result.impact = figures
    return figures


def render_impact(f: dict[str, Any]) -> str:
    """The impact report as one self-contained HTML page."""
    mode = "Shadow sweep — nothing was done" if f["mode"] == "shadow" else "Enforced sweep"
    campaign = f" · campaign {f['campaign']}" if f["campaign"] else ""
    top = headline(
        [
            Stat(
                "accounts actioned",
                number(f["accounts_actioned"]),
                f"of {f['active_accounts']:,} active accounts",
            ),
            Stat("share of active accounts actioned", share(f["share_actioned"])),
            Stat(
                "accounts closed",
                number(f["accounts_closed"]),
                f"{share(f['share_closed'])} of active accounts",
                "bad",
            ),
            Stat(
                "rings",
                number(f["rings"]["found"]),
                f"{f['rings']['accounts_in_rings']:,} accounts in rings",
            ),
            Stat("held for review", number(f["held_for_review"]), "closes wait for two reviewers"),
        ]
    )
    sections = []
    matrix = f["accounts_by_action_and_category"]
    categories = sorted({c for per in matrix.values() for c in per})
    types = [t.value for t in ActionType if t.value in matrix]  # mildest first
    sections.append(
        section(
            "Accounts by action and category",
            "Distinct accounts each action would reach, per harm category.",
            grid(
                charts.stacked_bars(
                    "Accounts per action",
                    types,
                    {c: [matrix[t].get(c, 0) for t in types] for c in categories},
                    x_label="action",
                    y_label="accounts",
                ),
                table(
                    ["action", *categories],
                    [[t, *(matrix[t].get(c, 0) for c in categories)] for t in types],
                ),
            ),
        )
    )
    if "quality" in f:
        q = f["quality"]
        rows = [
            [role, v["accounts"], v["actioned"], share(v["share_actioned"])]
            for role, v in q["per_role"].items()
        ]
        verdict = (
            "good"
            if (q["precision"] or 0) >= 0.97
            and (q["recall"] or 0) >= 0.90
            and (q["ordinary_share_actioned"] or 0) < 0.002
            else "bad"
        )
        sections.append(
            section(
                "Against ground truth",
                "The simulator knows who is who. Precision and recall of the actions over abusive "
                "roles; the share of ordinary accounts actioned; how cleanly rings were recovered.",
                [
                    facts(
                        [
                            ("precision (abusive roles)", share(q["precision"])),
                            ("recall (abusive roles)", share(q["recall"])),
                            (
                                "ordinary accounts actioned",
                                f"{q['ordinary_actioned']:,} ({share(q['ordinary_share_actioned'], 3)})",
                            ),
                            (
                                "ring members recovered into their ring",
                                share(q["rings"]["recovered"]),
                            ),
                            ("purity of recovered rings", share(q["rings"]["purity"])),
                        ]
                    ),
                    note("Targets: precision ≥ 97%, recall ≥ 90%, ordinary < 0.2%.", verdict),
                    table(["role", "accounts", "actioned", "share actioned"], rows),
                ],
            )
        )
    for key, title in (("by_region", "By region"), ("by_segment", "By account segment")):
        breakdown = f[key]
        sections.append(
            section(
                title,
                "Active accounts, accounts actioned and closed, and the closed share.",
                grid(
                    charts.bars(
                        f"Share closed {title.lower()}",
                        {k: v["share_closed"] or 0.0 for k, v in breakdown.items()},
                        value_label="share of active accounts closed",
                        formatter=lambda x: f"{x * 100:.2f}%",
                    ),
                    table(
                        ["group", "active", "actioned", "closed", "closed share"],
                        [
                            [k, v["active"], v["actioned"], v["closed"], share(v["share_closed"])]
                            for k, v in breakdown.items()
                        ],
                    ),
                ),
            )
        )
    rings = f["rings"]
    sections.append(
        section(
            "Rings",
            "Accounts linked by contact handles, group links, payees, devices, IP prefixes or "
            "pictures they share; hub entities (shared by too many accounts to mean anything) "
            "were left out.",
            [
                grid(
                    charts.histogram(
                        "Ring sizes",
                        {int(k): v for k, v in rings["size_distribution"].items()},
                        x_label="members",
                        y_label="rings",
                    ),
                    table(
                        ["ring", "size", "score", "shared entities"],
                        [
                            [
                                r["ring_id"],
                                r["size"],
                                share(r["score"], 0),
                                ", ".join(r["entities"]),
                            ]
                            for r in rings["largest"]
                        ],
                        caption="Largest rings",
                    ),
                ),
                note(f"{rings['hub_entities_dropped']:,} hub entities dropped by the guards."),
            ],
        )
    )
    sections.append(
        section(
            "Rules",
            "How often each rule fired (rows where its condition held) and the actions it led to.",
            table(
                ["rule", "fired (rows)", "actions", "accounts"],
                [
                    [rule, v["fired_rows"], v["actions"], v["accounts"]]
                    for rule, v in f["rules"].items()
                ],
            ),
        )
    )
    sections.append(
        section(
            "Sample of decisions to spot-check",
            f"{len(f['sample'])} actions drawn at random (seeded), with the evidence they rest on.",
            table(
                ["account", "action", "status", "rule", "at", "evidence"],
                [
                    [
                        s["account_id"],
                        s["type"],
                        s["status"],
                        ", ".join(s["rule_ids"]),
                        s["at"],
                        "; ".join(s["evidence"]),
                    ]
                    for s in f["sample"]
                ],
            ),
        )
    )
    return page(
        "Sweep impact report",
        sections,
        subtitle=f"{mode}{campaign} · policy {f['policy_version']} · sweep {f['sweep_id']}",
        top=top,
        footer="Generated by warden sweep. Numbers are also in impact.json.",
    )


def _breakdown(
    accounts: Any,
    group_of: Mapping[str, str | None],
    by_account: Mapping[str, list[ActionRecord]],
    closed: set[str],
) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"active": 0, "actioned": 0, "closed": 0}
    )
    for account in accounts:
        group = groups[group_of.get(account) or "unknown"]
        group["active"] += 1
        group["actioned"] += account in by_account
        group["closed"] += account in closed
    for group in groups.values():
        group["share_closed"] = group["closed"] / group["active"] if group["active"] else None
    return dict(sorted(groups.items()))


def _sample(records: list[ActionRecord], size: int, seed: int) -> list[dict[str, Any]]:
    chosen = random.Random(seed).sample(records, min(size, len(records)))
    chosen.sort(key=lambda r: (r.action.at, r.action.account_id))
    return [
        {
            "account_id": r.action.account_id,
            "type": r.action.type.value,
            "status": r.status.value,
            "category": r.action.category,
            "rule_ids": list(r.action.rule_ids),
            "at": r.action.at.isoformat(),
            "reason": r.action.reason,
            "evidence": [
                f"{e.kind} {e.ref}{': ' + e.detail if e.detail else ''}" for e in r.action.evidence
            ],
        }
        for r in chosen
    ]
