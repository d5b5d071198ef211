"""``python -m bench [--scales 200 2000] [--repeat 7] [--only TEXT]``, as ``manage.py bench``."""

import os
import sys

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from bench.management.commands.bench import Command

    # argv[0] only names the program in --help: "python -m bench".
    Command().run_from_argv(["python -m", "bench", *sys.argv[1:]])


if __name__ == "__main__":
    main()
