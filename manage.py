#!/usr/bin/env python
from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "optout.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad or missing setting: the operator needs its name, not a traceback.
        sys.stderr.write(f"Configuration error: {exc}\n(.env.example explains every setting.)\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
