"""`python -m assistant` is the `crm` command."""

import sys

from assistant.cli import main

sys.exit(main())
