"""The bundled program's entry point: the same ``sradar-desktop`` as a pip installation."""

import sys

from sradar_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
