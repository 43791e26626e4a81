//! [`LmOrMock`]: the language model the environment names, else the built-in mock server.

use std::fmt;
use std::sync::Arc;

use cognate_core::{LmError, SharedLm};
use cognate_lm::{ENV_MODEL, OpenAiClient, lm_with, redact_url};

use crate::{MockServer, MockServerConfig};

/// The language model for an example, a demo or a smoke test: the one the environment names,
/// else the built-in [`MockServer`] on 127.0.0.1, reached through the same HTTP client.
///
/// With `COGNATE_LM` set, the LM is the client [`cognate_lm::lm`] makes of that model string
/// (any provider, Anthropic included, with the provider's endpoint and key variables such as
/// `OPENAI_BASE_URL` and `OPENAI_API_KEY`; see `docs/lm.md`). With it unset or empty, a mock
/// server starts on a free port and the LM is an `OpenAiClient` for model `mock-lm` at its
/// URL, so the program runs offline and deterministically, over real HTTP.
///
/// Keep the value alive while the LM is used: dropping it stops the mock server, and the LM's
/// calls then fail with a connection error. Needs the `lm` feature.
///
/// ```
/// use cognate_core::{LmRequest, Message};
/// use cognate_testing::LmOrMock;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), cognate_core::LmError> {
/// // A program writes `LmOrMock::from_env().await?`; here the environment is one with
/// // nothing set, so the mock server answers.
/// let lm = LmOrMock::from_env_with(|_| None).await?;
/// println!("Language model: {lm}");
/// assert!(lm.mock_server().is_some());
///
/// let reply = lm.lm().complete_boxed(LmRequest::new(vec![Message::user("Hello")])).await?;
/// assert!(!reply.choices[0].text.is_empty());
/// # Ok(()) }
/// ```
pub struct LmOrMock {
    lm: SharedLm,
    description: String,
    server: Option<MockServer>,
}

impl LmOrMock {
    /// The model the process environment names, else the mock server; see
    /// [`LmOrMock::from_env_with`].
    ///
    /// # Errors
    /// As [`LmOrMock::from_env_with`].
    ///
    /// # Panics
    /// When it starts the mock server outside a tokio runtime.
    pub async fn from_env() -> Result<Self, LmError> {
        Self::from_env_with(|name| std::env::var(name).ok()).await
    }

    /// The model named by the variables `get` looks up (the environment, or a map in tests),
    /// else the mock server: with `COGNATE_LM` set (not empty), the client
    /// [`cognate_lm::lm_with`] builds from the same variables; otherwise a
    /// [`MockServer`] with the default configuration.
    ///
    /// # Errors
    /// [`LmError::Config`] when `COGNATE_LM` is set but names a provider the client does not
    /// speak; [`LmError::Connection`] when the mock server cannot bind a port.
    ///
    /// # Panics
    /// When it starts the mock server outside a tokio runtime.
    pub async fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Result<Self, LmError> {
        if get(ENV_MODEL).is_some_and(|model| !model.trim().is_empty()) {
            let model = get(ENV_MODEL).unwrap_or_default();
            let client = lm_with(&model, &get).map_err(|e| match e {
                LmError::Config(detail) => LmError::Config(format!("{ENV_MODEL}={}: {detail}", model.trim())),
                other => other,
            })?;
            let description = format!("{} at {}", client.model(), redact_url(client.base_url()));
            return Ok(LmOrMock { lm: Arc::new(client), description, server: None });
        }
        let server = MockServer::start(MockServerConfig::default())
            .await
            .map_err(|e| LmError::Connection(format!("cannot start the mock LM server on 127.0.0.1: {e}")))?;
        let client = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
        let description = format!(
            "the built-in mock LM server at {} (set {ENV_MODEL} to use a real model; see docs/lm.md)",
            server.base_url()
        );
        Ok(LmOrMock { lm: Arc::new(client), description, server: Some(server) })
    }

    /// The language model, to pass to `Settings::with_lm` or a module's `with_lm`.
    pub fn lm(&self) -> SharedLm {
        Arc::clone(&self.lm)
    }

    /// The mock server, when the environment named no model.
    pub fn mock_server(&self) -> Option<&MockServer> {
        self.server.as_ref()
    }
}

/// One line for a program's output: `gpt-4o-mini at https://api.openai.com/v1` (credentials in
/// the URL redacted), or the mock server's URL and how to use a real model instead.
impl fmt::Display for LmOrMock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl fmt::Debug for LmOrMock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LmOrMock")
            .field("model", &self.lm.model_name())
            .field("description", &self.description)
            .field("mock_server", &self.server.as_ref().map(MockServer::base_url))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use cognate_core::{LmRequest, Message};

    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    fn hello() -> LmRequest {
        LmRequest::new(vec![Message::user("Hello")])
    }

    #[tokio::test]
    async fn without_a_model_the_mock_server_answers() {
        for vars in [&[][..], &[("COGNATE_LM", "  "), ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")][..]] {
            let lm = LmOrMock::from_env_with(env(vars)).await.unwrap();
            let server = lm.mock_server().expect("the mock server runs");
            assert_eq!(lm.lm().model_name(), "mock-lm");
            assert!(lm.to_string().starts_with(&format!("the built-in mock LM server at {}", server.base_url())));
            let reply = lm.lm().complete_boxed(hello()).await.unwrap();
            assert!(!reply.choices[0].text.is_empty());
            assert_eq!(server.request_count(), 1, "the call went to this server");
        }
    }

    #[tokio::test]
    async fn a_model_in_the_environment_is_used_over_http() {
        // The environment names a model on a loopback server (as a local llama.cpp would be).
        let server = MockServer::start(MockServerConfig::default()).await.unwrap();
        let base_url = server.base_url().replace("http://", "http://user:secret@");
        let vars = [("COGNATE_LM", "openai/local-model"), ("OPENAI_BASE_URL", base_url.as_str())];
        let lm = LmOrMock::from_env_with(env(&vars)).await.unwrap();
        assert!(lm.mock_server().is_none(), "no mock server of its own");
        assert_eq!(lm.lm().model_name(), "local-model");
        let shown = lm.to_string();
        assert!(shown.starts_with("local-model at http://<redacted>@127.0.0.1:"), "{shown}");
        assert!(!format!("{shown} {lm:?}").contains("secret"));
        lm.lm().complete_boxed(hello()).await.unwrap();
        assert_eq!(server.request_count(), 1, "the call reached the named server");
    }

    #[tokio::test]
    async fn a_model_no_client_speaks_is_a_config_error_and_anthropic_gets_its_own_client() {
        let err = LmOrMock::from_env_with(env(&[("COGNATE_LM", "bedrock/claude")])).await.unwrap_err();
        assert!(matches!(&err, LmError::Config(m) if m.contains("COGNATE_LM=bedrock/claude")), "{err}");
        let lm = LmOrMock::from_env_with(env(&[("COGNATE_LM", "anthropic/claude-x")])).await.unwrap();
        assert!(lm.mock_server().is_none());
        assert_eq!(lm.to_string(), "claude-x at https://api.anthropic.com");
    }
}
