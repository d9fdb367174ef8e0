"""Question banks: questions and their versions, laws, the type registry, import and export."""
