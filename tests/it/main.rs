//! Integration tests: the real HTTP client against loopback servers.

mod live;
mod lm_client;
mod mock_server;
mod predict;
mod signature;
