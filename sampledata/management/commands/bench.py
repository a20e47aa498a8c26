"""The benchmark suite (docs/performance.md): `make bench`, `make bench-compare`, `make bench-ci`.

    DJANGO_SETTINGS_MODULE=clinic.settings.bench python manage.py bench --json 10k.json
    python manage.py bench --compare 10k.json 1m.json
    python manage.py bench --ci

The work is in the top-level package bench/; this command only reads the options."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import ci, report
from bench.suite import Options, UnknownScenario, run_suite
from bench.targets import TargetMissing


class Command(BaseCommand):
    help = "Time the hot pages (server time p50/p95, queries, raw SQL time) on the DATABASE_URL database."

    def add_arguments(self, parser):
        parser.add_argument("--iterations", "-k", type=int, default=50, help="timed requests per page (50)")
        parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (5)")
        parser.add_argument("--raw-iterations", type=int, help="raw SQL replays per page (default: --iterations)")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="SCENARIO",
            help="run only this scenario (repeatable), e.g. --only board",
        )
        parser.add_argument("--name-prefix", help="the name prefix searched (default: Kar, a common one)")
        parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
        parser.add_argument(
            "--findings",
            type=Path,
            metavar="PATH",
            help="append a line per page that misses its target (with --compare: R_N) to this file",
        )
        parser.add_argument(
            "--compare",
            nargs=2,
            type=Path,
            metavar=("SMALL.json", "BIG.json"),
            help="print R_N = p50 big / p50 small per page from two JSON files; runs nothing",
        )
        parser.add_argument("--markdown", action="store_true", help="with --compare: print a Markdown table")
        parser.add_argument(
            "--best-of",
            nargs="+",
            type=Path,
            metavar="RUN.json",
            help="merge runs of one database into --json PATH, keeping per page the lowest p50",
        )
        parser.add_argument(
            "--ci",
            action="store_true",
            help="in a throwaway test database: seed two small sizes, run every page a few "
            "times, fail on an error or a query count that changes with the size",
        )
        parser.add_argument("--ci-sizes", default="100,300", help="patients at the two CI sizes (100,300)")

    def handle(self, *args, **options):
        if options["best_of"]:
            if not options["json"]:
                raise CommandError("--best-of needs --json PATH to write the merged run to")
            report.write_json(report.best_of([report.read_json(p) for p in options["best_of"]]), options["json"])
            self.stdout.write(f"Merged {len(options['best_of'])} runs into {options['json']}")
            return None
        if options["compare"]:
            return self._compare(*options["compare"], findings=options["findings"], markdown=options["markdown"])
        if settings.DEBUG:
            raise CommandError(
                "DEBUG is on: the timings would include Django's query log. "
                "Use DJANGO_SETTINGS_MODULE=clinic.settings.bench (make bench does)."
            )
        run_options = Options(
            iterations=options["iterations"],
            warmup=options["warmup"],
            raw_iterations=options["raw_iterations"],
            only=options["only"],
            name_prefix=options["name_prefix"],
        )
        if options["ci"]:
            sizes = [int(n) for n in options["ci_sizes"].split(",")]
            if not ci.run_ci(sizes=sizes, stdout=self.stdout):
                raise CommandError("bench-ci failed")
            return None
        try:
            run = run_suite(run_options)
        except TargetMissing as missing:
            raise CommandError(f"The database lacks what the benchmark needs: {missing}") from None
        except UnknownScenario as unknown:
            raise CommandError(str(unknown)) from None
        self.stdout.write(report.table(run))
        if options["json"]:
            report.write_json(run, options["json"])
            self.stdout.write(f"\nResults written to {options['json']}")
        if options["findings"]:
            self._append(options["findings"], report.findings(run))
        if any(r.error for r in run["results"]):
            raise CommandError("a page failed (see ERROR above)")
        return None

    def _append(self, path: Path, lines: list[str]) -> None:
        with path.open("a") as findings:
            findings.writelines(line + "\n" for line in lines)
        self.stdout.write(f"{len(lines)} finding(s) appended to {path}")

    def _compare(self, small: Path, big: Path, findings: Path | None, markdown: bool):
        small_run, big_run = report.read_json(small), report.read_json(big)
        text, problems = report.compare(small_run, big_run)
        self.stdout.write(report.markdown(small_run, big_run) if markdown else text)
        if findings:
            self._append(findings, report.growth_findings(small_run, big_run))
        if problems:
            sys.exit(1)
