//! Model strings: `openai/gpt-4o-mini`, `anthropic/claude-sonnet-4-5`, `groq/llama-3.1-8b-instant`,
//! `ollama/llama3.2`, ... resolved to a client, a base URL and an API-key variable, with
//! LiteLLM's provider names so that DSPy users' model strings work unchanged.

use std::future::Future;

use cognate_core::{LanguageModel, LmError, LmRequest, LmResponse};
use futures::future::Either;

use crate::anthropic::AnthropicClient;
use crate::client::OpenAiClient;

/// The wire protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// OpenAI's chat completions ([`OpenAiClient`]).
    OpenAi,
    /// Anthropic's Messages API ([`AnthropicClient`]).
    Anthropic,
}

/// A provider and how to reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    /// The prefix before the first `/` of a model string (`groq` in `groq/llama-3.1-8b-instant`).
    pub name: &'static str,
    /// Other prefixes LiteLLM (and so DSPy) accepts for it (`ollama_chat` for `ollama`).
    pub aliases: &'static [&'static str],
    /// The endpoint's base URL, when the provider has a fixed one.
    pub base_url: Option<&'static str>,
    /// Variables that override the base URL, first set wins.
    pub base_url_vars: &'static [&'static str],
    /// The variable holding the API key, when the provider needs one.
    pub api_key_var: Option<&'static str>,
    /// The protocol its endpoint speaks.
    pub protocol: Protocol,
}

/// The providers a model string may name. Text before the first `/` that is not one of these
/// (or an alias) is part of the model name: `meta-llama/Llama-3.1-8B-Instruct` is a model
/// served by whatever `OPENAI_BASE_URL` points at, as before.
pub const PROVIDERS: &[Provider] = &[
    Provider {
        name: "openai",
        aliases: &[],
        base_url: Some("https://api.openai.com/v1"),
        base_url_vars: &["OPENAI_BASE_URL", "OPENAI_API_BASE"],
        api_key_var: Some("OPENAI_API_KEY"),
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "anthropic",
        aliases: &[],
        base_url: Some(crate::anthropic::ANTHROPIC_BASE_URL),
        base_url_vars: &["ANTHROPIC_BASE_URL", "ANTHROPIC_API_BASE"],
        api_key_var: Some("ANTHROPIC_API_KEY"),
        protocol: Protocol::Anthropic,
    },
    Provider {
        name: "ollama",
        aliases: &["ollama_chat"],
        base_url: Some("http://localhost:11434/v1"),
        base_url_vars: &["OLLAMA_API_BASE"],
        api_key_var: None,
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "vllm",
        aliases: &["hosted_vllm"],
        base_url: None,
        base_url_vars: &["HOSTED_VLLM_API_BASE", "VLLM_API_BASE"],
        api_key_var: Some("HOSTED_VLLM_API_KEY"),
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "local",
        aliases: &[],
        base_url: Some("http://127.0.0.1:18080/v1"),
        base_url_vars: &["OPENAI_BASE_URL", "OPENAI_API_BASE"],
        api_key_var: None,
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "openrouter",
        aliases: &[],
        base_url: Some("https://openrouter.ai/api/v1"),
        base_url_vars: &["OPENROUTER_API_BASE"],
        api_key_var: Some("OPENROUTER_API_KEY"),
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "gemini",
        aliases: &[],
        base_url: Some("https://generativelanguage.googleapis.com/v1beta/openai"),
        base_url_vars: &["GEMINI_API_BASE"],
        api_key_var: Some("GEMINI_API_KEY"),
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "groq",
        aliases: &[],
        base_url: Some("https://api.groq.com/openai/v1"),
        base_url_vars: &["GROQ_API_BASE"],
        api_key_var: Some("GROQ_API_KEY"),
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "deepseek",
        aliases: &[],
        base_url: Some("https://api.deepseek.com/v1"),
        base_url_vars: &["DEEPSEEK_API_BASE"],
        api_key_var: Some("DEEPSEEK_API_KEY"),
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "together_ai",
        aliases: &[],
        base_url: Some("https://api.together.xyz/v1"),
        base_url_vars: &["TOGETHERAI_API_BASE"],
        api_key_var: Some("TOGETHERAI_API_KEY"),
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "mistral",
        aliases: &[],
        base_url: Some("https://api.mistral.ai/v1"),
        base_url_vars: &["MISTRAL_API_BASE"],
        api_key_var: Some("MISTRAL_API_KEY"),
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "xai",
        aliases: &[],
        base_url: Some("https://api.x.ai/v1"),
        base_url_vars: &["XAI_API_BASE"],
        api_key_var: Some("XAI_API_KEY"),
        protocol: Protocol::OpenAi,
    },
    Provider {
        name: "fireworks_ai",
        aliases: &[],
        base_url: Some("https://api.fireworks.ai/inference/v1"),
        base_url_vars: &["FIREWORKS_AI_API_BASE"],
        api_key_var: Some("FIREWORKS_AI_API_KEY"),
        protocol: Protocol::OpenAi,
    },
];

/// Prefixes of providers that do not speak the OpenAI protocol and have no client here yet.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("vertex_ai", "Vertex AI"),
    ("bedrock", "AWS Bedrock"),
    ("cohere", "Cohere"),
    ("azure", "Azure OpenAI (deployment URLs)"),
];

impl Provider {
    /// The provider a model string's prefix names (by name or alias).
    pub fn named(prefix: &str) -> Option<&'static Provider> {
        PROVIDERS.iter().find(|p| p.name == prefix || p.aliases.contains(&prefix))
    }
}

/// A model string resolved against the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSpec {
    /// The provider (`openai` when the string names none).
    pub provider: &'static Provider,
    /// The model name sent to the server (the string without its provider prefix).
    pub model: String,
    /// The endpoint's base URL.
    pub base_url: String,
    /// The API key, when the provider's key variable is set.
    pub api_key: Option<String>,
}

impl ModelSpec {
    /// Resolves `spec` with variables looked up by `get` (empty values count as unset).
    ///
    /// # Errors
    /// [`LmError::Config`] when the string is empty, names a provider but no model, names a
    /// provider with no client here (`anthropic/...`, `bedrock/...`), or names one with no
    /// fixed endpoint (`vllm/...`) while its base-URL variable is unset.
    pub fn resolve(spec: &str, get: impl Fn(&str) -> Option<String>) -> Result<Self, LmError> {
        let get = |name: &str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(LmError::Config("the model string is empty; write e.g. `openai/gpt-4o-mini`".into()));
        }
        let (provider, model) = match spec.split_once('/') {
            Some((prefix, rest)) => {
                if let Some((_, what)) = UNSUPPORTED.iter().find(|(name, _)| *name == prefix) {
                    return Err(LmError::Config(format!(
                        "`{spec}`: {what} is not supported yet; reach the model through an OpenAI-compatible \
                         gateway (e.g. `openrouter/{rest}`) or a server's `/v1` endpoint"
                    )));
                }
                match Provider::named(prefix) {
                    Some(provider) => (provider, rest),
                    None => (&PROVIDERS[0], spec),
                }
            }
            None => (&PROVIDERS[0], spec),
        };
        if model.trim().is_empty() {
            return Err(LmError::Config(format!("`{spec}` names no model after `{}/`", provider.name)));
        }
        let base_url = provider
            .base_url_vars
            .iter()
            .find_map(|var| get(var))
            .or_else(|| provider.base_url.map(str::to_owned))
            .ok_or_else(|| {
                LmError::Config(format!(
                    "`{spec}`: provider `{}` has no default endpoint; set {}",
                    provider.name,
                    provider.base_url_vars.join(" or ")
                ))
            })?;
        let api_key = provider.api_key_var.and_then(get);
        Ok(ModelSpec { provider, model: model.to_owned(), base_url, api_key })
    }

    /// The client for this model.
    pub fn client(&self) -> Client {
        match self.provider.protocol {
            Protocol::OpenAi => {
                let client = OpenAiClient::new(self.model.clone()).with_base_url(self.base_url.clone());
                Client::OpenAi(match &self.api_key {
                    Some(key) => client.with_api_key(key.clone()),
                    None => client,
                })
            }
            Protocol::Anthropic => {
                let client = AnthropicClient::new(self.model.clone()).with_base_url(self.base_url.clone());
                Client::Anthropic(match &self.api_key {
                    Some(key) => client.with_api_key(key.clone()),
                    None => client,
                })
            }
        }
    }
}

/// The client a model string resolves to: one type for every provider, so a program can be
/// written once and pointed at any model with `COGNATE_LM` or [`lm`].
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant, reason = "built once per program; boxing would cost a pointer chase per call")]
pub enum Client {
    /// An OpenAI-compatible endpoint.
    OpenAi(OpenAiClient),
    /// Anthropic's Messages API.
    Anthropic(AnthropicClient),
}

impl Client {
    /// The default model name.
    pub fn model(&self) -> &str {
        match self {
            Client::OpenAi(c) => c.model(),
            Client::Anthropic(c) => c.model(),
        }
    }

    /// The endpoint's base URL.
    pub fn base_url(&self) -> &str {
        match self {
            Client::OpenAi(c) => c.base_url(),
            Client::Anthropic(c) => c.base_url(),
        }
    }

    /// Whether an API key is set.
    pub fn has_api_key(&self) -> bool {
        match self {
            Client::OpenAi(c) => c.has_api_key(),
            Client::Anthropic(c) => c.has_api_key(),
        }
    }
}

impl LanguageModel for Client {
    fn complete(&self, request: LmRequest) -> impl Future<Output = Result<LmResponse, LmError>> + Send {
        // No boxing: one future type with the client's future in either arm.
        match self {
            Client::OpenAi(c) => Either::Left(c.complete(request)),
            Client::Anthropic(c) => Either::Right(c.complete(request)),
        }
    }

    fn model_name(&self) -> &str {
        self.model()
    }

    fn supports_json_schema(&self) -> bool {
        match self {
            Client::OpenAi(c) => c.supports_json_schema(),
            Client::Anthropic(c) => c.supports_json_schema(),
        }
    }
}

/// The client for a model string, with its endpoint and key from the process environment:
/// `lm("openai/gpt-4o-mini")`, `lm("groq/llama-3.1-8b-instant")`, `lm("ollama/llama3.2")`,
/// `lm("local/qwen")`, `lm("anthropic/claude-sonnet-4-5")`. See [`PROVIDERS`] for the prefixes, their endpoints and key variables
/// (LiteLLM's names); a string without a known prefix is an OpenAI model name, or a model of
/// the server `OPENAI_BASE_URL` points at.
///
/// ```
/// let lm = cognate_lm::lm_with("groq/llama-3.1-8b-instant", |var| {
///     (var == "GROQ_API_KEY").then(|| "gsk-test".to_string())
/// })?;
/// assert_eq!(lm.model(), "llama-3.1-8b-instant");
/// assert_eq!(lm.base_url(), "https://api.groq.com/openai/v1");
/// assert!(lm.has_api_key());
/// # Ok::<(), cognate_core::LmError>(())
/// ```
///
/// # Errors
/// As [`ModelSpec::resolve`].
pub fn lm(spec: &str) -> Result<Client, LmError> {
    lm_with(spec, |name| std::env::var(name).ok())
}

/// [`lm`] with variables looked up by `get` (the environment, or a map in tests).
///
/// # Errors
/// As [`ModelSpec::resolve`].
pub fn lm_with(spec: &str, get: impl Fn(&str) -> Option<String>) -> Result<Client, LmError> {
    Ok(ModelSpec::resolve(spec, get)?.client())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn resolve(spec: &str, vars: &[(&str, &str)]) -> Result<ModelSpec, LmError> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        ModelSpec::resolve(spec, |k| map.get(k).map(|v| v.to_string()))
    }

    #[test]
    fn every_provider_resolves_its_endpoint_and_key() {
        for provider in PROVIDERS {
            let spec = format!("{}/some-model", provider.name);
            let mut vars = vec![];
            if provider.base_url.is_none() {
                vars.push((provider.base_url_vars[0], "http://10.0.0.1:8000/v1"));
            }
            if let Some(key) = provider.api_key_var {
                vars.push((key, "secret"));
            }
            let resolved = resolve(&spec, &vars).unwrap();
            assert_eq!(resolved.provider.name, provider.name);
            assert_eq!(resolved.model, "some-model");
            assert_eq!(resolved.base_url, provider.base_url.unwrap_or("http://10.0.0.1:8000/v1"));
            assert_eq!(resolved.api_key.is_some(), provider.api_key_var.is_some(), "{}", provider.name);
        }
    }

    #[test]
    fn aliases_overrides_and_unprefixed_names() {
        let s = resolve("ollama_chat/llama3.2", &[]).unwrap();
        assert_eq!(
            (s.provider.name, s.model.as_str(), s.base_url.as_str()),
            ("ollama", "llama3.2", "http://localhost:11434/v1")
        );
        let s = resolve("ollama/llama3.2", &[("OLLAMA_API_BASE", "http://gpu:11434/v1")]).unwrap();
        assert_eq!(s.base_url, "http://gpu:11434/v1");
        // No known prefix: the whole string is the model, served where OPENAI_BASE_URL says.
        let s = resolve("meta-llama/Llama-3.1-8B-Instruct", &[("OPENAI_BASE_URL", "http://vllm:8000/v1")]).unwrap();
        assert_eq!(
            (s.provider.name, s.model.as_str(), s.base_url.as_str()),
            ("openai", "meta-llama/Llama-3.1-8B-Instruct", "http://vllm:8000/v1")
        );
        // OpenRouter model names keep their own slashes.
        let s = resolve("openrouter/anthropic/claude-sonnet-4.5", &[]).unwrap();
        assert_eq!(s.model, "anthropic/claude-sonnet-4.5");
        // Another provider's key is never sent.
        let s = resolve("groq/llama-3.1-8b-instant", &[("OPENAI_API_KEY", "sk-openai")]).unwrap();
        assert_eq!(s.api_key, None);
        let s = resolve("local/qwen", &[]).unwrap();
        assert_eq!(s.base_url, "http://127.0.0.1:18080/v1");
        // Anthropic speaks its own protocol.
        let s = resolve("anthropic/claude-sonnet-4-5", &[("ANTHROPIC_API_KEY", "sk-ant")]).unwrap();
        assert!(matches!(s.client(), Client::Anthropic(c) if c.model() == "claude-sonnet-4-5" && c.has_api_key()));
    }

    #[test]
    fn bad_strings_are_config_errors_that_say_what_to_do() {
        let message = |spec: &str, vars: &[(&str, &str)]| match resolve(spec, vars) {
            Err(LmError::Config(message)) => message,
            other => panic!("{spec}: expected a config error, got {other:?}"),
        };
        assert!(message("", &[]).contains("empty"));
        assert!(message("groq/", &[]).contains("names no model after `groq/`"));
        assert!(message("vllm/qwen", &[]).contains("set HOSTED_VLLM_API_BASE or VLLM_API_BASE"));
        let m = message("bedrock/anthropic.claude-v2", &[]);
        assert!(m.contains("AWS Bedrock is not supported yet"), "{m}");
        assert!(m.contains("openrouter/anthropic.claude-v2"), "{m}");
    }
}
