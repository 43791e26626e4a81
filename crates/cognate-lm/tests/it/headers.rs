//! Headers and a caller's own `reqwest` client: `with_header` and `with_connect_timeout`
//! never silently drop a client given by `with_http_client`, and headers reach the server
//! either way.

use std::time::Duration;

use crate::loopback::serve;
use cognate_core::{LanguageModel, LmRequest, Message};
use cognate_lm::OpenAiClient;

const REPLY: &str = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2},"model":"m"}"#;

fn request() -> LmRequest {
    LmRequest::new(vec![Message::user("hi")])
}

#[tokio::test]
async fn a_callers_client_survives_later_settings_and_headers_reach_the_server() {
    let (url, mut heads) = serve(|_| (200, vec![], REPLY.to_owned())).await;
    let url = format!("{url}/v1");
    let mut defaults = reqwest::header::HeaderMap::new();
    defaults.insert("x-from-custom-client", "yes".parse().unwrap());
    let custom = reqwest::Client::builder().default_headers(defaults).build().unwrap();
    let lm = OpenAiClient::new("m")
        .with_base_url(url)
        .with_header("X-Before", "1")
        .with_http_client(custom)
        .with_header("X-After", "2")
        .with_connect_timeout(Duration::from_secs(3));
    assert_eq!(lm.complete(request()).await.unwrap().choices[0].text, "ok");
    let head = heads.recv().await.unwrap().head;
    // The caller's client was used (its default header is there), and both headers were sent.
    for line in ["x-from-custom-client: yes", "x-before: 1", "x-after: 2"] {
        assert!(head.contains(line), "{line} missing from:\n{head}");
    }
}

#[tokio::test]
async fn headers_are_sent_by_the_built_client_and_bad_ones_are_config_errors() {
    let (url, mut heads) = serve(|_| (200, vec![], REPLY.to_owned())).await;
    let url = format!("{url}/v1");
    let lm = OpenAiClient::new("m").with_base_url(url).with_header("OpenAI-Organization", "org-1");
    lm.complete(request()).await.unwrap();
    lm.complete(request()).await.unwrap();
    for _ in 0..2 {
        assert!(heads.recv().await.unwrap().head.contains("openai-organization: org-1"));
    }
    let bad = lm.with_header("Bad Header", "x");
    let err = bad.complete(request()).await.unwrap_err();
    assert!(
        matches!(&err, cognate_core::LmError::Config(m) if m.contains("invalid header name `Bad Header`")),
        "{err}"
    );
}
