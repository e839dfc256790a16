"""Monitoring core: per-worker windows, their cluster-wide merge, latencies and readiness (no Kafka here)."""
