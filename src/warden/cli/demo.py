"""``warden demo``: Warden's main job on the embedded default — no services, no downloads.

0. build the standard detectors from the shared labelled data (``warden models build``) if
   they are not built yet — they are kept in the models directory, not in the demo's folder;
1. screen a sample of messages written by the team — escort ads in their usual disguises,
   scams, ordinary chat with tricky but benign words — and show what Warden makes of each;
2. simulate a platform (``warden simulate``): ordinary users, official accounts and every
   kind of abuser, with rings, evasion, families sharing tablets and cafés sharing IPs;
3. sweep it with the thunder-strike campaign in **shadow** — the impact report, scored
   against the simulator's ground truth, per role — then **enforce** the same sweep into an
   SQLite store (audit chain, review cases, outbox);
4. write the **transparency report** from the store;

and say where everything is. Everything is kept in ``./warden-demo/`` (or ``--workdir``) so
the reports can be opened afterwards; a second run replaces the first one's files.

Each step is a function of :class:`DemoRun` listed in :data:`STEPS`: a step reads what
earlier steps left on the run (the screener, the store and the policy are built once, on
first use), writes into :attr:`DemoRun.workdir`, and names what it kept in
:attr:`DemoRun.kept` for the closing summary. A new step is one more function in the list.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from warden.cli.render import highlighted
from warden.detect.screener import Screener
from warden.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

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


#: The demo's folder when ``--workdir`` is not given, in the current directory.
DEFAULT_WORKDIR = Path("warden-demo")
#: The file that marks a folder as the demo's: only such a folder is cleared for a new run.
MARKER = ".warden-demo"


def demo(
    workdir: Annotated[
        Path,
        typer.Option(
            "--workdir",
            help="Keep the platform, sweeps, store and reports here; a new run replaces them.",
        ),
    ] = DEFAULT_WORKDIR,
    accounts: Annotated[
        int, typer.Option("--accounts", help="Accounts on the simulated platform.")
    ] = 5000,
    days: Annotated[int, typer.Option("--days", help="Days of history to simulate.")] = 14,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 7,
) -> None:
    """Screen a sample, then simulate a platform, sweep it (shadow, then enforce), report."""
    if accounts < 200:
        raise InputError(f"--accounts: {accounts} is too few for a platform; expected ≥ 200")
    if days < 1:
        raise InputError(f"--days: {days} is not a number of days; expected ≥ 1")
    run = DemoRun(Console(), _prepare(workdir.expanduser().absolute()), accounts, days, seed)
    for step in STEPS:
        step(run)
    _print_kept(run)


def _prepare(workdir: Path) -> Path:
    """``workdir``, created or emptied of an earlier run's files, and marked as the demo's.

    A folder that holds anything without the marker is refused rather than cleared: the
    demo deletes only what it wrote itself.
    """
    if workdir.exists() and not workdir.is_dir():
        raise InputError(f"--workdir: {str(workdir)!r} is a file; expected a folder")
    workdir.mkdir(parents=True, exist_ok=True)
    marker = workdir / MARKER
    entries = [entry for entry in workdir.iterdir() if entry != marker]
    if entries and not marker.is_file():
        raise InputError(
            f"--workdir: {str(workdir)!r} holds files that warden demo did not write "
            f"(e.g. {entries[0].name!r}); expected a new or empty folder, or one an earlier "
            "demo run used"
        )
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    marker.write_text(
        "This folder belongs to `warden demo`: each run replaces everything in it.\n",
        encoding="utf-8",
    )
    return workdir


@dataclass
class DemoRun:
    """What the steps share: where they write, the platform's size, what earlier steps made."""

    console: Console
    workdir: Path
    accounts: int
    days: int
    seed: int
    #: the impact figures of each sweep, by mode (``shadow``, ``enforce``)
    sweeps: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: what the run kept, for the closing summary: description → path
    kept: dict[str, Path] = field(default_factory=dict)

    @property
    def platform(self) -> Path:
        """The simulated platform: ``events/`` and ``truth.parquet``."""
        return self.workdir / "platform"

    @property
    def database(self) -> Path:
        """The SQLite file of the store."""
        return self.workdir / "warden.db"

    @cached_property
    def screener(self) -> Screener:
        """The screener of the default pack (the team's lexicons and the standard detectors
        when built), built on first use."""
        from warden.enforce.ingest import screener_for
        from warden.policy import load_pack

        with self.console.status("building the screener (lexicons and detectors)…"):
            return screener_for(load_pack(self.policy))

    @cached_property
    def policy(self) -> Path:
        """The built-in default policy pack (its campaigns sit beside it)."""
        from warden.policy import default_pack_path

        return default_pack_path()

    @cached_property
    def store(self) -> Engine:
        """The SQLite store in :attr:`workdir`, migrated to the latest schema."""
        from warden.store import make_engine, migrate

        engine = make_engine(f"sqlite:///{self.database}")
        migrate(engine)
        return engine


def _build_models(run: DemoRun) -> None:
    """The standard detectors, built once into the models directory (about 90 s)."""
    from warden.cli.detectors import build_with_progress
    from warden.detect.standard import manifest_path
    from warden.settings import get_settings
    from warden.text.catalog import data_dir

    models = get_settings().models_path
    if manifest_path(models).is_file():
        run.console.print(
            f"standard detectors: {models} (built earlier; `warden models build` rebuilds)"
        )
        return
    data = data_dir()
    if not (data / "README.md").is_file():
        run.console.print(
            f"[yellow]no shared datasets in {data}[/yellow]: the demo screens with the lexicons "
            "only (set WARDEN_DATA_DIR and run `warden models build`)"
        )
        return
    build_with_progress(data, models, run.console)
    run.console.print(f"standard detectors built from {data} into {models}")


def _screen_sample(run: DemoRun) -> None:
    verdicts = run.screener.screen(list(SAMPLE))
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
    run.console.print(table)
    stats = run.screener.index.stats
    run.console.print(
        f"{len(verdicts)} messages screened, {flagged} flagged, "
        f"{len(verdicts) - flagged} clean; "
        f"{stats.entries} lexicon entries, {stats.patterns} patterns."
    )


def _simulate(run: DemoRun) -> None:
    from warden.simulate.simulator import SimulationConfig, simulate

    run.console.rule(f"A platform of {run.accounts:,} accounts over {run.days} days")
    with _progress(run.console) as progress:
        task = progress.add_task("simulate (days)", total=run.days)
        result = simulate(
            SimulationConfig(accounts=run.accounts, days=run.days, seed=run.seed),
            run.platform,
            lambda day, _events: progress.update(task, completed=day),
        )
    roles = ", ".join(f"{role} {count:,}" for role, count in result.roles.most_common())
    run.console.print(
        f"{result.total:,} events ({result.events.get('message', 0):,} messages) from "
        f"{run.accounts:,} accounts: {roles}; {result.rings} rings."
    )
    run.kept["simulated platform (events, ground truth)"] = run.platform


def _sweep(run: DemoRun) -> None:
    from warden.cli.sweep import stage_reporter
    from warden.sweep.impact import write_impact
    from warden.sweep.local import LocalEngine
    from warden.sweep.pipeline import SweepOptions, run_sweep

    engine = LocalEngine(run.screener)
    modes: tuple[Literal["shadow", "enforce"], ...] = ("shadow", "enforce")
    for mode in modes:
        options = SweepOptions(
            events=run.platform / "events",
            policy=run.policy,
            out=run.workdir / f"sweep-{mode}",
            campaign="thunder-strike",
            mode=mode,
            truth=run.platform / "truth.parquet",
        )
        run.console.rule(f"Sweep with the thunder-strike campaign: {mode}")
        with _progress(run.console) as progress:
            swept = run_sweep(options, engine, store=run.store, progress=stage_reporter(progress))
        run.sweeps[mode] = write_impact(swept)
        _print_sweep(run.console, run.sweeps[mode])
        run.kept[f"impact report of the {mode} sweep"] = options.out / "impact.html"
    agree = run.sweeps["shadow"]["actions_by_type"] == run.sweeps["enforce"]["actions_by_type"]
    run.console.print(
        f"enforcement applied what the shadow sweep measured: "
        f"{'[green]yes[/green]' if agree else '[red]NO[/red]'}"
    )


def _transparency_report(run: DemoRun) -> None:
    from warden.audit.log import verify
    from warden.cli.report import summary as report_summary
    from warden.cli.report import write_report
    from warden.report.transparency import DEFAULT_TITLE, transparency_figures

    figures = transparency_figures(run.store, None, None, title=DEFAULT_TITLE)
    html, _ = write_report(figures, run.workdir / "report")
    run.console.rule("Transparency report")
    run.console.print(report_summary(figures))
    chain = verify(run.store)
    run.console.print(
        f"audit chain: {chain.count:,} records, {'intact' if chain.ok else 'BROKEN'}, head "
        f"{chain.head_hash[:16] if chain.head_hash else '-'}…"
    )
    _print_quality(run.console, run.sweeps["shadow"]["quality"])
    run.kept["transparency report"] = html
    run.kept["store (SQLite: actions, cases, audit chain)"] = run.database


#: The demo, in order. Each step writes into the run's folder and records what it kept.
STEPS: tuple[Callable[[DemoRun], None], ...] = (
    _build_models,
    _screen_sample,
    _simulate,
    _sweep,
    _transparency_report,
)


def _print_kept(run: DemoRun) -> None:
    run.console.rule(f"Kept in {run.workdir}")
    for what, path in run.kept.items():
        run.console.print(f"{what}: {path}", soft_wrap=True, markup=False, highlight=False)
    for line in (
        f"try: WARDEN_DATABASE_URL=sqlite:///{run.database} warden cases list",
        "review them in the browser: with the same WARDEN_DATABASE_URL, "
        "warden users create you --role senior && warden serve, "
        "then http://127.0.0.1:8080/console/",
    ):
        run.console.print(line, soft_wrap=True, markup=False, highlight=False)


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
