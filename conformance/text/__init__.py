"""Text that reaches an output: one sanitiser per sink, the one redactor, the pieces of secrets it looks for."""
