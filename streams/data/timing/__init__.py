"""Lexicons, patterns and time zones for streams.timing (data only)."""
