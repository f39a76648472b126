"""``warden demo``: the main job on the embedded default, on a built-in sample of messages.

Until the sweep lands this screens a sample of messages written by the team — escort ads in
their usual disguises, scams, and ordinary chat that contains tricky but benign words — and
prints what Warden makes of each. No services, no downloads.
"""

from __future__ import annotations

from rich.console import Console
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


def demo() -> None:
    """Screen a built-in sample of messages and print the verdicts."""
    console = Console()
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
