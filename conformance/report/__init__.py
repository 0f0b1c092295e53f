"""Renderers of a run: report.html and summary.md (render), the response-time picture (chart), and
the vendor matrix of several runs (compare). They read results.json (conformance.verdict.results) only.
"""
