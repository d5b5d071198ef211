import signal
import sys

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from bench import runner


class Command(BaseCommand):
    help = (
        "Builds synthetic data at each scale in a throwaway copy of the configured database and "
        "prints, per registered page and job, the query count and median time (bench/README.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scales",
            nargs="+",
            type=int,
            default=list(runner.DEFAULT_SCALES),
            metavar="N",
            help="rows of each entry's main object; the ratio compares the first and the last "
            "(default: %(default)s)",
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=runner.DEFAULT_REPEAT,
            help="timed requests per entry and scale, after one warm-up (default: %(default)s)",
        )
        parser.add_argument(
            "--only", metavar="TEXT", help="measure only the entries whose name contains TEXT"
        )

    def handle(self, *args, scales, repeat, only, **options):
        if repeat < 1 or any(scale < 1 for scale in scales):
            raise CommandError("--repeat and --scales take positive integers.")
        # SIGTERM (a killed CI job, docker stop) would skip the `finally` that drops the
        # throwaway database; turning it into SystemExit runs it.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        # The bench builds and measures every centre of its throwaway database; the pages it
        # requests open their own scope through the middleware, as in production.
        with scopes_disabled():
            report = runner.run(
                scales=scales,
                repeat=repeat,
                only=only,
                out=self.stdout,
                log=lambda line: self.stderr.write(f"  {line}"),
            )
        if not report.rows:
            raise CommandError(f"No registered page or job matches {only!r}.")
