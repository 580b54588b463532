"""Pytest fixtures for real PostgreSQL and a real Kafka-protocol broker (plugin ``servicekit``)."""
