"""``warden demo``: the main job on the embedded default — no services, no downloads.

Two parts, until the sweep lands: (1) screen a sample of messages written by the team —
escort ads in their usual disguises, scams, and ordinary chat with tricky but benign words —
and show what Warden makes of each; (2) run a small platform's day (``sample_day``) through
the decision core on an SQLite file: features, policy, strike ladders, close reviews, the
audit chain — and show where each account ends up.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from warden.cli.render import highlighted
from warden.cli.sample_day import write_scenario
from warden.detect.screener import Screener

SAMPLE: tuple[str, ...] = (
    "新到学生妹，包夜1500，快餐500，加薇信：mm_love520 详聊",
    "高端外围 空降 全套服务 ☎ ①③⑧ ００１３ 捌零零零",
    "约👉p 加V ➕ xiaomei888，先付定金200才安排",
    "楼鳳 上門 服務，扣扣 123456789",
    "您的银行卡已冻结，请点击 http://icbc-verify.top/login 解冻",
    "百家乐 真人荷官 首存送100%，注册 www.lucky88.bet",
    "加入圣🔥战，炸弹制作教程见 t.me/jihad_news",
    "你个傻🤔逼，cnm",
    "Hot singles near you! Outcall escort, incall available, whatsapp +1 415 555 2671",
    "生日快乐！晚上一起喝茶聊天吧",
    "我新买了个按摩椅，周末来试试",
    "Middlesex University is in London; I have a vocation for teaching",
    "会议改到 13:45，房间 1302，报销 300元",
)


def demo(
    workdir: Annotated[
        Path | None,
        typer.Option(
            "--workdir", help="Where to keep the demo's database (default: a temporary folder)."
        ),
    ] = None,
) -> None:
    """Screen a sample of messages, then run a sample day through the decision core."""
    console = Console()
    screener = _screen_sample(console)
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="warden-demo-") as temporary:
            _decide_sample_day(console, screener, Path(temporary))
    else:
        workdir.mkdir(parents=True, exist_ok=True)
        _decide_sample_day(console, screener, workdir)


def _screen_sample(console: Console) -> Screener:
    with console.status("building the screener (team lexicons)…"):
        screener = Screener.from_lexicons()
    verdicts = screener.screen(list(SAMPLE))
    table = Table(title="Warden demo: screening a sample of messages", show_lines=True)
    table.add_column("message (matches highlighted)", ratio=3)
    table.add_column("verdict", ratio=1)
    table.add_column("contacts", ratio=1)
    flagged = 0
    for verdict in verdicts:
        top = verdict.top_category()
        flagged += top is not None
        call = f"[red]{top[0]}[/red] {top[1]:.2f}" if top else "[green]clean[/green]"
        contacts = "\n".join(f"{e.kind.value}: {e.value}" for e in verdict.entities)
        table.add_row(highlighted(verdict), call, contacts)
    console.print(table)
    console.print(
        f"{len(verdicts)} messages screened, {flagged} flagged, "
        f"{len(verdicts) - flagged} clean; "
        f"{screener.index.stats.entries} lexicon entries, {screener.index.stats.patterns} patterns."
    )
    return screener


def _decide_sample_day(console: Console, screener: Screener, workdir: Path) -> None:
    from warden.audit.log import verify
    from warden.enforce.ingest import Ingestor
    from warden.io.events import read_events
    from warden.policy import load_pack
    from warden.store import UnitOfWork, make_engine, migrate

    policy = next(
        parent / "policies" / "default.yaml"
        for parent in Path(__file__).resolve().parents
        if (parent / "policies" / "default.yaml").is_file()
    )
    database = workdir / "warden.db"
    database.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    events = write_scenario(workdir / "sample-day.jsonl", with_bad_records=True)
    summary = Ingestor(engine, screener, load_pack(policy)).ingest(read_events(events))
    console.rule("A day on a small platform, through the decision core")
    console.print(
        f"{summary.read} records: {summary.processed} events processed, "
        f"{summary.quarantined} quarantined (with file, line, field and reason), "
        f"{summary.decisions} rule decisions, {sum(summary.actions.values())} actions, "
        f"{summary.held_for_review} held for human review."
    )
    with UnitOfWork(engine) as uow:
        by_account: dict[str, list[str]] = defaultdict(list)
        for record in uow.actions.list():
            by_account[record.action.account_id].append(
                f"{record.action.type.value} ({record.action.category}, {record.status.value})"
            )
        table = Table("account", "standing", "actions, in order")
        for account in ("escort", "scammer", "blaster", "troll", "alice", "bob"):
            state = uow.accounts.get(account)
            table.add_row(
                account,
                state.state.value if state else "-",
                "\n".join(by_account[account]) or "none",
            )
        console.print(table)
        chain = verify(uow.session)
    console.print(
        f"audit chain: {chain.count} records, {'intact' if chain.ok else 'BROKEN'}, "
        f"head {chain.head_hash[:16] if chain.head_hash else '-'}… "
        "(keep the database with --workdir DIR, then try `warden accounts show escort`)"
    )
