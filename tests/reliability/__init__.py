"""Reliability suite: bad input, faults, security and properties, end to end where possible."""
