"""Resilience and security tests (issue 7): hostile inputs, faults and load, with nothing lost."""
