"""The quiz domain: bank, grading, selection, schedules, scoring; no telegram, no SQL."""
