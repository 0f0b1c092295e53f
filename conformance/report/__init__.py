"""Outputs of a run: results.json (results), report.html and summary.md (render), the response-time
picture (chart), and the vendor matrix of several runs (compare). Renderers read results.json only.
"""
