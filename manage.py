#!/usr/bin/env python
"""Django's command-line utility for Kita-Portal."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line

    from portal.env import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as error:
        sys.exit(f"Configuration error: {error}")


if __name__ == "__main__":
    main()
