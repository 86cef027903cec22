"""The ``warning`` command line: commands and their output only.

Commands parse options, open the service context, call jobs (``warning.jobs``) or read
through the domains' services in a session of their own, and print. ``app`` is the entry
point (``warning = "warning.cli:app"``).
"""

from warning.cli.app import app

__all__ = ["app"]
