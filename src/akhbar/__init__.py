"""akhbar: a self-hosted multilingual (Arabic, French, English) news aggregator and portal."""

import sys

# httpx imports its own command-line client whenever rich is installed (akhbar's progress bars use
# it), and with it rich and pygments: about 4 MB and 60 ms in every process that fetches or serves,
# for a client akhbar never runs. A module set to None cannot be imported: httpx then takes its
# "command-line dependencies not installed" branch, and only its ``httpx.main`` says so if called.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None marks a module as absent
