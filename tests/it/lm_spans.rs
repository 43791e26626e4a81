//! One `tracing` span per LM call, with OpenTelemetry GenAI field names: a module's call
//! through the real client is its `lm_call` span alone (the client records into it), and a
//! direct client call is the client's `lm.complete` span alone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cognate::core::{LanguageModelExt, LmRequest, Message};
use cognate::lm::{Cache, ModelPrice, OpenAiClient, PriceTable, Retry, UsageTracker};
use cognate::prelude::*;
use cognate_testing::{Failure, MockServer, MockServerConfig};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Answer a question.
#[signature]
struct Qa {
    #[input]
    question: String,
    #[output]
    answer: String,
}

/// A span's target, name and fields.
type SpanRecord = (String, String, HashMap<String, String>);

/// A `tracing-subscriber` layer recording every span's target, name and fields, in creation
/// order; over the registry, which tracks the current span as `fmt` does.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<SpanRecord>>>);

/// A span's index in [`Spans`], kept in the registry's span extensions.
struct Index(usize);

struct Fields<'a>(&'a mut HashMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &tracing::span::Attributes<'_>, id: &tracing::span::Id, ctx: Context<'_, S>) {
        let mut fields = HashMap::new();
        attrs.record(&mut Fields(&mut fields));
        let meta = attrs.metadata();
        let mut spans = self.0.lock().unwrap();
        spans.push((meta.target().to_string(), meta.name().to_string(), fields));
        ctx.span(id).expect("a new span").extensions_mut().insert(Index(spans.len() - 1));
    }
    fn on_record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).expect("a live span");
        if let Some(Index(i)) = span.extensions().get::<Index>() {
            values.record(&mut Fields(&mut self.0.lock().unwrap()[*i].2));
        }
    }
}

impl Spans {
    /// `(name, fields)` of every span on target `cognate::lm`, in creation order.
    fn lm_spans(&self) -> Vec<(String, HashMap<String, String>)> {
        let spans = self.0.lock().unwrap();
        spans.iter().filter(|s| s.0 == "cognate::lm").map(|s| (s.1.clone(), s.2.clone())).collect()
    }
}

fn question() -> QaInput {
    QaInput { question: "Who wrote Hamlet?".into() }
}

#[tokio::test(flavor = "current_thread")]
async fn a_module_call_through_the_client_is_one_span_with_gen_ai_fields() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(spans.clone()));
    cognate_testing::keep_callsites_interested();
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let settings = Settings::default().with_lm(Arc::new(lm));
    settings.scope(Predict::<Qa>::new().forward(question())).await.unwrap();

    let lm_spans = spans.lm_spans();
    assert_eq!(lm_spans.len(), 1, "exactly one span per LM call: {lm_spans:?}");
    let (name, fields) = &lm_spans[0];
    assert_eq!(name, "lm_call");
    assert_eq!(fields["cognate.predictor"], "Qa");
    assert_eq!(fields["gen_ai.operation.name"], "chat");
    assert_eq!(fields["gen_ai.system"], "openai", "recorded by the client");
    assert_eq!(fields["gen_ai.request.model"], "mock-lm");
    assert_eq!(fields["gen_ai.response.model"], "mock-lm");
    assert_eq!(fields["http.response.status_code"], "200", "recorded by the client");
    assert_eq!(fields["gen_ai.response.finish_reasons"], r#"["stop"]"#);
    assert_eq!(fields["cognate.adapter"], "ChatAdapter");
    assert!(fields.contains_key("cognate.latency_ms"), "{fields:?}");
    let usage = server.usage();
    assert!(usage.prompt_tokens > 0 && usage.completion_tokens > 0);
    assert_eq!(fields["gen_ai.usage.input_tokens"], usage.prompt_tokens.to_string());
    assert_eq!(fields["gen_ai.usage.output_tokens"], usage.completion_tokens.to_string());
}

#[tokio::test(flavor = "current_thread")]
async fn a_direct_client_call_is_one_span_with_the_same_names() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(spans.clone()));
    cognate_testing::keep_callsites_interested();
    let server = MockServer::start(MockServerConfig::default()).await.unwrap();
    let lm = OpenAiClient::new("mock-lm").with_base_url(server.base_url());
    let reply = lm.complete(LmRequest::new(vec![Message::user("Say hi.")])).await.unwrap();

    let lm_spans = spans.lm_spans();
    assert_eq!(lm_spans.len(), 1, "exactly one span per LM call: {lm_spans:?}");
    let (name, fields) = &lm_spans[0];
    assert_eq!(name, "lm.complete");
    assert_eq!(fields["gen_ai.operation.name"], "chat");
    assert_eq!(fields["gen_ai.system"], "openai");
    assert_eq!(fields["gen_ai.request.model"], "mock-lm");
    assert_eq!(fields["gen_ai.response.model"], reply.model);
    assert_eq!(fields["http.response.status_code"], "200");
    assert_eq!(fields["gen_ai.usage.input_tokens"], reply.usage.prompt_tokens.to_string());
    assert_eq!(fields["gen_ai.usage.output_tokens"], reply.usage.completion_tokens.to_string());
    assert!(fields.contains_key("cognate.latency_ms"), "{fields:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn layers_record_retries_cache_hits_and_cost_into_the_call_span() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(spans.clone()));
    cognate_testing::keep_callsites_interested();
    let config = MockServerConfig::default().with_fail_first(1, Failure::Status500);
    let server = MockServer::start(config).await.unwrap();
    let prices = PriceTable::empty().with("mock-lm", ModelPrice::per_million(1.0, 2.0));
    let lm = OpenAiClient::new("mock-lm")
        .with_base_url(server.base_url())
        .layer(Retry::new().with_backoff(Duration::from_millis(1), Duration::from_millis(2)))
        .layer(Cache::memory(16))
        .layer(UsageTracker::new().with_prices(prices));
    let settings = Settings::default().with_lm(Arc::new(lm));
    let predict = Predict::<Qa>::new();
    settings.clone().scope(predict.forward(question())).await.unwrap();
    settings.scope(predict.forward(question())).await.unwrap();

    let lm_spans = spans.lm_spans();
    assert_eq!(lm_spans.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(), ["lm_call", "lm_call"], "{lm_spans:?}");
    let (first, second) = (&lm_spans[0].1, &lm_spans[1].1);
    assert_eq!(first["cognate.retries"], "1", "{first:?}");
    assert_eq!(first["cognate.cache_hit"], "false");
    assert!(first["cognate.cost_usd"].parse::<f64>().unwrap() > 0.0, "{first:?}");
    assert_eq!(first["http.response.status_code"], "200", "the last attempt's status: {first:?}");
    assert_eq!(second["cognate.cache_hit"], "true", "{second:?}");
    assert_eq!(second["cognate.cost_usd"], "0.0", "a hit costs nothing");
    assert!(!second.contains_key("gen_ai.system"), "no provider was called: {second:?}");
    assert_eq!(second["gen_ai.usage.input_tokens"], first["gen_ai.usage.input_tokens"]);
}
