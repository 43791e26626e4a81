//! Model prices: [`PriceTable`] maps model names to [`ModelPrice`]s (US dollars per million
//! tokens), so usage can be turned into dollars ([`UsageTracker`](crate::UsageTracker)) and
//! spending can be bounded ([`Budget`](crate::Budget)).
//!
//! The default table holds common OpenAI, Anthropic and Gemini models at the providers'
//! published list prices as of [`DEFAULT_PRICES_DATE`]. They were written from the providers'
//! price pages as known on that date, not fetched at build time: prices change, so check them
//! (and add or override entries) before relying on a dollar figure. A model the table does not
//! know has no price: its cost is *unknown* (`None`), never zero.
//!
//! ```
//! use cognate_core::Usage;
//! use cognate_lm::pricing::{ModelPrice, PriceTable};
//!
//! let prices = PriceTable::default().with("my-finetune", ModelPrice::per_million(0.30, 1.20));
//! // Exact names, provider prefixes and dated snapshots all find their entry.
//! let usage = Usage::new(1_000_000, 100_000);
//! let dollars = prices.cost("openai/gpt-4o-mini-2024-07-18", &usage).unwrap();
//! assert!((dollars - (0.15 + 0.06)).abs() < 1e-9);
//! let dollars = prices.cost("my-finetune", &usage).unwrap();
//! assert!((dollars - (0.30 + 0.12)).abs() < 1e-9);
//! assert_eq!(prices.cost("llama3.2", &usage), None); // unknown, not free
//! ```

use std::collections::HashMap;

use cognate_core::Usage;
use serde::{Deserialize, Serialize};

/// When the default prices were taken (year and month).
pub const DEFAULT_PRICES_DATE: &str = "2025-11";

/// What a model costs, in US dollars per million tokens.
///
/// Cached prompt tokens ([`Usage::cached_tokens`]) are billed at `cached_input`, or at `input`
/// when the table does not know a cached price (an upper bound, never a guess below it); the
/// other prompt tokens at `input`; completion tokens, reasoning ones included, at `output`. A
/// negative or non-finite price counts as 0. Prices that depend on the prompt's length (Gemini
/// 2.5 Pro and Claude Sonnet 4.x above 200k prompt tokens) and Anthropic's cache writes (1.25×
/// the input price) are not modelled: the first tier's prices apply.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelPrice {
    /// Dollars per million prompt tokens.
    pub input: f64,
    /// Dollars per million prompt tokens read from the provider's prompt cache, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input: Option<f64>,
    /// Dollars per million completion tokens.
    pub output: f64,
}

impl ModelPrice {
    /// A price of `input` and `output` dollars per million tokens, with no cached-input price.
    pub const fn per_million(input: f64, output: f64) -> Self {
        ModelPrice { input, cached_input: None, output }
    }

    /// Sets the price of cached prompt tokens, in dollars per million.
    #[must_use]
    pub const fn with_cached_input(mut self, cached_input: f64) -> Self {
        self.cached_input = Some(cached_input);
        self
    }

    /// The dollars `usage` costs at this price.
    pub fn cost(&self, usage: &Usage) -> f64 {
        let price = |p: f64| if p.is_finite() && p > 0.0 { p } else { 0.0 };
        let cached = usage.cached_tokens.min(usage.prompt_tokens);
        let uncached = usage.prompt_tokens - cached;
        let cached_price = price(self.cached_input.unwrap_or(self.input));
        (uncached as f64 * price(self.input)
            + cached as f64 * cached_price
            + usage.completion_tokens as f64 * price(self.output))
            / 1e6
    }
}

/// Prices by model name. [`PriceTable::default`] holds the built-in prices (see the
/// [module docs](self) and [`DEFAULT_PRICES_DATE`]); [`PriceTable::empty`] none.
///
/// # Lookup
///
/// Names are compared without regard to ASCII case. [`get`](Self::get) tries, in order:
///
/// 1. the name as given (`openrouter/openai/gpt-4o` can have its own entry);
/// 2. the name after its last `/` (provider prefixes: `openai/gpt-4o` is `gpt-4o`);
/// 3. the longest entry that the name (after its last `/`) starts with, followed by a version
///    or snapshot suffix: `-` and a digit (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`),
///    `@` (Vertex AI's `claude-sonnet-4-5@20250929`), `:` (`gpt-4o-mini:ft-...`) or `-latest`.
///
/// A suffix of another kind (`gpt-4o-realtime-preview`, `gemini-2.5-flash-preview-05-20`)
/// names a model that may be priced differently, so it finds nothing: its cost is unknown
/// until an entry is added for it.
///
/// ```
/// use cognate_lm::pricing::{ModelPrice, PriceTable};
///
/// let prices = PriceTable::default();
/// assert_eq!(prices.get("gpt-4o-2024-08-06"), prices.get("gpt-4o"));
/// assert_eq!(prices.get("claude-opus-4-5-20251101").unwrap().output, 25.0);
/// assert_eq!(prices.get("gpt-4o-realtime-preview"), None);
/// // Override or add entries.
/// let prices = prices.with("gpt-4o", ModelPrice::per_million(2.0, 8.0).with_cached_input(1.0));
/// assert_eq!(prices.get("openai/gpt-4o").unwrap().input, 2.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PriceTable {
    prices: HashMap<String, ModelPrice>,
}

/// The built-in prices, dollars per million tokens: (model, input, cached input, output), as
/// published by each provider in [`DEFAULT_PRICES_DATE`] (standard tier, first context tier).
const DEFAULT_PRICES: &[(&str, f64, Option<f64>, f64)] = &[
    // OpenAI (platform.openai.com/docs/pricing).
    ("gpt-4o", 2.50, Some(1.25), 10.00),
    ("gpt-4o-2024-05-13", 5.00, None, 15.00),
    ("gpt-4o-mini", 0.15, Some(0.075), 0.60),
    ("gpt-4.1", 2.00, Some(0.50), 8.00),
    ("gpt-4.1-mini", 0.40, Some(0.10), 1.60),
    ("gpt-4.1-nano", 0.10, Some(0.025), 0.40),
    ("gpt-5", 1.25, Some(0.125), 10.00),
    ("gpt-5-mini", 0.25, Some(0.025), 2.00),
    ("gpt-5-nano", 0.05, Some(0.005), 0.40),
    ("o1", 15.00, Some(7.50), 60.00),
    ("o1-mini", 1.10, Some(0.55), 4.40),
    ("o1-pro", 150.00, None, 600.00),
    ("o3", 2.00, Some(0.50), 8.00),
    ("o3-mini", 1.10, Some(0.55), 4.40),
    ("o3-pro", 20.00, None, 80.00),
    ("o4-mini", 1.10, Some(0.275), 4.40),
    // Anthropic (claude.com/pricing); the cached price is the cache-read price.
    ("claude-opus-4", 15.00, Some(1.50), 75.00),
    ("claude-opus-4-1", 15.00, Some(1.50), 75.00),
    ("claude-opus-4-5", 5.00, Some(0.50), 25.00),
    ("claude-sonnet-4", 3.00, Some(0.30), 15.00),
    ("claude-sonnet-4-5", 3.00, Some(0.30), 15.00),
    ("claude-haiku-4-5", 1.00, Some(0.10), 5.00),
    ("claude-3-7-sonnet", 3.00, Some(0.30), 15.00),
    ("claude-3-5-haiku", 0.80, Some(0.08), 4.00),
    // Google Gemini API, paid tier (ai.google.dev/gemini-api/docs/pricing), prompts up to
    // 200k tokens; cached tokens at the input price (their price changed during 2025).
    ("gemini-2.5-pro", 1.25, None, 10.00),
    ("gemini-2.5-flash", 0.30, None, 2.50),
    ("gemini-2.5-flash-lite", 0.10, None, 0.40),
];

impl Default for PriceTable {
    /// The built-in prices (see [`DEFAULT_PRICES_DATE`]).
    fn default() -> Self {
        let prices = DEFAULT_PRICES
            .iter()
            .map(|&(model, input, cached_input, output)| (model.to_owned(), ModelPrice { input, cached_input, output }))
            .collect();
        PriceTable { prices }
    }
}

impl PriceTable {
    /// A table with no prices.
    pub fn empty() -> Self {
        PriceTable { prices: HashMap::new() }
    }

    /// Adds (or replaces) the price of `model`.
    #[must_use]
    pub fn with(mut self, model: impl Into<String>, price: ModelPrice) -> Self {
        self.insert(model, price);
        self
    }

    /// Adds (or replaces) the price of `model`; returns the price it replaced.
    pub fn insert(&mut self, model: impl Into<String>, price: ModelPrice) -> Option<ModelPrice> {
        self.prices.insert(model.into().to_ascii_lowercase(), price)
    }

    /// Removes the entry of `model` (exactly that name); returns its price.
    pub fn remove(&mut self, model: &str) -> Option<ModelPrice> {
        self.prices.remove(&model.to_ascii_lowercase())
    }

    /// The price of `model` (see the type's docs for how names are matched), or `None` when
    /// the table does not know it.
    pub fn get(&self, model: &str) -> Option<ModelPrice> {
        // Names are usually lower case already: no allocation on the per-call path then.
        let model: std::borrow::Cow<'_, str> = if model.bytes().any(|b| b.is_ascii_uppercase()) {
            model.to_ascii_lowercase().into()
        } else {
            model.into()
        };
        if let Some(price) = self.prices.get(model.as_ref()) {
            return Some(*price);
        }
        let name = model.rsplit('/').next().unwrap_or(&model);
        if let Some(price) = self.prices.get(name) {
            return Some(*price);
        }
        self.prices
            .iter()
            .filter(|(known, _)| name.strip_prefix(known.as_str()).is_some_and(is_version_suffix))
            .max_by_key(|(known, _)| known.len())
            .map(|(_, price)| *price)
    }

    /// The dollars `usage` costs on `model`, or `None` when its price is unknown.
    pub fn cost(&self, model: &str, usage: &Usage) -> Option<f64> {
        self.get(model).map(|price| price.cost(usage))
    }

    /// The entries, in no particular order (names in lower case).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ModelPrice)> {
        self.prices.iter().map(|(model, price)| (model.as_str(), price))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.prices.len()
    }

    /// Whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }
}

/// Whether `rest`, what follows a known name, marks a version or snapshot of that model.
fn is_version_suffix(rest: &str) -> bool {
    let mut chars = rest.chars();
    match chars.next() {
        Some('@' | ':') => true,
        Some('-') => chars.next().is_some_and(|c| c.is_ascii_digit()) || rest == "-latest",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let prices = PriceTable::default();
        let check = |model: &str, expected: Option<&str>| {
            let expected = expected.map(|known| prices.get(known).unwrap_or_else(|| panic!("no entry {known}")));
            assert_eq!(prices.get(model), expected, "{model}");
        };
        check("gpt-4o", Some("gpt-4o"));
        check("GPT-4o", Some("gpt-4o"));
        check("openai/gpt-4o-mini", Some("gpt-4o-mini"));
        check("openrouter/openai/gpt-4.1-nano", Some("gpt-4.1-nano"));
        check("gpt-4o-mini-2024-07-18", Some("gpt-4o-mini"));
        check("gpt-4o-2024-08-06", Some("gpt-4o"));
        check("gpt-4.1-2025-04-14", Some("gpt-4.1"));
        check("o3-mini-2025-01-31", Some("o3-mini"));
        check("o4-mini-2025-04-16", Some("o4-mini"));
        check("o3-2025-04-16", Some("o3"));
        check("anthropic/claude-sonnet-4-5-20250929", Some("claude-sonnet-4-5"));
        check("claude-sonnet-4-5@20250929", Some("claude-sonnet-4-5"));
        check("claude-sonnet-4-20250514", Some("claude-sonnet-4"));
        check("claude-opus-4-1-20250805", Some("claude-opus-4-1"));
        check("claude-3-7-sonnet-latest", Some("claude-3-7-sonnet"));
        check("gemini/gemini-2.5-flash-lite", Some("gemini-2.5-flash-lite"));
        check("gemini-2.5-pro", Some("gemini-2.5-pro"));
        check("gpt-4o-mini:ft-acme-2025", Some("gpt-4o-mini"));
        // Variants priced differently, or unknown, find nothing.
        check("gpt-4o-realtime-preview", None);
        check("gemini-2.5-flash-preview-05-20", None);
        check("o3-deep-research", None);
        check("gpt-4", None);
        check("mock-lm", None);
        check("meta-llama/Llama-3.1-8B-Instruct", None);
        check("", None);
    }

    #[test]
    fn costs_bill_cached_prompt_tokens_at_the_cached_price() {
        let price = ModelPrice::per_million(2.0, 8.0).with_cached_input(0.5);
        let usage = Usage::new(1_000_000, 500_000).with_cached_tokens(400_000).with_reasoning_tokens(100_000);
        // 600k uncached × $2 + 400k cached × $0.5 + 500k output × $8.
        assert!((price.cost(&usage) - (1.2 + 0.2 + 4.0)).abs() < 1e-12);
        // Without a cached price, cached tokens cost the input price.
        assert!((ModelPrice::per_million(2.0, 8.0).cost(&usage) - (2.0 + 4.0)).abs() < 1e-12);
        // More cached than prompt tokens (a bad report) cannot make a cost negative.
        let odd = Usage { cached_tokens: 10, ..Usage::new(5, 0) };
        assert!((price.cost(&odd) - 5.0 * 0.5 / 1e6).abs() < 1e-18);
        // Bad prices count as 0.
        assert_eq!(ModelPrice::per_million(f64::NAN, -1.0).cost(&usage), 0.0);
        assert_eq!(ModelPrice::per_million(1.0, 1.0).cost(&Usage::default()), 0.0);
    }

    #[test]
    fn entries_are_added_replaced_removed_and_serialized() {
        let mut prices = PriceTable::empty().with("Local-Model", ModelPrice::per_million(1.0, 2.0));
        assert_eq!(prices.len(), 1);
        assert_eq!(prices.get("local-model"), Some(ModelPrice::per_million(1.0, 2.0)));
        assert_eq!(
            prices.insert("local-model", ModelPrice::per_million(3.0, 4.0)),
            Some(ModelPrice::per_million(1.0, 2.0))
        );
        let json = serde_json::to_value(&prices).unwrap();
        assert_eq!(json, serde_json::json!({"local-model": {"input": 3.0, "output": 4.0}}));
        assert_eq!(serde_json::from_value::<PriceTable>(json).unwrap(), prices);
        assert!(prices.remove("LOCAL-MODEL").is_some() && prices.is_empty());
        assert_eq!(prices.iter().count(), 0);
        assert!(PriceTable::default().len() >= 25);
        assert!(PriceTable::default().iter().all(|(name, p)| name == name.to_ascii_lowercase() && p.input > 0.0));
    }
}
