//! Shared set-up for the examples: a real LM when `COGNATE_LM` is set, otherwise the
//! built-in mock server on 127.0.0.1, reached through the same HTTP client.

use std::sync::Arc;

use cognate::SharedLm;
use cognate_lm::OpenAiClient;
use cognate_testing::{MockServer, MockServerConfig};

/// The LM an example runs on. Keep it alive for as long as the LM is used: dropping it
/// stops the mock server.
pub struct Connection {
    /// The language model.
    pub lm: SharedLm,
    /// A one-line description for the example's output.
    pub description: String,
    _server: Option<MockServer>,
}

/// Connects to the LM named by `COGNATE_LM` (with `OPENAI_BASE_URL` and `OPENAI_API_KEY`;
/// see docs/lm.md), or starts the mock server when `COGNATE_LM` is unset.
///
/// # Errors
/// When `COGNATE_LM` is set but invalid, or the mock server cannot bind a port.
pub async fn connect() -> anyhow::Result<Connection> {
    if std::env::var_os(cognate_lm::ENV_MODEL).is_some_and(|v| !v.is_empty()) {
        let client = OpenAiClient::from_env()?;
        let description = format!("{} at {}", client.model(), cognate_lm::redact_url(client.base_url()));
        return Ok(Connection { lm: Arc::new(client), description, _server: None });
    }
    let server = MockServer::start(MockServerConfig::default()).await?;
    let client = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let description = format!(
        "the built-in mock LM server at {} (set COGNATE_LM to use a real model; see docs/lm.md)",
        server.base_url()
    );
    Ok(Connection { lm: Arc::new(client), description, _server: Some(server) })
}
