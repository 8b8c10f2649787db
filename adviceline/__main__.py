"""`python -m adviceline` runs the command-line interface."""

from __future__ import annotations

from adviceline.cli import main

raise SystemExit(main())
