//! When a live test runs, and what it reports when it cannot.
//!
//! | `COGNATE_LIVE_LM` | settings and server | outside CI | `CI=true` |
//! |---|---|---|---|
//! | unset | — | ignored (the lane is off) | fails |
//! | `1` | a variable missing | ignored, naming it | fails, naming it |
//! | `1` | server unreachable | ignored, naming the URL | fails, naming the URL |
//! | `1` | server up | runs | runs |
//!
//! A test that runs has real assertions; a test that cannot run never reports "ok".

use std::future::Future;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use cognate_lm::{
    ENV_BASE_URL, ENV_BASE_URL_LEGACY, ENV_EMBEDDING_MODEL, ENV_MODEL, OpenAiClient, OpenAiEmbeddings, redact_url,
};
use std::sync::Arc;

use cognate_core::{LanguageModelExt, SharedLm};
use cognate_lm::Record;
use libtest_mimic::{Completion, Failed, Trial};

/// The variable that turns the lane on (value `1`).
const LANE: &str = "COGNATE_LIVE_LM";
/// How long the reachability probe waits for a TCP connection.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one chat completion may take (a cold 0.5B model on one thread of a busy machine).
const CHAT_TIMEOUT: Duration = Duration::from_secs(120);

/// The variable naming a cassette to record the chat calls into (`layer::replay::Record`),
/// e.g. `tests/data/live-chat.jsonl`, which `tests/it/live_replay.rs` replays offline.
const RECORD: &str = "COGNATE_LIVE_RECORD";

/// A live test of the chat model: `body` gets a client for it (temperature 0), recording into
/// the cassette `COGNATE_LIVE_RECORD` names, if any.
pub(crate) fn chat<F, Fut>(name: &str, body: F) -> Trial
where
    F: FnOnce(SharedLm) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    trial(name, recorded_chat_client, body)
}

/// A live test of the embedding model: `body` gets a client for it.
pub(crate) fn embeddings<F, Fut>(name: &str, body: F) -> Trial
where
    F: FnOnce(OpenAiEmbeddings) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    trial(name, embeddings_client, body)
}

/// A trial that builds its client with `connect` when it runs, then runs `body` on a
/// current-thread tokio runtime. Panics in `body` are failures (the harness catches them).
fn trial<C: 'static, F, Fut>(name: &str, connect: fn() -> Result<C, String>, body: F) -> Trial
where
    F: FnOnce(C) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    Trial::ignorable_test(name, move || {
        let client = match connect() {
            Ok(client) => client,
            Err(why) if in_ci() => {
                return Err(Failed::from(format!(
                    "{why}; under CI=true a live test that cannot run fails (.ci/run starts scripts/local-lm.sh and \
                     sets {LANE}=1)"
                )));
            }
            Err(why) => return Ok(Completion::ignored_with(why)),
        };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
        runtime.block_on(body(client));
        Ok(Completion::Completed)
    })
}

/// `CI` set to anything but empty, `0` or `false`, as CI services set it.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
}

/// A variable's value, trimmed; empty counts as unset.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The first of `names` that is set, or why the lane cannot run.
fn required(what: &str, names: &[&str]) -> Result<String, String> {
    if var(LANE).as_deref() != Some("1") {
        return Err(format!("the live lane is off: set {LANE}=1 with scripts/local-lm.sh running"));
    }
    names.iter().find_map(|name| var(name)).ok_or_else(|| {
        format!(
            "{LANE}=1 but {} is not set: it names the {what} (`scripts/local-lm.sh start` prints it)",
            names.join(" or ")
        )
    })
}

/// [`chat_client`], recording into the cassette named by `COGNATE_LIVE_RECORD` when set.
fn recorded_chat_client() -> Result<SharedLm, String> {
    let lm = chat_client()?;
    Ok(match var(RECORD) {
        Some(path) => {
            let record = Record::to_file(&path).map_err(|e| format!("{RECORD}: {e}"))?;
            Arc::new(lm.layer(record))
        }
        None => Arc::new(lm),
    })
}

/// The chat model's client, from `OPENAI_BASE_URL` (required: the lane never falls back to a
/// public endpoint), `OPENAI_API_KEY`, and `COGNATE_LM` else `LOCAL_LM_CHAT_MODEL`.
fn chat_client() -> Result<OpenAiClient, String> {
    let base_url = required("chat server's URL", &[ENV_BASE_URL, ENV_BASE_URL_LEGACY])?;
    let model = required("chat model", &[ENV_MODEL, "LOCAL_LM_CHAT_MODEL"])?;
    reachable("chat", &base_url)?;
    let lm = OpenAiClient::from_env_with(|name| if name == ENV_MODEL { Some(model.clone()) } else { var(name) })
        .map_err(|e| format!("the chat client cannot be configured: {e}"))?;
    Ok(lm.with_request_timeout(CHAT_TIMEOUT).with_temperature(0.0))
}

/// The embedding model's client, from `LOCAL_LM_EMBED_URL` and `LOCAL_LM_EMBED_MODEL`.
fn embeddings_client() -> Result<OpenAiEmbeddings, String> {
    let base_url = required("embedding server's URL", &["LOCAL_LM_EMBED_URL"])?;
    let model = required("embedding model", &["LOCAL_LM_EMBED_MODEL"])?;
    reachable("embedding", &base_url)?;
    OpenAiEmbeddings::from_env_with(|name| match name {
        ENV_EMBEDDING_MODEL => Some(model.clone()),
        ENV_BASE_URL => Some(base_url.clone()),
        ENV_BASE_URL_LEGACY => None,
        other => var(other),
    })
    .map_err(|e| format!("the embedding client cannot be configured: {e}"))
}

/// Whether a TCP connection to `url`'s host and port opens (a refused port is the usual
/// sign that the server was not started).
fn reachable(which: &str, url: &str) -> Result<(), String> {
    let unreachable = |why: String| format!("cannot reach the {which} server at {}: {why}", redact_url(url));
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let has_port = host_port
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    let address = if has_port {
        host_port.to_owned()
    } else {
        format!("{host_port}:{}", if scheme == "https" { 443 } else { 80 })
    };
    let addresses = address.to_socket_addrs().map_err(|e| unreachable(e.to_string()))?;
    let mut last = String::from("the host name resolves to no address");
    for addr in addresses {
        match TcpStream::connect_timeout(&addr, PROBE_TIMEOUT) {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
    }
    Err(unreachable(last))
}
