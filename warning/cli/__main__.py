"""``python -m warning.cli``: the same as the ``warning`` command."""

from warning.cli import main

main()
