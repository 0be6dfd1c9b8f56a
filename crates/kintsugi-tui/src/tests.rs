//! Unit tests: keys and state (pure), rendering on TestBackend.
