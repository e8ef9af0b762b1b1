"""``python -m api.cli``: the same as the ``hmic-kg`` console script."""

from api.cli import main

main()
