"""``python -m akhbar`` runs the ``akhbar`` command."""

from akhbar.cli import main

main()
