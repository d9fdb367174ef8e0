"""The statistics tests use `sit` from tests/exam_fixtures.py (take an exam with n right answers)."""
