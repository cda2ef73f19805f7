"""``python -m api.cli``: the same command line as the ``jinlin`` script."""

from api.cli.main import main

raise SystemExit(main())
