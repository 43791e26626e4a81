//! The one span of an LM call, with OpenTelemetry GenAI attribute names.
//!
//! A module's call runs in the `lm_call` span its `Predictor` opens (cognate-runtime), which
//! declares the fields below. A client called inside it records what only it knows (the
//! provider, the HTTP status) into that span instead of opening its own; called directly, it
//! opens an `lm.complete` span with the same fields. Layers record into the current span
//! (`cognate.retries`, `cognate.cache_hit`, `cognate.cost_usd`); recording a field the span
//! does not declare does nothing.

use cognate_core::{FinishReason, LmResponse};
use tracing::Span;
use tracing::field::Empty;

/// The field that marks the current span as an LM-call span (declared by `lm_call` and by
/// [`client_span`]'s `lm.complete`).
pub(crate) const LM_CALL_FIELD: &str = "gen_ai.request.model";

/// The span a client's call runs in: `None` when the current span already is an LM-call span
/// (the provider `system` is then recorded into it), else a new `lm.complete` span.
pub(crate) fn client_span(system: &'static str, model: &str) -> Option<Span> {
    let current = Span::current();
    if current.has_field(LM_CALL_FIELD) {
        current.record("gen_ai.system", system);
        return None;
    }
    Some(tracing::debug_span!(
        target: "cognate::lm",
        "lm.complete",
        gen_ai.operation.name = "chat",
        gen_ai.system = system,
        gen_ai.request.model = %model,
        gen_ai.response.model = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        gen_ai.response.finish_reasons = Empty,
        http.response.status_code = Empty,
        cognate.latency_ms = Empty,
    ))
}

/// Records the HTTP status of the answer into the current span.
pub(crate) fn record_status(status: u16) {
    Span::current().record("http.response.status_code", status);
}

/// Records a response's model, token counts and finish reasons into `span`.
pub(crate) fn record_response(span: &Span, response: &LmResponse) {
    span.record("gen_ai.response.model", response.model.as_str());
    span.record("gen_ai.usage.input_tokens", response.usage.prompt_tokens);
    span.record("gen_ai.usage.output_tokens", response.usage.completion_tokens);
    let reasons: Vec<&str> =
        response.choices.iter().filter_map(|c| c.finish_reason.as_ref().map(FinishReason::as_str)).collect();
    span.record("gen_ai.response.finish_reasons", tracing::field::debug(&reasons));
}
