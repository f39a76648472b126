"""``python -m warden`` runs the ``warden`` command."""

from warden.cli.app import main

main()
