//! The cache key: SHA-256 of the canonical form of a request.

use std::fmt;

use cognate_core::{LmRequest, Message, ResponseFormat};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The version of the canonical form; a change of what goes into the key bumps it, so old
/// entries are misses rather than wrong hits.
const KEY_FORMAT: u32 = 1;

/// What a cache entry is keyed on: the SHA-256 of a request's canonical JSON form.
///
/// The canonical form is a JSON object with fixed fields, in a fixed order, every one present
/// (`null` when unset): the key format's version, the cache's namespace, the model name (the
/// request's `model`, else the wrapped model's name), the messages, then every sampling field of
/// [`LmRequest`] (`temperature` as its IEEE-754 bits, so every distinct value is a distinct
/// key, `max_tokens`, `n`, `stop`, `response_format`, `seed`) and the `rollout_id`. Credentials
/// are never part of it: the [`LanguageModel`](cognate_core::LanguageModel) trait carries none
/// (keys, headers and base URLs live in the client), so two clients of one model name share
/// entries; give each endpoint its own namespace
/// ([`Cache::with_namespace`](super::Cache::with_namespace)) or directory when that is wrong.
///
/// ```
/// use cognate_core::{LmRequest, Message};
/// use cognate_lm::layer::cache::CacheKey;
///
/// let request = LmRequest::new(vec![Message::user("What is 2 + 2?")]);
/// let key = CacheKey::of("", "gpt-4o-mini", &request);
/// assert_eq!(key, CacheKey::of("", "gpt-4o-mini", &request.clone()));
/// assert_eq!(key.to_string().len(), 64); // lowercase hex
/// let mut fresh = request.clone();
/// fresh.rollout_id = Some(1);
/// assert_ne!(key, CacheKey::of("", "gpt-4o-mini", &fresh));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey([u8; 32]);

/// The canonical form that is hashed: fixed fields in a fixed order, none skipped.
#[derive(Serialize)]
struct Canonical<'a> {
    format: u32,
    namespace: &'a str,
    model: &'a str,
    messages: &'a [Message],
    temperature_bits: Option<u32>,
    max_tokens: Option<u32>,
    n: Option<u32>,
    stop: &'a [String],
    response_format: Option<&'a ResponseFormat>,
    seed: Option<u64>,
    rollout_id: Option<u64>,
}

impl CacheKey {
    /// The key of `request` sent to the model named `model` (used when the request names
    /// none), within `namespace` (`""` by default).
    pub fn of(namespace: &str, model: &str, request: &LmRequest) -> CacheKey {
        let canonical = Canonical {
            format: KEY_FORMAT,
            namespace,
            model: request.model.as_deref().unwrap_or(model),
            messages: &request.messages,
            temperature_bits: request.temperature.map(f32::to_bits),
            max_tokens: request.max_tokens,
            n: request.n,
            stop: &request.stop,
            response_format: request.response_format.as_ref(),
            seed: request.seed,
            rollout_id: request.rollout_id,
        };
        let mut hasher = Sha256::new();
        // Serializing these types into a hasher cannot fail: no map has non-string keys and
        // the writer never errors.
        if let Err(e) = serde_json::to_writer(HashWriter(&mut hasher), &canonical) {
            unreachable!("canonical request serialization failed: {e}");
        }
        CacheKey(hasher.finalize().into())
    }

    /// The key's 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Feeds serde_json's output straight into the hasher (no intermediate string).
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Lowercase hex, 64 characters: the form stored on disk and logged.
impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({self})")
    }
}

#[cfg(test)]
mod tests {
    use cognate_core::JsonSchemaFormat;

    use super::*;

    fn base() -> LmRequest {
        LmRequest::new(vec![Message::system("Answer briefly."), Message::user("What is 2 + 2?")])
    }

    fn key(request: &LmRequest) -> String {
        CacheKey::of("", "gpt-4o-mini", request).to_string()
    }

    /// The key of a fixed request, pinned: a change here invalidates every cache on disk, so it
    /// must come with a new `KEY_FORMAT`. The value is the SHA-256 of this canonical form
    /// (checked independently with Python's `hashlib`; 1060320051 is `0.7f32`'s bits):
    /// `{"format":1,"namespace":"","model":"gpt-4o-mini","messages":[{"role":"system","content":"Answer briefly."},{"role":"user","content":"What is 2 + 2?"}],"temperature_bits":1060320051,"max_tokens":256,"n":null,"stop":["\n\n"],"response_format":null,"seed":42,"rollout_id":null}`
    #[test]
    fn the_key_of_a_request_is_stable_across_runs() {
        let mut request = base();
        request.temperature = Some(0.7);
        request.max_tokens = Some(256);
        request.stop = vec!["\n\n".into()];
        request.seed = Some(42);
        assert_eq!(key(&request), "27f4228bda485eb3930e3ff3d4246abb4f88d0760a884b2bd158fcec46b63519");
    }

    /// One change to a request.
    type Change = fn(&mut LmRequest);

    #[test]
    fn every_field_of_the_request_is_part_of_the_key() {
        let reference = key(&base());
        let variants: &[(&str, Change)] = &[
            ("model", |r| r.model = Some("gpt-4o".into())),
            ("message", |r| r.messages[1].content.push('!')),
            ("role", |r| r.messages[0].role = cognate_core::Role::User),
            ("temperature 0", |r| r.temperature = Some(0.0)),
            ("temperature 1", |r| r.temperature = Some(1.0)),
            ("max_tokens", |r| r.max_tokens = Some(1)),
            ("n", |r| r.n = Some(2)),
            ("stop", |r| r.stop = vec!["x".into()]),
            ("response_format", |r| r.response_format = Some(ResponseFormat::JsonObject)),
            ("schema", |r| {
                r.response_format = Some(ResponseFormat::JsonSchema {
                    json_schema: JsonSchemaFormat {
                        name: "x".into(),
                        schema: serde_json::json!({"type": "object"}),
                        strict: true,
                    },
                })
            }),
            ("seed", |r| r.seed = Some(0)),
            ("rollout_id 0", |r| r.rollout_id = Some(0)),
            ("rollout_id 1", |r| r.rollout_id = Some(1)),
        ];
        let mut seen = std::collections::HashSet::from([reference.clone()]);
        for (what, change) in variants {
            let mut request = base();
            change(&mut request);
            assert!(seen.insert(key(&request)), "changing the {what} must change the key");
        }
        // The wrapped model's name counts when the request names none; the namespace counts.
        assert_ne!(CacheKey::of("", "other-model", &base()).to_string(), reference);
        assert_ne!(CacheKey::of("staging", "gpt-4o-mini", &base()).to_string(), reference);
        // A request naming the wrapped model's own name is the same request.
        let mut named = base();
        named.model = Some("gpt-4o-mini".into());
        assert_eq!(key(&named), reference);
    }

    #[test]
    fn message_boundaries_are_part_of_the_key() {
        let one = LmRequest::new(vec![Message::user("ab")]);
        let two = LmRequest::new(vec![Message::user("a"), Message::user("b")]);
        assert_ne!(key(&one), key(&two));
    }
}
