"""Real-message benchmark: a platform of labelled messages no one on the team wrote, swept.

    python bench/accounts.py [--ordinary 3000] [--abusive 240] [--days 7] [--seed 7] [--quick]
                             [--messages-per-account 8] [--policy policies/default.yaml]
                             [--workdir /tmp/warden-bench-accounts] [--out bench/results/accounts.json]

Why: ``bench/sweep.py`` scores Warden on the simulator, whose abuse is written from the same
words as the team's lexicons — perfect scores that say little. Here every message is a
labelled real one from ``$WARDEN_DATA_DIR`` (only rows the standard detectors never trained
on: ``warden.detect.split``), turned into a platform by ``warden simulate --texts`` — the
option a platform team uses with its own data — and swept by ``warden sweep --shadow
--truth`` with the default policy, as an operator would run them.

Steps: **prepare** the texts file (roles below, rows read by ``warden.detect.corpora``: the
fine-grained set's masks filled and its word segmentation undone; the ``x`` that two Chinese
sets write for digits is left as it is, as the detectors saw it in training), **simulate**,
**sweep**, **score**: per role the share of accounts actioned (any action, a warning
included) and the rules that did it; recall over abusive accounts, precision, the share of
ordinary accounts actioned — and, for each ordinary account actioned, the rule and the text
behind it. Prints one line and writes JSON.

Roles (benign: ``ordinary``, ``ordinary_mention`` and the built-in ``victim``):

====================  ===========================================================================
``ordinary``          cn_spam_sms ham, sms_spam_uci ham, COLD non-offensive, fine-grained Other
``ordinary_mention``  cn_spam_sms ham and COLD non-offensive rows that *talk about* scams,
                      raids, gambling, porn (:data:`MENTION`)
``phone_fraud``       cn_spam_categories 贷款诈骗 and 冒充银行; fine-grained FR_Other,
                      FR_Financial, FR_Phishing(Other)
``bank_phishing``     fine-grained FR_Phishing(Bank)
``en_smishing``       sms_spam_uci spam
``gambling``          fine-grained IL_Gambling
``fake_documents``    fine-grained IL_Fake_ID_and_invoice
``escort``            fine-grained IL_Escort_service
``abusive_speech``    COLD offensive; en_hate_davidson hate and offensive (targets report it)
====================  ===========================================================================

Ordinary commercial ads (the fine-grained ``AD_*`` classes, cn_spam_categories' used cars,
real estate, jobs and service ads) are left out: whether an ad was wanted cannot be told from
the data, so they would be neither a fair positive nor a fair negative.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from warden.detect import corpora
from warden.detect.classifier import fingerprint
from warden.detect.split import text_key
from warden.detect.standard import manifest_path, read_manifest
from warden.settings import get_settings
from warden.text.catalog import data_dir

ROOT = Path(__file__).resolve().parent.parent
#: Words of everyday messages that talk *about* abuse (news, warnings, gossip).
MENTION = re.compile(
    "诈骗|骗子|被骗|卖淫|嫖娼|色情|赌博|赌场|博彩|警方|抓获|涉嫌|扫黄|网赌|刷单|传销|吸毒|贩毒"
)
#: Fine-grained classes (``cn_spam_finegrained`` labels) → platform roles.
FINEGRAINED_ROLES = {
    "FR_Other": "phone_fraud",
    "FR_Financial": "phone_fraud",
    "FR_Phishing(Other)": "phone_fraud",
    "FR_Phishing(Bank)": "bank_phishing",
    "IL_Gambling": "gambling",
    "IL_Fake_ID_and_invoice": "fake_documents",
    "IL_Escort_service": "escort",
    "Other": "ordinary",
}
ABUSIVE_ROLES = (
    "phone_fraud", "bank_phishing", "en_smishing", "gambling", "fake_documents", "escort",
    "abusive_speech",
)  # fmt: skip
BENIGN_ROLES = ("ordinary", "ordinary_mention", "victim")
#: Texts an abusive account may need: 4–12 messages plus extras (profile, post, friend
#: request, victims). A role with fewer held-out rows than its accounts need gets the
#: fine-grained rows again with fresh mask fills (another seed of ``corpora``), so two ads
#: share wording but never a phone number or handle (which would make them a ring).
TEXTS_PER_ABUSER = 10
#: The sweep benchmark's targets (``bench/sweep.py``), for comparison; benign = every
#: account that is not abusive (ordinary, mention and victim roles together).
TARGETS = {"precision": 0.97, "recall": 0.90, "benign_share_actioned": 0.002}
QUICK = {"ordinary": 300, "abusive": 40, "days": 3}
DEFAULTS = {"ordinary": 3000, "abusive": 240, "days": 7}


@dataclass
class Prepared:
    texts_file: Path
    files: set[str] = field(default_factory=set)  # relative to the data directory
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)


# -- prepare ----------------------------------------------------------------------------------


def role_of(row: corpora.Row) -> str | None:
    """The platform role of a held-out row, or None when the benchmark does not use it."""
    if row.source in ("cn_spam_sms", "cn_offensive_cold") and row.label == "0":
        return "ordinary_mention" if MENTION.search(row.text) else "ordinary"
    if row.source == "cn_offensive_cold" and row.label == "1":
        return "abusive_speech"
    if row.source == "sms_spam_uci":
        return "en_smishing" if row.label == "spam" else "ordinary"
    if row.source == "cn_spam_categories" and row.label in ("loan_fraud", "bank_impersonation"):
        return "phone_fraud"
    if row.source == "cn_spam_finegrained":
        return FINEGRAINED_ROLES.get(row.label)
    if row.source == "en_hate_davidson" and row.label in ("hate", "offensive"):
        return "abusive_speech"
    return None


def prepare(base: Path, workdir: Path, abusive: int, seed: int, console: Console) -> Prepared:
    """Held-out rows of every dataset (``warden.detect.corpora``) → ``texts.jsonl``, one role
    per line, deduplicated per role; short roles topped up with fresh mask fills."""
    chosen: dict[str, dict[str, corpora.Row]] = defaultdict(dict)  # role → text key → row
    held: Counter[str] = Counter()
    need = math.ceil(abusive / len(ABUSIVE_ROLES)) * TEXTS_PER_ABUSER
    prepared = Prepared(workdir / "texts.jsonl")

    def take(rows: Iterable[corpora.Row], top_up: bool = False) -> None:
        for row in rows:
            role = role_of(row) if row.held_out else None
            if role is None or (top_up and len(chosen[role]) >= need):
                continue
            if top_up and role not in ABUSIVE_ROLES:
                continue
            key = text_key(row.text)
            if key not in chosen[role]:
                chosen[role][key] = row
                held[role] += not top_up
                prepared.files.add(row.file)

    with Progress(
        TextColumn("[bold]prepare[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        task = progress.add_task("datasets", total=len(corpora.READERS))
        for name, reader in corpora.READERS.items():
            progress.update(task, description=name)
            if name == "cn_spam_finegrained":
                take(corpora.cn_spam_finegrained(base, seed))
            else:
                take(reader(base))
            progress.advance(task)
        short = [r for r in ABUSIVE_ROLES if 0 < len(chosen[r]) < need]
        rounds = max((math.ceil(need / len(chosen[r])) for r in short), default=1) - 1
        top_up = progress.add_task("fresh mask fills", total=rounds)
        for extra in range(1, rounds + 1):
            if all(len(chosen[r]) >= need for r in short):
                break
            take(corpora.cn_spam_finegrained(base, seed + extra), top_up=True)
            progress.advance(top_up)
    with prepared.texts_file.open("w", encoding="utf-8") as out:
        for role in (*BENIGN_ROLES[:2], *ABUSIVE_ROLES):
            rows = list(chosen[role].values())
            for row in rows:
                line = {"role": role, "text": row.text, "abusive": role in ABUSIVE_ROLES}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            prepared.roles[role] = {
                "held_out_rows": held[role],
                "texts_written": len(rows),
                "sources": dict(Counter(f"{r.file} {r.label}" for r in rows).most_common()),
            }
    return prepared


# -- simulate, sweep ----------------------------------------------------------------------------


def run(command: list[str], env: dict[str, str]) -> tuple[str, float]:
    """Run a ``warden`` command (its progress on our stderr); its stdout and wall time."""
    started = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed with status {result.returncode}")
    return result.stdout, time.perf_counter() - started


# -- score --------------------------------------------------------------------------------------


def score(platform_dir: Path, sweep_dir: Path) -> dict[str, Any]:
    """Per-role figures from the sweep's impact report, and why each benign account was hit."""
    impact = json.loads((sweep_dir / "impact.json").read_text(encoding="utf-8"))
    quality = impact["quality"]
    truth = {r["account_id"]: r for r in pq.read_table(platform_dir / "truth.parquet").to_pylist()}
    events = pq.read_table(
        platform_dir / "events",
        columns=["event_id", "account_id", "kind", "text", "memo", "signature", "message"],
    ).to_pylist()
    content = {
        e["event_id"]: (e["kind"], e["text"] or e["memo"] or e["signature"] or e["message"])
        for e in events
    }
    first_text: dict[str, str] = {}
    sent: dict[str, list[str]] = defaultdict(list)
    for e in events:
        if e["kind"] == "message":
            first_text.setdefault(e["account_id"], e["text"])
            sent[e["account_id"]].append(e["text"])
    actions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for action in pq.read_table(sweep_dir / "actions.parquet").to_pylist():
        actions[action["account_id"]].append(action)
    per_role: dict[str, dict[str, Any]] = {}
    for role, figures in quality["per_role"].items():
        members = [a for a, r in truth.items() if r["role"] == role]
        hit = [a for a in members if a in actions]
        missed = [a for a in members if a not in actions]
        abusive = bool(truth[members[0]]["abusive"]) if members else False
        per_role[role] = figures | {
            "abusive": abusive,
            "rules": dict(Counter(r for a in hit for r in _rules(actions[a])).most_common()),
            "actions": dict(Counter(x["type"] for a in hit for x in actions[a]).most_common()),
        }
        if abusive:
            per_role[role]["missed_examples"] = [first_text.get(a, "") for a in missed[:3]]
    benign_hit = []
    for account, records in sorted(actions.items()):
        if truth.get(account, {}).get("abusive", True):
            continue
        evidence = [
            content[e["ref"]]
            for r in records
            for e in json.loads(r["evidence"])
            if e["kind"] == "event" and e["ref"] in content
        ]
        kind, text = evidence[0] if evidence else ("message", first_text.get(account, ""))
        benign_hit.append(
            {
                "account_id": account,
                "role": truth[account]["role"],
                "rules": sorted(_rules(records)),
                "actions": [r["type"] for r in records],
                "categories": sorted({r["category"] for r in records}),
                "evidence_kind": kind,
                "text": text,
                "messages_sent": len(sent.get(account, [])),
            }
        )
    return {"impact": impact, "quality": quality, "per_role": per_role, "benign_hit": benign_hit}


def _rules(records: list[dict[str, Any]]) -> set[str]:
    return {rule for r in records for rule in r["rule_ids"]}


def sha256(path: Path) -> str:
    return str(fingerprint(path)["sha256"])


def model_manifest() -> dict[str, Any] | None:
    """The standard detectors' manifest the sweeps screened with (None: never built)."""
    models = get_settings().models_path
    return read_manifest(models) if manifest_path(models).is_file() else None


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ordinary", type=int, help="benign accounts (default 3000; quick 300)")
    parser.add_argument("--abusive", type=int, help="abusive accounts (default 240; quick 40)")
    parser.add_argument("--days", type=int, help="days of activity (default 7; quick 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--messages-per-account", type=float, default=8.0)
    parser.add_argument("--quick", action="store_true", help="a small platform, for tests")
    parser.add_argument("--policy", type=Path, default=ROOT / "policies" / "default.yaml")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/warden-bench-accounts"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "accounts.json")
    parser.add_argument(
        "--models", type=Path, help="standard detectors (default: WARDEN_MODELS_DIR or its default)"
    )
    parser.add_argument(
        "--cross-domain",
        action="store_true",
        help="also sweep with detectors that never saw a dataset (one build per left-out "
        "dataset) and with the lexicons alone",
    )
    args = parser.parse_args(argv)
    if args.models is not None:
        os.environ["WARDEN_MODELS_DIR"] = str(args.models.resolve())
    sizes = QUICK if args.quick else DEFAULTS
    ordinary = args.ordinary or sizes["ordinary"]
    abusive = args.abusive or sizes["abusive"]
    days = args.days or sizes["days"]
    console = Console(stderr=True)
    base = data_dir()
    if not (base / "cn_spam_finegrained").is_dir():
        print(f"skip: no datasets in {base} (set WARDEN_DATA_DIR)", file=sys.stderr)
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    prepared = prepare(base, args.workdir, abusive, args.seed, console)
    timings["prepare_s"] = round(time.perf_counter() - started, 1)

    warden = [sys.executable, "-m", "warden"]
    database = args.workdir / "bench.db"
    database.unlink(missing_ok=True)
    env = os.environ | {"WARDEN_DATABASE_URL": f"sqlite:///{database}"}
    platform_dir, sweep_dir = args.workdir / "platform", args.workdir / "sweep"
    console.rule("simulate")
    _, timings["simulate_s"] = run(
        [*warden, "simulate", "--texts", str(prepared.texts_file),
         "--accounts", str(ordinary + abusive), "--abusive-accounts", str(abusive),
         "--days", str(days), "--seed", str(args.seed),
         "--messages-per-account", str(args.messages_per_account),
         "--out", str(platform_dir), "--force"],
        env,
    )  # fmt: skip
    console.rule("sweep")
    stdout, timings["sweep_s"] = run(
        [*warden, "sweep", "--events", str(platform_dir / "events"), "--policy", str(args.policy),
         "--shadow", "--truth", str(platform_dir / "truth.parquet"), "--out", str(sweep_dir),
         "--json"],
        env,
    )  # fmt: skip
    summary = json.loads(stdout)
    started = time.perf_counter()
    scored = score(platform_dir, sweep_dir)
    timings["score_s"] = round(time.perf_counter() - started, 1)
    timings = {k: round(v, 1) for k, v in timings.items()} | {"sweep_steps_s": summary["timings_s"]}
    report = build_report(args, prepared, scored, summary, timings, (ordinary, abusive, days))
    if args.cross_domain:
        report["cross_domain"] = cross_domain(args, base, env, platform_dir, console)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(headline(report, args.out))
    return 0


#: detector sets the cross-domain runs build: name → datasets left out of training
CROSS_DOMAIN: dict[str, tuple[str, ...]] = {
    "without_cn_spam_finegrained": ("cn_spam_finegrained",),
    "without_cn_spam_categories": ("cn_spam_categories",),
    "without_sms_spam_uci": ("sms_spam_uci",),
    "lexicons_only": (),
}


def cross_domain(
    args: argparse.Namespace,
    base: Path,
    env: dict[str, str],
    platform_dir: Path,
    console: Console,
) -> dict[str, Any]:
    """The same platform swept with detectors that never saw one dataset — so the roles
    drawn from it are measured out of domain — and with the lexicons alone."""
    from warden.detect.standard import build

    out: dict[str, Any] = {}
    for name, left_out in CROSS_DOMAIN.items():
        models = args.workdir / f"models-{name}"
        shutil.rmtree(models, ignore_errors=True)
        if left_out:
            console.rule(f"cross-domain: detectors built without {', '.join(left_out)}")
            manifest = build(base, models, exclude_sources=left_out)
            skipped = manifest["skipped_detectors"]
        else:
            console.rule("cross-domain: lexicons only")
            models.mkdir(parents=True)
            skipped = []
        sweep_dir = args.workdir / f"sweep-{name}"
        _, seconds = run(
            [sys.executable, "-m", "warden", "sweep", "--events", str(platform_dir / "events"),
             "--policy", str(args.policy), "--shadow", "--truth",
             str(platform_dir / "truth.parquet"), "--out", str(sweep_dir), "--json"],
            env | {"WARDEN_MODELS_DIR": str(models)},
        )  # fmt: skip
        scored = score(platform_dir, sweep_dir)
        quality = scored["quality"]
        out[name] = {
            "left_out": list(left_out),
            "detectors_skipped": skipped,
            "recall": quality["recall"],
            "precision": quality["precision"],
            "benign_share_actioned": quality["ordinary_share_actioned"],
            "per_role": {
                role: figures["share_actioned"] for role, figures in scored["per_role"].items()
            },
            "sweep_s": round(seconds, 1),
        }
        console.print(
            f"{name}: recall {quality['recall']:.3f}, precision {quality['precision'] or 0:.3f}, "
            f"benign actioned {quality['ordinary_share_actioned'] or 0:.4f}"
        )
    return out


def build_report(
    args: argparse.Namespace,
    prepared: Prepared,
    scored: dict[str, Any],
    summary: dict[str, Any],
    timings: dict[str, Any],
    sizes: tuple[int, int, int],
) -> dict[str, Any]:
    quality, per_role = scored["quality"], scored["per_role"]
    manifest = json.loads((args.workdir / "platform" / "manifest.json").read_text("utf-8"))
    for role, figures in per_role.items():
        figures["data"] = prepared.roles.get(role, {"sources": "ordinary accounts (built in)"})
        figures["texts_in_platform"] = manifest["roles"].get(role)
    abusive_roles = {r: v for r, v in per_role.items() if v["abusive"]}
    worst = min(abusive_roles, key=lambda r: abusive_roles[r]["share_actioned"] or 0.0)

    def share_of(role: str) -> float | None:
        value = per_role.get(role, {}).get("share_actioned")
        return None if value is None else float(value)

    figures = {
        "recall": quality["recall"],
        "precision": quality["precision"],
        "benign_share_actioned": quality["ordinary_share_actioned"],
        "ordinary_share_actioned": share_of("ordinary"),
        "mention_share_actioned": share_of("ordinary_mention"),
        "victim_share_actioned": share_of("victim"),
        "abusive_accounts": quality["abusive_accounts"],
        "actioned": quality["actioned"],
        "true_positives": quality["true_positives"],
        "benign_accounts": quality["ordinary_accounts"],
        "benign_actioned": quality["ordinary_actioned"],
        "worst_role": {"role": worst, "share_actioned": abusive_roles[worst]["share_actioned"]},
    }
    return {
        "benchmark": "accounts",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "input": {
            "ordinary": sizes[0],
            "abusive": sizes[1],
            "days": sizes[2],
            "seed": args.seed,
            "quick": args.quick,
            "messages_per_account": args.messages_per_account,
            "events": manifest["events"],
            "events_total": manifest["events_total"],
        },
        "data": [
            {
                "path": name,
                "sha256": sha256(data_dir() / name),
                "bytes": (data_dir() / name).stat().st_size,
            }
            for name in sorted(prepared.files)
        ],
        "policy": {
            "path": str(args.policy),
            "sha256": sha256(args.policy),
            "version": summary["policy_version"],
        },
        "models": {"path": str(get_settings().models_path), "manifest": model_manifest()},
        "figures": figures,
        "targets": {
            name: {"target": target, "met": _met(name, figures[name], target)}
            for name, target in TARGETS.items()
        },
        "per_role": per_role,
        "benign_actioned": scored["benign_hit"],
        "sweep": {
            "accounts_actioned": summary["accounts_actioned"],
            "actions_by_type": summary["actions_by_type"],
            "counts": summary["counts"],
            "rules": scored["impact"]["rules"],
        },
        "timings": timings,
    }


def _met(name: str, value: float | None, target: float) -> bool | None:
    if value is None:
        return None
    return value < target if name == "benign_share_actioned" else value >= target


def headline(report: dict[str, Any], out: Path) -> str:
    f = report["figures"]

    def pct(value: float | None, digits: int = 1) -> str:
        return "n/a" if value is None else f"{value * 100:.{digits}f}%"

    return (
        f"accounts (real messages, {f['abusive_accounts']} abusive / {f['benign_accounts']} "
        f"benign): recall {pct(f['recall'])}, precision {pct(f['precision'])}, ordinary "
        f"actioned {pct(f['ordinary_share_actioned'], 2)} (mention {pct(f['mention_share_actioned'])}, "
        f"victims {pct(f['victim_share_actioned'])}); worst role {f['worst_role']['role']} "
        f"{pct(f['worst_role']['share_actioned'])}; sweep {report['timings']['sweep_s']:.0f} s "
        f"→ {out}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
