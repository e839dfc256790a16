"""Warta: streaming news-event processor."""
