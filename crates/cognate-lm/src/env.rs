//! Reading an [`OpenAiClient`]'s configuration from environment variables.

use cognate_core::LmError;

use crate::client::OpenAiClient;
use crate::provider::ModelSpec;

/// The variable naming the model: `gpt-4o-mini` or `openai/gpt-4o-mini`.
pub const ENV_MODEL: &str = "COGNATE_LM";
/// The variable holding the API base URL (ending in `/v1` for most servers).
pub const ENV_BASE_URL: &str = "OPENAI_BASE_URL";
/// A legacy spelling of [`ENV_BASE_URL`], read only when that one is unset.
pub const ENV_BASE_URL_LEGACY: &str = "OPENAI_API_BASE";
/// The variable holding the API key, sent as a bearer token.
pub const ENV_API_KEY: &str = "OPENAI_API_KEY";

impl OpenAiClient {
    /// A client configured from the process environment; see [`OpenAiClient::from_env_with`].
    ///
    /// # Errors
    /// [`LmError::Config`] when `COGNATE_LM` is unset or names another provider.
    pub fn from_env() -> Result<Self, LmError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// A client configured from variables looked up with `get` (the environment, or a map in
    /// tests). Empty values count as unset.
    ///
    /// * model: `COGNATE_LM` (required), a model string as [`lm`](crate::lm) reads it: a known
    ///   provider prefix (`openai/`, `groq/`, `ollama/`, `local/`, ...; see
    ///   [`PROVIDERS`](crate::PROVIDERS)) picks the endpoint and key variable; any other text
    ///   is the model name as is, so `meta-llama/Llama-3.1-8B-Instruct` works for vLLM.
    /// * base URL, for `openai/` and unprefixed names: `OPENAI_BASE_URL`, else
    ///   `OPENAI_API_BASE`, else `https://api.openai.com/v1`; other providers read their own
    ///   variables.
    /// * API key: `OPENAI_API_KEY` (or the provider's variable), else none (local servers
    ///   usually need none).
    ///
    /// # Errors
    /// [`LmError::Config`] when the model is missing or the model string cannot be resolved
    /// ([`ModelSpec::resolve`](crate::ModelSpec::resolve)).
    pub fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Result<Self, LmError> {
        let model = get(ENV_MODEL).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).ok_or_else(|| {
            LmError::Config(format!("{ENV_MODEL} is not set; set it to a model name such as `openai/gpt-4o-mini`"))
        })?;
        let spec = ModelSpec::resolve(&model, &get).map_err(|e| match e {
            LmError::Config(detail) => LmError::Config(format!("{ENV_MODEL}={model}: {detail}")),
            other => other,
        })?;
        match spec.client() {
            crate::Client::OpenAi(client) => Ok(client),
            crate::Client::Anthropic(_) => Err(LmError::Config(format!(
                "{ENV_MODEL}={model} names an Anthropic model, which speaks its own protocol: build it with \
                 `cognate_lm::lm` (or `AnthropicClient`), which returns a client for either protocol"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<OpenAiClient, LmError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        OpenAiClient::from_env_with(|k| map.get(k).cloned())
    }

    #[test]
    fn model_prefix_and_defaults() {
        let c = from(&[("COGNATE_LM", "openai/gpt-4o-mini")]).unwrap();
        assert_eq!(c.model(), "gpt-4o-mini");
        assert_eq!(c.base_url(), "https://api.openai.com/v1");
        assert!(!c.has_api_key());

        let c = from(&[("COGNATE_LM", "meta-llama/Llama-3.1-8B-Instruct")]).unwrap();
        assert_eq!(c.model(), "meta-llama/Llama-3.1-8B-Instruct");
    }

    #[test]
    fn base_url_precedence_and_key() {
        let c = from(&[
            ("COGNATE_LM", "qwen"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:18080/v1/"),
            ("OPENAI_API_BASE", "http://ignored/v1"),
            ("OPENAI_API_KEY", "sk-secret"),
        ])
        .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:18080/v1");
        assert!(c.has_api_key());
        let c =
            from(&[("COGNATE_LM", "qwen"), ("OPENAI_BASE_URL", " "), ("OPENAI_API_BASE", "http://legacy/v1")]).unwrap();
        assert_eq!(c.base_url(), "http://legacy/v1");
    }

    #[test]
    fn credentials_in_the_base_url_are_redacted_in_debug() {
        let c = from(&[("COGNATE_LM", "qwen"), ("OPENAI_BASE_URL", "http://u:sk-env-secret@h:1/v1")]).unwrap();
        let text = format!("{c:?}");
        assert!(!text.contains("sk-env-secret") && text.contains("http://<redacted>@h:1/v1"), "{text}");
    }

    #[test]
    fn missing_or_foreign_model_is_a_config_error() {
        assert!(matches!(from(&[]), Err(LmError::Config(m)) if m.contains("COGNATE_LM is not set")));
        assert!(matches!(from(&[("COGNATE_LM", "")]), Err(LmError::Config(_))));
        assert!(matches!(from(&[("COGNATE_LM", "openai/")]), Err(LmError::Config(m)) if m.contains("names no model")));
        assert!(
            matches!(from(&[("COGNATE_LM", "bedrock/claude")]), Err(LmError::Config(m)) if m.contains("COGNATE_LM=bedrock/claude") && m.contains("not supported yet"))
        );
        assert!(
            matches!(from(&[("COGNATE_LM", "anthropic/claude")]), Err(LmError::Config(m)) if m.contains("COGNATE_LM=anthropic/claude") && m.contains("names an Anthropic model"))
        );
    }
}
