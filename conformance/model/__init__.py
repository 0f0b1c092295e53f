"""The model of a conformant server: what it answers (oracle), a drawn case and what it may get, Hypothesis strategies."""
