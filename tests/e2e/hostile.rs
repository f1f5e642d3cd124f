//! Hostile input: every file of tests/hostile/ is refused with a clear error, exit 1, and the log unchanged.
