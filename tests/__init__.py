"""tnb's test suite."""
