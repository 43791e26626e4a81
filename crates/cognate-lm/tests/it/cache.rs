//! The cache layer in front of the real HTTP client and the loopback mock server: hits never
//! reach the server, errors are not cached, rollout ids make fresh calls and never go on the
//! wire. (`disk_cache.rs` checks the disk tier across processes.)

use std::sync::{Arc, Mutex};

use cognate_core::{LanguageModel, LanguageModelExt, LmRequest, Message};
use cognate_lm::{Cache, OpenAiClient, Rollout, UsageTracker};
use cognate_testing::{Failure, MockServer, MockServerConfig};

fn ask(question: &str) -> LmRequest {
    LmRequest::new(vec![Message::user(question)])
}

#[tokio::test]
async fn hits_never_reach_the_server_and_errors_are_not_cached() {
    // Every second request fails with a 500.
    let server = MockServer::start(
        MockServerConfig::default()
            .with_fail_every(2, Failure::Status500)
            .with_reply(|r| format!("re: {}", r.messages[0].content)),
    )
    .await
    .unwrap();
    let usage = UsageTracker::new();
    let lm =
        OpenAiClient::new("mock-lm").with_base_url(server.base_url()).layer(Cache::memory(100)).layer(usage.clone());

    let first = lm.complete(ask("a")).await.unwrap(); // request 1
    assert!(!first.cache_hit);
    for _ in 0..5 {
        let hit = lm.complete(ask("a")).await.unwrap();
        assert!(hit.cache_hit);
        assert_eq!(hit.choices, first.choices);
    }
    assert_eq!(server.request_count(), 1);

    let failed = lm.complete(ask("b")).await.unwrap_err(); // request 2: a 500
    assert_eq!(failed.status(), Some(500));
    let fresh = lm.complete(ask("b")).await.unwrap(); // request 3: not a hit
    assert!(!fresh.cache_hit);
    assert_eq!(fresh.choices[0].text, "re: b");
    assert_eq!(server.request_count(), 3);

    let seen = usage.snapshot();
    assert_eq!((seen.calls, seen.errors, seen.cache_hits), (8, 1, 5));
    assert_eq!(seen.total_tokens, first.usage.total_tokens + fresh.usage.total_tokens);
    assert_eq!(seen.cache_hit_tokens, 5 * first.usage.total_tokens);
    server.shutdown().await;
}

#[tokio::test]
async fn rollouts_reach_the_server_without_their_rollout_id() {
    let received = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&received);
    let server = MockServer::start(MockServerConfig::default().with_reply(move |r| {
        seen.lock().unwrap().push((r.rollout_id, r.temperature));
        "ok".into()
    }))
    .await
    .unwrap();
    let client = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let lm = client.layer(Cache::memory(100)).layer(Rollout);
    for _ in 0..3 {
        assert!(!lm.complete(ask("q")).await.unwrap().cache_hit);
    }
    // An explicit rollout id is an ordinary cache key: the second call is a hit.
    let mut pinned = ask("q");
    pinned.rollout_id = Some(5);
    lm.complete(pinned.clone()).await.unwrap();
    assert!(lm.complete(pinned).await.unwrap().cache_hit);
    assert_eq!(server.request_count(), 4);
    // The server parsed each body as an `LmRequest`: no rollout id was sent.
    assert_eq!(*received.lock().unwrap(), vec![(None, Some(1.0)); 4]);
    server.shutdown().await;
}
