//! Unit tests of the scanners (exact values).
