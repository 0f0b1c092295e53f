"""The benchmark of issue 6: `make bench` or `python bench/run.py --help`."""
