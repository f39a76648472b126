"""The audit trail: an append-only, hash-chained record of everything Warden decides and does.

* :mod:`warden.audit.chain` — canonical encoding, hashes, the verification walk (pure);
* :mod:`warden.audit.log` — appending inside a unit of work, verifying and exporting the
  stored chain (SQL);
* :mod:`warden.audit.offline` — verifying an exported JSONL file with no database.

The format is documented for outside verifiers in ``docs/audit.md``. This package imports
nothing on its own, so the store can use the chain without an import cycle.
"""
