//! Test-only package; see `ui/` and `it/`.
