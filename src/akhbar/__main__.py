"""``python -m akhbar`` runs the ``akhbar`` command."""

from akhbar.cli import main

if __name__ == "__main__":  # a spawned embedding process imports this module too (akhbar.stories.processes)
    main()
