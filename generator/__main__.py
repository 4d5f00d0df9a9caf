"""``python -m generator`` is ``runcomfy-codegen``."""

from generator.cli import main

raise SystemExit(main())
