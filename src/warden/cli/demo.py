"""``warden demo``: Warden's main job on the embedded default — no services, no downloads.

1. screen a sample of messages written by the team — escort ads in their usual disguises,
   scams, ordinary chat with tricky but benign words — and show what Warden makes of each;
2. simulate a platform (``warden simulate``): ordinary users, official accounts and every
   kind of abuser, with rings, evasion, families sharing tablets and cafés sharing IPs;
3. sweep it with the thunder-strike campaign in **shadow** — the impact report, scored
   against the simulator's ground truth, per role;
4. **enforce** the same sweep into an SQLite store (audit chain, review cases, outbox);
5. write the **transparency report** from the store, and say where everything is.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from warden.cli.render import highlighted
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
            "--workdir",
            help="Keep the platform, sweeps, store and reports here (default: a temporary folder).",
        ),
    ] = None,
    accounts: Annotated[
        int, typer.Option("--accounts", help="Accounts on the simulated platform.")
    ] = 5000,
    days: Annotated[int, typer.Option("--days", help="Days of history to simulate.")] = 14,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 7,
) -> None:
    """Screen a sample, then simulate a platform, sweep it (shadow, then enforce), report."""
    from warden.errors import InputError

    if accounts < 200:
        raise InputError(f"--accounts: {accounts} is too few for a platform; expected ≥ 200")
    if days < 1:
        raise InputError(f"--days: {days} is not a number of days; expected ≥ 1")
    console = Console()
    screener = _screen_sample(console)
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="warden-demo-") as temporary:
            _platform(console, screener, Path(temporary), accounts, days, seed, keep=False)
    else:
        workdir.mkdir(parents=True, exist_ok=True)
        _platform(console, screener, workdir, accounts, days, seed, keep=True)


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


def _platform(
    console: Console,
    screener: Screener,
    workdir: Path,
    accounts: int,
    days: int,
    seed: int,
    *,
    keep: bool,
) -> None:
    from warden.audit.log import verify
    from warden.cli.report import summary as report_summary
    from warden.cli.report import write_report
    from warden.cli.sweep import stage_reporter
    from warden.report.transparency import DEFAULT_TITLE, transparency_figures
    from warden.simulate.simulator import SimulationConfig, simulate
    from warden.store import make_engine, migrate
    from warden.sweep.impact import write_impact
    from warden.sweep.local import LocalEngine
    from warden.sweep.pipeline import SweepOptions, run_sweep

    policy = _policy()
    platform = workdir / "platform"
    console.rule(f"A platform of {accounts:,} accounts over {days} days")
    with _progress(console) as progress:
        task = progress.add_task("simulate (days)", total=days)
        result = simulate(
            SimulationConfig(accounts=accounts, days=days, seed=seed),
            platform,
            lambda day, _events: progress.update(task, completed=day),
        )
    roles = ", ".join(f"{role} {count:,}" for role, count in result.roles.most_common())
    console.print(
        f"{result.total:,} events ({result.events.get('message', 0):,} messages) from "
        f"{accounts:,} accounts: {roles}; {result.rings} rings."
    )
    database = workdir / "warden.db"
    database.unlink(missing_ok=True)
    store = make_engine(f"sqlite:///{database}")
    migrate(store)
    engine = LocalEngine(screener)
    sweeps: dict[str, Any] = {}
    modes: tuple[Literal["shadow", "enforce"], ...] = ("shadow", "enforce")
    for mode in modes:
        options = SweepOptions(
            events=platform / "events",
            policy=policy,
            out=workdir / f"sweep-{mode}",
            campaign="thunder-strike",
            mode=mode,
            truth=platform / "truth.parquet",
        )
        console.rule(f"Sweep with the thunder-strike campaign: {mode}")
        with _progress(console) as progress:
            swept = run_sweep(options, engine, store=store, progress=stage_reporter(progress))
        sweeps[mode] = write_impact(swept)
        _print_sweep(console, sweeps[mode])
    shadow, enforced = sweeps["shadow"], sweeps["enforce"]
    agree = shadow["actions_by_type"] == enforced["actions_by_type"]
    console.print(
        f"enforcement applied what the shadow sweep measured: "
        f"{'[green]yes[/green]' if agree else '[red]NO[/red]'}"
    )
    figures = transparency_figures(store, None, None, title=DEFAULT_TITLE)
    html, _ = write_report(figures, workdir / "report")
    console.rule("Transparency report")
    console.print(report_summary(figures))
    chain = verify(store)
    console.print(
        f"audit chain: {chain.count:,} records, {'intact' if chain.ok else 'BROKEN'}, head "
        f"{chain.head_hash[:16] if chain.head_hash else '-'}…"
    )
    _print_quality(console, shadow["quality"])
    if keep:
        console.print(
            f"kept in {workdir}: platform/ (events, truth), sweep-shadow/impact.html, "
            f"sweep-enforce/, warden.db, {html.relative_to(workdir)} — try "
            f"WARDEN_DATABASE_URL=sqlite:///{database} warden cases list"
        )
    else:
        console.print("(run with --workdir DIR to keep the platform, the store and the reports)")


def _policy() -> Path:
    return next(
        parent / "policies" / "default.yaml"
        for parent in Path(__file__).resolve().parents
        if (parent / "policies" / "default.yaml").is_file()
    )


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _print_sweep(console: Console, f: dict[str, Any]) -> None:
    verb = "would action" if f["mode"] == "shadow" else "actioned"
    console.print(
        f"{f['counts']['events']:,} events in {sum(f['timings_s'].values()):.0f} s: {verb} "
        f"{f['accounts_actioned']:,} of {f['active_accounts']:,} active accounts "
        f"({(f['share_actioned'] or 0) * 100:.2f}%); closes {f['accounts_closed']:,} "
        f"({(f['share_closed'] or 0) * 100:.2f}%), {f['held_for_review']:,} held for review; "
        f"{f['rings']['found']:,} rings with {f['rings']['accounts_in_rings']:,} accounts."
    )
    table = Table(
        "action", *sorted({c for v in f["accounts_by_action_and_category"].values() for c in v})
    )
    categories = list(table.columns)[1:]
    for action, per in f["accounts_by_action_and_category"].items():
        table.add_row(action, *(f"{per.get(str(c.header), 0):,}" for c in categories))
    console.print(table)


def _print_quality(console: Console, q: dict[str, Any]) -> None:
    console.rule("Against the simulator's ground truth")
    table = Table("role", "accounts", "actioned", "share actioned")
    for role, v in q["per_role"].items():
        table.add_row(
            role,
            f"{v['accounts']:,}",
            f"{v['actioned']:,}",
            f"{(v['share_actioned'] or 0) * 100:.1f}%",
        )
    console.print(table)
    rings = q["rings"]
    console.print(
        f"precision [bold]{(q['precision'] or 0):.4f}[/bold], recall "
        f"[bold]{(q['recall'] or 0):.4f}[/bold] over abusive roles; ordinary accounts actioned: "
        f"{q['ordinary_actioned']:,} of {q['ordinary_accounts']:,} "
        f"({(q['ordinary_share_actioned'] or 0) * 100:.3f}%); ring members recovered into their "
        f"ring {(rings['recovered'] or 0) * 100:.1f}%, purity {(rings['purity'] or 0) * 100:.1f}%"
    )
