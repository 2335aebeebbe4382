"""Reliability tests: faults injected into collection, readers and writers at once, bad input fuzzed."""
