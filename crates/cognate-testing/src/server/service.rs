//! The HTTP side of the mock server: routing, failure injection and the chat-completions
//! handler.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use cognate_core::{LmRequest, Usage};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::{Failure, MockServerConfig};
use super::prompt::{self, Format};
use super::render;
use cognate_core::hash::fnv1a;

/// Counters shared by the server and its handle.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) requests: AtomicU64,
    pub(crate) failures: AtomicU64,
    pub(crate) prompt_tokens: AtomicU64,
    pub(crate) completion_tokens: AtomicU64,
}

/// What every connection task shares.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: MockServerConfig,
    pub(crate) stats: Stats,
}

/// Returned by the service to make hyper close the connection without a response.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("mock server dropped the connection")
    }
}

impl std::error::Error for DropConnection {}

type Reply = Result<Response<Full<Bytes>>, DropConnection>;

/// Routes one request.
pub(crate) async fn handle(req: Request<Incoming>, state: &State) -> Reply {
    match (req.method(), req.uri().path()) {
        (&Method::POST, "/v1/chat/completions" | "/chat/completions") => chat(req, state).await,
        (&Method::GET, "/health") => Ok(json(StatusCode::OK, Bytes::from_static(br#"{"status":"ok"}"#))),
        (&Method::GET, "/v1/models" | "/models") => {
            let body = serde_json::json!({"object": "list", "data": [
                {"id": state.config.model, "object": "model", "created": 0, "owned_by": "cognate"}]});
            Ok(json(StatusCode::OK, Bytes::from(body.to_string())))
        }
        _ => Ok(error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no route for {} {}", req.method(), req.uri().path()),
        )),
    }
}

fn json(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({"error": {"message": message, "type": kind, "code": status.as_u16()}});
    json(status, Bytes::from(body.to_string()))
}

#[derive(Deserialize)]
struct ChatBody<'a> {
    #[serde(borrow)]
    messages: Vec<WireMessage<'a>>,
    #[serde(default, borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(default)]
    n: Option<u32>,
    #[serde(default)]
    response_format: Option<WireFormat>,
}

#[derive(Deserialize)]
struct WireMessage<'a> {
    #[serde(borrow)]
    role: Cow<'a, str>,
    #[serde(default, borrow)]
    content: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct WireFormat {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    json_schema: Option<WireSchema>,
}

#[derive(Deserialize)]
struct WireSchema {
    #[serde(default)]
    schema: Option<Value>,
}

#[derive(Serialize)]
struct ChatResponse<'a> {
    id: String,
    object: &'static str,
    created: u64,
    model: &'a str,
    choices: Vec<ResponseChoice<'a>>,
    usage: WireUsage,
}

/// `usage` in OpenAI's shape, details included (the mock has no prompt cache and no hidden
/// reasoning, so both details are 0, as OpenAI reports them for such calls).
#[derive(Serialize)]
struct WireUsage {
    prompt_tokens: u64,
    completion_tokens: u64,
    total_tokens: u64,
    prompt_tokens_details: PromptDetails,
    completion_tokens_details: CompletionDetails,
}

#[derive(Serialize)]
struct PromptDetails {
    cached_tokens: u64,
}

#[derive(Serialize)]
struct CompletionDetails {
    reasoning_tokens: u64,
}

impl From<Usage> for WireUsage {
    fn from(usage: Usage) -> Self {
        WireUsage {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.total_tokens,
            prompt_tokens_details: PromptDetails { cached_tokens: usage.cached_tokens },
            completion_tokens_details: CompletionDetails { reasoning_tokens: usage.reasoning_tokens },
        }
    }
}

#[derive(Serialize)]
struct ResponseChoice<'a> {
    index: u32,
    message: ResponseMessage<'a>,
    finish_reason: &'static str,
}

#[derive(Serialize)]
struct ResponseMessage<'a> {
    role: &'static str,
    content: &'a str,
}

/// The most choices one request may ask for.
const MAX_CHOICES: u32 = 128;

async fn chat(req: Request<Incoming>, state: &State) -> Reply {
    let index = state.stats.requests.fetch_add(1, Relaxed) + 1;
    if !state.config.latency.is_zero() {
        tokio::time::sleep(state.config.latency).await;
    }
    let body = req.into_body().collect().await.map_err(|_| DropConnection)?.to_bytes();
    if let Some(failure) = state.config.failure.and_then(|plan| plan.failure_for(index)) {
        state.stats.failures.fetch_add(1, Relaxed);
        match failure {
            Failure::Slow { delay_ms } => tokio::time::sleep(Duration::from_millis(delay_ms)).await,
            failure => return inject(failure),
        }
    }
    let parsed: ChatBody<'_> = match serde_json::from_slice(&body) {
        Ok(parsed) => parsed,
        Err(e) => return Ok(error(StatusCode::BAD_REQUEST, "invalid_request_error", &format!("invalid body: {e}"))),
    };
    if parsed.messages.is_empty() {
        return Ok(error(StatusCode::BAD_REQUEST, "invalid_request_error", "`messages` must not be empty"));
    }
    let n = parsed.n.unwrap_or(1).clamp(1, MAX_CHOICES);
    let texts: Vec<String> = match &state.config.reply {
        Some(reply) => match serde_json::from_slice::<LmRequest>(&body) {
            Ok(request) => (0..n).map(|_| reply(&request)).collect(),
            Err(e) => {
                return Ok(error(StatusCode::BAD_REQUEST, "invalid_request_error", &format!("invalid body: {e}")));
            }
        },
        None => derive_replies(&parsed, n),
    };

    let prompt_chars: usize = parsed.messages.iter().map(|m| m.content.as_deref().map_or(0, str::len)).sum();
    let prompt_tokens = approx_tokens(prompt_chars);
    let completion_tokens: u64 = texts.iter().map(|t| approx_tokens(t.len())).sum();
    state.stats.prompt_tokens.fetch_add(prompt_tokens, Relaxed);
    state.stats.completion_tokens.fetch_add(completion_tokens, Relaxed);

    let response = ChatResponse {
        id: format!("chatcmpl-mock-{index}"),
        object: "chat.completion",
        created: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        model: parsed.model.as_deref().unwrap_or(&state.config.model),
        choices: texts
            .iter()
            .zip(0..)
            .map(|(text, index)| ResponseChoice {
                index,
                message: ResponseMessage { role: "assistant", content: text },
                finish_reason: "stop",
            })
            .collect(),
        usage: Usage::new(prompt_tokens, completion_tokens).into(),
    };
    let bytes = serde_json::to_vec(&response).map_err(|_| DropConnection)?;
    Ok(json(StatusCode::OK, Bytes::from(bytes)))
}

/// About four characters per token, at least one token for non-empty text.
fn approx_tokens(chars: usize) -> u64 {
    chars.div_ceil(4) as u64
}

fn derive_replies(body: &ChatBody<'_>, n: u32) -> Vec<String> {
    let content = |role: &str, last: bool| {
        let mut it = body.messages.iter().filter(|m| m.role == role);
        let m = if last { it.next_back() } else { it.next() };
        m.and_then(|m| m.content.as_deref()).unwrap_or("")
    };
    let system = content("system", false);
    let seed = fnv1a(content("user", true).as_bytes());
    let fields = prompt::output_fields(system);
    let format = body.response_format.as_ref().map(|f| f.kind.as_str());
    let json_requested = matches!(format, Some("json_object" | "json_schema"));
    let schema = body.response_format.as_ref().and_then(|f| f.json_schema.as_ref()).and_then(|s| s.schema.as_ref());
    let format = prompt::detect_format(system, fields.first().map(|f| f.name), json_requested);
    let schema = if format == Format::Json { schema } else { None };
    (0..u64::from(n))
        .map(|i| render::reply(&fields, format, seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15), schema))
        .collect()
}

fn inject(failure: Failure) -> Reply {
    match failure {
        Failure::Status429 { retry_after_secs } => {
            let mut resp = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_exceeded",
                &format!("mock rate limit: retry after {retry_after_secs}s"),
            );
            resp.headers_mut().insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(resp)
        }
        Failure::Status500 => {
            Ok(error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "mock internal server error"))
        }
        // `FailurePlan::failure_for` resolves `Mixed` and `OneOf`, and `chat` handles `Slow`;
        // drop if one arrives anyway.
        Failure::DropConnection | Failure::Mixed | Failure::OneOf(_) | Failure::Slow { .. } => Err(DropConnection),
    }
}
