import sys

from xfilter.cli import main

sys.exit(main())
