"""``warden`` starts without importing what its command does not need.

Not timed (the machine is shared; ``bench/startup.py`` measures): these tests look at
``sys.modules`` of a fresh interpreter, which does not depend on load, and at the lazy
command table, whose help must match the commands it stands for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from warden.cli.app import COMMANDS, app

#: Libraries that cost a command line seconds and that neither --help nor a lexicon-only
#: `warden check` uses.
HEAVY = ("sklearn", "scipy", "sqlalchemy", "alembic", "duckdb", "pyarrow", "pyspark")


def _modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The top-level names in ``sys.modules`` after running ``code`` in a new interpreter."""
    probe = (
        "import json, sys\n"
        "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) + "except SystemExit:\n"
        "    pass\n"
        "sys.stdout.flush()\n"
        "print('\\n' + json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_importing_the_app_imports_no_heavy_library() -> None:
    loaded = _modules_after("import warden.cli.app")
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}
    assert "warden.detect.screener" not in loaded
    assert not {name for name in loaded if name.startswith("warden.cli.")} - {
        "warden.cli.app",
        "warden.cli.lazy",
    }


def test_help_lists_every_command_without_importing_one() -> None:
    code = "sys.argv = ['warden', '--help']\nfrom warden.cli.app import main\nmain()"
    loaded = _modules_after(code)
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}
    assert not {name for name in loaded if name.startswith("warden.cli.")} - {
        "warden.cli.app",
        "warden.cli.lazy",
    }
    shown = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    for name, entry in COMMANDS.items():
        assert f" {name} " in shown.stdout
        assert entry.help in shown.stdout


def test_check_with_lexicons_only_imports_no_heavy_library(tmp_path: Path) -> None:
    """The lexicon-only path: no models built, so no SciPy or scikit-learn either."""
    import os

    env = os.environ | {"WARDEN_MODELS_DIR": str(tmp_path)}
    code = (
        "sys.argv = ['warden', 'check', '--json', '加微信 mm_love520']\n"
        "from warden.cli.app import main\n"
        "main()"
    )
    loaded = _modules_after(code, env)
    assert "warden.detect.screener" in loaded  # it did screen
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_table_help_is_the_command_help(name: str) -> None:
    """What ``warden --help`` shows from the table is what the command itself says."""
    command = COMMANDS[name].load(name)
    assert command.name == name
    own = " ".join((command.help or "").split("\n\n")[0].split())
    assert own == COMMANDS[name].help


def test_a_mistyped_command_gets_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["chek", "x"])
    assert result.exit_code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in result.output


def test_subcommands_load_and_run_on_demand() -> None:
    result = CliRunner().invoke(app, ["audit", "--help"])
    assert result.exit_code == 0, result.output
    assert "checkpoint" in result.stdout
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    assert root.get_command(typer.Context(root), "nope") is None
