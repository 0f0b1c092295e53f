"""`python -m conformance.report` (console script erpsync-report):

  render DIR            write report.html and summary.md from DIR/results.json
  compare DIR...        the vendor matrix: compare.html and compare.md of the newest complete run
                        of each target among the run folders given (or in a folder of runs, such
                        as reports/); --all compares every run given

Exit 0 on success, 2 with one line naming the problem (a missing or invalid results file).
"""

from __future__ import annotations

import argparse
import sys

from conformance.report import compare, render, selection
from conformance.verdict import results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="erpsync-report", description="Render erpsync-conformance results.")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("render", help="report.html and summary.md of one run, from its results.json")
    one.add_argument("folder", help="a run folder under reports/ (or reports/latest)")
    many = commands.add_parser("compare", help="the vendor matrix of several runs, as HTML and Markdown")
    many.add_argument(
        "folders",
        nargs="+",
        metavar="DIR",
        help="run folders, results.json files or folders of runs (reports/): the newest complete "
        "run of each target is a column",
    )
    many.add_argument(
        "--all",
        action="store_true",
        dest="every",
        help="a column for every run given, older, interrupted and dry runs included (history)",
    )
    many.add_argument(
        "--out",
        metavar="DIR",
        help="where to write compare.html and compare.md (default reports/compare-<UTC timestamp>)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "render":
            written = render.render_run(args.folder)
        else:
            chosen = selection.choose(args.folders, args.every)
            written = compare.write_selected(chosen, args.out)
            if chosen.said():
                print(f"erpsync-report: {chosen.said()}", file=sys.stderr)
    except (results.ResultsError, OSError) as problem:
        print(f"erpsync-report: {problem}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
