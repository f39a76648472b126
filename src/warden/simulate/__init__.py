"""``warden simulate``: a synthetic messaging platform with known abusers, to measure Warden.

A run writes events in the ingestion schema (readable by ``warden.io.events.read_events``,
accepted by ``warden ingest`` and the sweep) and a truth table saying what every account
really is, so precision and recall of Warden's actions can be measured per role. See
``docs/simulate.md`` for the roles, their behaviour, the disguises and the file layout.

Modules: ``roles`` (who), ``population`` (accounts and what ties them), ``texts`` and
``content`` (what they write), ``evasion`` (how abusers disguise it), ``day``,
``everyday`` and ``abuse`` (what they do), ``batch`` and ``writer`` (columns to files),
``simulator`` (the run). ``--texts`` builds the platform from labelled real messages
instead: ``labelled`` (the files), ``labelled_platform`` (who does what with them),
``labelled_simulator`` (the run).
"""

from warden.simulate.evasion import Evasion
from warden.simulate.simulator import SimulationConfig, SimulationResult, simulate

__all__ = ["Evasion", "SimulationConfig", "SimulationResult", "simulate"]
