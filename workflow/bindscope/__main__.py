"""Entry point for ``python -m bindscope``."""

from bindscope.cli import main

raise SystemExit(main())
