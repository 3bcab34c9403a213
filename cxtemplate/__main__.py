import sys

from cxtemplate.cli import main

sys.exit(main())
