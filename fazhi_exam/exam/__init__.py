"""Exams: definitions, paper assembly, attempts (a state machine), timing, grading, results."""
