//! Integration tests: the real HTTP client against loopback servers.
