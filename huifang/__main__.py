"""`python -m huifang` is the `huifang` command."""

import sys

from huifang.cli import main

sys.exit(main())
