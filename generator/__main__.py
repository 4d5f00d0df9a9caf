"""``python -m generator`` is ``runcomfy-codegen``."""

from .cli import main

raise SystemExit(main())
