//! Integration tests: the real HTTP client against loopback servers.

mod architecture;
mod end_to_end;
mod live_replay;
mod lm_client;
mod lm_spans;
mod mock_server;
mod predict;
mod program;
mod signature;
mod state;
mod variables;
