//! [`Budget`]: a spending limit — calls, tokens, dollars, or any combination — shared by every
//! model wrapped in it. Once a limit is spent, calls fail fast with
//! [`LmError::BudgetExceeded`] naming the limit and the amounts, before reaching the model;
//! `cognate_eval::Evaluate` and the optimizers stop cleanly on that error and return what they
//! finished.
//!
//! ```
//! use cognate_core::{BudgetLimit, LanguageModel, LanguageModelExt, LmError, LmRequest, Message, Usage};
//! use cognate_lm::Budget;
//! use cognate_testing::MockLm;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! // gpt-4o-mini: $0.15 per million prompt tokens, $0.60 per million completion tokens.
//! let usage = Usage::new(1_000_000, 100_000);
//! let mock = MockLm::from_fn(|_| Ok("hi".into())).with_usage(usage).with_model_name("gpt-4o-mini");
//! let budget = Budget::dollars(0.50).with_calls(100);
//! let lm = mock.layer(budget.clone());
//! let ask = || LmRequest::new(vec![Message::user("hello")]);
//! lm.complete(ask()).await.unwrap(); // $0.21
//! lm.complete(ask()).await.unwrap(); // $0.42
//! lm.complete(ask()).await.unwrap(); // $0.63: the call that passes the limit still completes
//! match lm.complete(ask()).await {
//!     Err(LmError::BudgetExceeded { limit: BudgetLimit::Dollars { spent, max } }) => {
//!         assert!((spent - 0.63).abs() < 1e-9 && max == 0.50);
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(budget.spent().calls, 3); // the refused call reached no model
//! assert_eq!(budget.spent().refused, 1);
//! # }
//! ```
//!
//! # Semantics
//!
//! * **Before** each call, the call is refused if any limit is spent: `calls >= max_calls`,
//!   `tokens >= max_tokens`, `dollars >= max_dollars`. Calls are counted as they start, so a
//!   call limit is never passed, however many tasks share the budget.
//! * **After** each successful call, its tokens (the provider's `total_tokens`) and dollars
//!   (its usage at its model's price, see [`PriceTable`]) are charged. A token or dollar limit
//!   can therefore be passed by the calls that were running when it ran out (at most one
//!   call's cost per concurrent task); the next call is refused.
//! * A response served by a cache below the budget ([`LmResponse::cache_hit`]) is charged
//!   no tokens or dollars.
//! * Failed calls are charged no tokens. A cancelled or timed-out call is charged none either
//!   (its tokens are unknown; [`UsageTracker`](crate::UsageTracker) counts it apart), though
//!   the provider may have billed it: keep a margin on a dollar limit.
//! * **Unknown prices.** A dollar limit needs each call's price: a call to a model with no
//!   price in the budget's table (the built-in one unless
//!   [`with_prices`](Budget::with_prices) says otherwise) is refused with
//!   [`LmError::Config`] rather than let through uncounted. Token and call limits need no
//!   price.
//! * **Sharing.** Clones of a `Budget` share what has been spent (and each keeps its own
//!   limits), so one budget can bound several models, or a whole evaluation or optimization.
//! * **Where in the stack.** Put the budget inside a cache (`client.layer(budget).layer(cache)`)
//!   so hits cost nothing and are served even when the budget is spent, and inside a retry
//!   layer so every attempt is charged (a refused call is not retryable, so retrying stops).
//!
//! The first refusal is logged as a `warn` event `lm budget exhausted` on target
//! `cognate::lm` (fields `limit`, `spent`, `max`), later ones at `debug`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

use cognate_core::{BudgetLimit, LanguageModel, Layer, LmError, LmRequest, LmResponse, SharedLm};
use serde::{Deserialize, Serialize};

use crate::layer::usage::{add, price_call, to_dollars, to_nanodollars};
use crate::pricing::PriceTable;

/// A spending limit on calls, tokens and dollars, and the layer that enforces it (see the
/// [module docs](self)). Clones share what has been spent.
#[derive(Clone)]
pub struct Budget {
    max_calls: Option<u64>,
    max_tokens: Option<u64>,
    max_dollars: Option<f64>,
    spent: Arc<Spent>,
    prices: Arc<PriceTable>,
}

#[derive(Debug, Default)]
struct Spent {
    calls: AtomicU64,
    tokens: AtomicU64,
    nanodollars: AtomicU64,
    refused: AtomicU64,
    warned: AtomicBool,
}

/// What a [`Budget`] has spent so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetSpent {
    /// Calls let through (refused ones are not counted).
    pub calls: u64,
    /// Tokens of the successful calls, as the providers reported them.
    pub tokens: u64,
    /// Dollars of the successful calls whose model has a price.
    pub dollars: f64,
    /// Calls refused because a limit was spent.
    pub refused: u64,
}

impl Budget {
    fn unlimited() -> Self {
        Budget {
            max_calls: None,
            max_tokens: None,
            max_dollars: None,
            spent: Arc::default(),
            prices: Arc::new(PriceTable::default()),
        }
    }

    /// A budget of `max` US dollars (a negative or NaN amount is 0: nothing may be spent).
    /// Calls are priced with the built-in [`PriceTable`]; see
    /// [`with_prices`](Self::with_prices).
    pub fn dollars(max: f64) -> Self {
        Self::unlimited().with_dollars(max)
    }

    /// A budget of `max` tokens (prompt and completion).
    pub fn tokens(max: u64) -> Self {
        Self::unlimited().with_tokens(max)
    }

    /// A budget of `max` calls.
    pub fn calls(max: u64) -> Self {
        Self::unlimited().with_calls(max)
    }

    /// Adds (or replaces) a dollar limit.
    #[must_use]
    pub fn with_dollars(mut self, max: f64) -> Self {
        self.max_dollars = Some(if max.is_nan() { 0.0 } else { max.max(0.0) });
        self
    }

    /// Adds (or replaces) a token limit.
    #[must_use]
    pub fn with_tokens(mut self, max: u64) -> Self {
        self.max_tokens = Some(max);
        self
    }

    /// Adds (or replaces) a call limit.
    #[must_use]
    pub fn with_calls(mut self, max: u64) -> Self {
        self.max_calls = Some(max);
        self
    }

    /// Prices calls with `prices` instead of the built-in table.
    #[must_use]
    pub fn with_prices(mut self, prices: PriceTable) -> Self {
        self.prices = Arc::new(prices);
        self
    }

    /// The call limit.
    pub fn max_calls(&self) -> Option<u64> {
        self.max_calls
    }

    /// The token limit.
    pub fn max_tokens(&self) -> Option<u64> {
        self.max_tokens
    }

    /// The dollar limit.
    pub fn max_dollars(&self) -> Option<f64> {
        self.max_dollars
    }

    /// The price table calls are priced with.
    pub fn prices(&self) -> &PriceTable {
        &self.prices
    }

    /// What has been spent so far (shared by all clones).
    pub fn spent(&self) -> BudgetSpent {
        BudgetSpent {
            calls: self.spent.calls.load(Relaxed),
            tokens: self.spent.tokens.load(Relaxed),
            dollars: to_dollars(self.spent.nanodollars.load(Relaxed)),
            refused: self.spent.refused.load(Relaxed),
        }
    }

    /// The first limit (tokens, dollars, then calls) that is spent, if any: the next call
    /// would be refused with it.
    pub fn exceeded(&self) -> Option<BudgetLimit> {
        self.spent_limit().or_else(|| {
            let max = self.max_calls?;
            let spent = self.spent.calls.load(Relaxed);
            (spent >= max).then_some(BudgetLimit::Calls { spent, max })
        })
    }

    /// A spent token or dollar limit.
    fn spent_limit(&self) -> Option<BudgetLimit> {
        if let Some(max) = self.max_tokens {
            let spent = self.spent.tokens.load(Relaxed);
            if spent >= max {
                return Some(BudgetLimit::Tokens { spent, max });
            }
        }
        if let Some(max) = self.max_dollars {
            let spent = self.spent.nanodollars.load(Relaxed);
            if spent >= to_nanodollars(max) {
                return Some(BudgetLimit::Dollars { spent: to_dollars(spent), max });
            }
        }
        None
    }

    /// Lets a call to `model` through (counting it) or refuses it.
    fn admit(&self, model: &str) -> Result<(), LmError> {
        if let Some(limit) = self.spent_limit() {
            return Err(self.refuse(limit));
        }
        if self.max_dollars.is_some() && self.prices.get(model).is_none() {
            return Err(LmError::Config(format!(
                "the budget has a dollar limit but no price for model `{model}`: add one with \
                 `Budget::with_prices` (see `cognate_lm::pricing`), or use a token or call limit"
            )));
        }
        match self.max_calls {
            None => {
                self.spent.calls.fetch_add(1, Relaxed);
                Ok(())
            }
            Some(max) => match self.spent.calls.fetch_update(Relaxed, Relaxed, |c| (c < max).then_some(c + 1)) {
                Ok(_) => Ok(()),
                Err(spent) => Err(self.refuse(BudgetLimit::Calls { spent, max })),
            },
        }
    }

    fn refuse(&self, limit: BudgetLimit) -> LmError {
        self.spent.refused.fetch_add(1, Relaxed);
        let (spent, max) = limit.amounts();
        if self.spent.warned.swap(true, Relaxed) {
            tracing::debug!(target: "cognate::lm", limit = limit.name(), spent, max, "lm call refused: {limit}");
        } else {
            tracing::warn!(target: "cognate::lm", limit = limit.name(), spent, max, "lm budget exhausted: {limit}");
        }
        LmError::BudgetExceeded { limit }
    }
}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget")
            .field("max_calls", &self.max_calls)
            .field("max_tokens", &self.max_tokens)
            .field("max_dollars", &self.max_dollars)
            .field("spent", &self.spent())
            .finish_non_exhaustive()
    }
}

impl<L: LanguageModel> Layer<L> for Budget {
    type Lm = BudgetedLm<L>;

    fn layer(&self, inner: L) -> BudgetedLm<L> {
        BudgetedLm::new(inner, self.clone())
    }
}

/// A [`LanguageModel`] that forwards to another while its [`Budget`] lasts.
#[derive(Clone)]
pub struct BudgetedLm<L = SharedLm> {
    inner: L,
    budget: Budget,
}

impl<L> BudgetedLm<L> {
    /// Wraps `inner`, spending `budget`.
    pub fn new(inner: L, budget: Budget) -> Self {
        BudgetedLm { inner, budget }
    }

    /// The budget spent.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }
}

impl<L: LanguageModel> fmt::Debug for BudgetedLm<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BudgetedLm").field("inner", &self.inner.model_name()).field("budget", &self.budget).finish()
    }
}

impl<L: LanguageModel> LanguageModel for BudgetedLm<L> {
    /// Forwards the call unless the budget is spent, then charges it.
    ///
    /// # Errors
    /// [`LmError::BudgetExceeded`] when a limit is spent; [`LmError::Config`] when the budget
    /// has a dollar limit and the model no price; otherwise those of the wrapped model.
    ///
    /// # Cancel safety
    /// Dropping the future cancels the wrapped call; the call stays counted against a call
    /// limit, and nothing is charged for its tokens.
    async fn complete(&self, request: LmRequest) -> Result<LmResponse, LmError> {
        let asked = request.model.clone();
        let model = asked.as_deref().unwrap_or_else(|| self.inner.model_name());
        self.budget.admit(model)?;
        let result = self.inner.complete(request).await;
        // A response served by a cache below costs nothing (its usage is the original call's).
        if let Some(response) = result.as_ref().ok().filter(|r| !r.cache_hit) {
            let spent = &self.budget.spent;
            add(&spent.tokens, response.usage.total_tokens);
            let model = asked.as_deref().unwrap_or_else(|| self.inner.model_name());
            if let Some(dollars) = price_call(&self.budget.prices, &response.model, model, &response.usage) {
                add(&spent.nanodollars, to_nanodollars(dollars));
            }
        }
        result
    }

    fn model_name(&self) -> &str {
        self.inner.model_name()
    }

    fn supports_json_schema(&self) -> bool {
        self.inner.supports_json_schema()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use cognate_core::{LanguageModelExt, Message, Usage};
    use cognate_testing::MockLm;

    use super::*;
    use crate::pricing::ModelPrice;

    fn req() -> LmRequest {
        LmRequest::new(vec![Message::user("q")])
    }

    fn mock(usage: Usage) -> MockLm {
        MockLm::from_fn(|_| Ok("ok".into())).with_usage(usage).with_model_name("test-model")
    }

    fn refused(result: Result<LmResponse, LmError>) -> BudgetLimit {
        match result {
            Err(LmError::BudgetExceeded { limit }) => limit,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_call_limit_is_exact_and_refused_calls_reach_no_model() {
        let inner = mock(Usage::new(1, 1));
        let budget = Budget::calls(2);
        let lm = inner.clone().layer(budget.clone());
        lm.complete(req()).await.unwrap();
        lm.complete(req()).await.unwrap();
        assert_eq!(refused(lm.complete(req()).await), BudgetLimit::Calls { spent: 2, max: 2 });
        assert_eq!(inner.call_count(), 2);
        assert_eq!(budget.spent(), BudgetSpent { calls: 2, tokens: 4, dollars: 0.0, refused: 1 });
        assert_eq!(budget.exceeded(), Some(BudgetLimit::Calls { spent: 2, max: 2 }));
        assert!(Budget::calls(0).exceeded().is_some());
    }

    #[tokio::test]
    async fn a_token_limit_stops_after_the_call_that_passes_it() {
        let budget = Budget::tokens(25);
        let lm = mock(Usage::new(8, 2)).layer(budget.clone());
        for _ in 0..3 {
            lm.complete(req()).await.unwrap();
        }
        assert_eq!(budget.exceeded(), Some(BudgetLimit::Tokens { spent: 30, max: 25 }));
        assert_eq!(refused(lm.complete(req()).await), BudgetLimit::Tokens { spent: 30, max: 25 });
        assert_eq!(budget.spent().refused, 1);
    }

    #[tokio::test]
    async fn a_dollar_limit_prices_calls_and_refuses_unpriced_models() {
        let prices = PriceTable::empty().with("test-model", ModelPrice::per_million(1.0, 2.0));
        let budget = Budget::dollars(0.000_05).with_prices(prices);
        // 10 prompt + 10 completion tokens: 30 microdollars a call.
        let lm = mock(Usage::new(10, 10)).layer(budget.clone());
        lm.complete(req()).await.unwrap();
        lm.complete(req()).await.unwrap();
        let BudgetLimit::Dollars { spent, max } = refused(lm.complete(req()).await) else { panic!() };
        assert!((spent - 0.000_06).abs() < 1e-12 && max == 0.000_05, "{spent} {max}");
        assert!((budget.spent().dollars - 0.000_06).abs() < 1e-12);

        // A model with no price cannot be charged: refused, not let through uncounted.
        let unpriced = Budget::dollars(10.0).with_prices(PriceTable::empty());
        let lm = mock(Usage::new(1, 1)).layer(unpriced.clone());
        assert!(
            matches!(lm.complete(req()).await, Err(LmError::Config(m)) if m.contains("no price for model `test-model`"))
        );
        assert_eq!(unpriced.spent().calls, 0);
        // Without a dollar limit, an unpriced model is fine.
        let lm = mock(Usage::new(1, 1)).layer(Budget::tokens(10).with_prices(PriceTable::empty()));
        assert!(lm.complete(req()).await.is_ok());
        // The request's own model is the one priced.
        let budget =
            Budget::dollars(1.0).with_prices(PriceTable::empty().with("other", ModelPrice::per_million(1.0, 1.0)));
        let lm = mock(Usage::new(1, 1)).layer(budget);
        let mut other = req();
        other.model = Some("other".into());
        assert!(lm.complete(other).await.is_ok());
    }

    #[tokio::test]
    async fn limits_combine_and_clones_share_spending() {
        let budget = Budget::tokens(1_000).with_calls(3).with_dollars(100.0);
        assert_eq!(
            (budget.max_calls(), budget.max_tokens(), budget.max_dollars()),
            (Some(3), Some(1_000), Some(100.0))
        );
        let a = mock(Usage::new(1, 1)).with_model_name("gpt-4o-mini").layer(budget.clone());
        let b = Arc::new(mock(Usage::new(1, 1)).with_model_name("gpt-4.1")).layer(budget.clone());
        a.complete(req()).await.unwrap();
        b.complete(req()).await.unwrap();
        a.complete(req()).await.unwrap();
        assert_eq!(refused(b.complete(req()).await), BudgetLimit::Calls { spent: 3, max: 3 });
        assert_eq!(budget.spent().tokens, 6);
        assert!(budget.spent().dollars > 0.0);
        // A clone with a higher limit spends the same money.
        let raised = budget.clone().with_calls(4);
        let c = mock(Usage::new(1, 1)).with_model_name("gpt-4o").layer(raised.clone());
        c.complete(req()).await.unwrap();
        assert_eq!(budget.spent().calls, 4);
        assert!(
            Budget::dollars(f64::NAN).max_dollars() == Some(0.0) && Budget::dollars(-3.0).max_dollars() == Some(0.0)
        );
    }

    /// Answers after yielding once, so that spawned calls all start before any finishes.
    struct Yielding;
    impl LanguageModel for Yielding {
        async fn complete(&self, _: LmRequest) -> Result<LmResponse, LmError> {
            tokio::task::yield_now().await;
            let choices = vec![cognate_core::Choice { text: "ok".into(), finish_reason: None }];
            Ok(LmResponse { choices, usage: Usage::new(5, 5), model: "yielding".into(), cache_hit: false })
        }
        fn model_name(&self) -> &str {
            "yielding"
        }
    }

    #[tokio::test]
    async fn cache_hits_below_the_budget_are_charged_nothing() {
        let budget = Budget::tokens(1_000);
        let lm = mock(Usage::new(100, 20)).layer(crate::Cache::memory(10)).layer(budget.clone());
        for _ in 0..5 {
            lm.complete(req()).await.unwrap();
        }
        assert_eq!(budget.spent(), BudgetSpent { calls: 5, tokens: 120, dollars: 0.0, refused: 0 });
    }

    #[tokio::test]
    async fn concurrent_calls_never_pass_a_call_limit_and_overshoot_a_token_limit_by_those_running() {
        let budget = Budget::calls(10);
        let lm = Arc::new(Yielding.layer(budget.clone()));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let lm = lm.clone();
            tasks.spawn(async move { lm.complete(req()).await.is_ok() });
        }
        let ok = tasks.join_all().await.into_iter().filter(|ok| *ok).count();
        assert_eq!(ok, 10);
        assert_eq!(budget.spent(), BudgetSpent { calls: 10, tokens: 100, dollars: 0.0, refused: 40 });

        // Tokens are charged as calls finish: all 50 start before the first is charged.
        let budget = Budget::tokens(10);
        let lm = Arc::new(Yielding.layer(budget.clone()));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let lm = lm.clone();
            tasks.spawn(async move { lm.complete(req()).await.is_ok() });
        }
        assert!(tasks.join_all().await.into_iter().all(|ok| ok));
        assert_eq!(budget.spent().tokens, 500);
        assert_eq!(refused(lm.complete(req()).await), BudgetLimit::Tokens { spent: 500, max: 10 });
    }

    #[tokio::test(start_paused = true)]
    async fn failed_and_cancelled_calls_are_charged_no_tokens() {
        let budget = Budget::tokens(100).with_calls(10);
        let inner = MockLm::new(Vec::<String>::new()).with_model_name("m");
        inner.push_error(LmError::Http { status: 500, message: "down".into(), retry_after: None });
        let lm = inner.layer(budget.clone());
        assert!(matches!(lm.complete(req()).await, Err(LmError::Http { status: 500, .. })));
        struct Hang;
        impl LanguageModel for Hang {
            async fn complete(&self, _: LmRequest) -> Result<LmResponse, LmError> {
                std::future::pending().await
            }
            fn model_name(&self) -> &str {
                "hang"
            }
        }
        let hang = Hang.layer(budget.clone());
        assert!(tokio::time::timeout(Duration::from_secs(5), hang.complete(req())).await.is_err());
        assert_eq!(budget.spent(), BudgetSpent { calls: 2, tokens: 0, dollars: 0.0, refused: 0 });
    }

    #[test]
    fn the_first_refusal_warns_and_later_ones_are_quiet() {
        let log = cognate_testing::EventLog::default();
        let _guard = log.install();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let lm = mock(Usage::new(1, 1)).layer(Budget::calls(0));
            for _ in 0..3 {
                assert!(lm.complete(req()).await.is_err());
            }
        });
        let warned = log.events_with("cognate::lm", "lm budget exhausted");
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].level, tracing::Level::WARN);
        assert_eq!(warned[0].field("limit"), Some("calls"));
        assert!(warned[0].message().ends_with("0 of 0 calls made"), "{}", warned[0].message());
        assert_eq!(log.events_with("cognate::lm", "lm call refused").len(), 2);
    }

    #[test]
    fn the_budgeted_future_is_send_and_debug_shows_the_spending() {
        fn assert_send<T: Send>(_: &T) {}
        let budget = Budget::calls(1);
        let lm = mock(Usage::default()).layer(budget.clone());
        assert_send(&lm.complete(req()));
        let text = format!("{lm:?}");
        assert!(text.contains("max_calls: Some(1)") && text.contains("test-model"), "{text}");
        assert_eq!(lm.budget().max_calls(), Some(1));
        assert_eq!(lm.model_name(), "test-model");
    }
}
