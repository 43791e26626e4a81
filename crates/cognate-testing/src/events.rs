//! [`EventLog`]: a `tracing` subscriber that records events, for tests of what Cognate logs.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, Once, PoisonError};

use tracing::field::{Field, Visit};
use tracing::subscriber::{DefaultGuard, Interest};
use tracing::{Event, Level, Metadata, Subscriber, span};

/// Records every `tracing` event (target, level, fields) emitted on the threads where it is
/// installed; spans are ignored. Clones share the record.
///
/// [`install`](Self::install) makes it the current thread's subscriber (a test on tokio's
/// default current-thread runtime sees everything its futures log). It never becomes the
/// global subscriber.
///
/// ```
/// use cognate_testing::EventLog;
///
/// let log = EventLog::default();
/// {
///     let _guard = log.install();
///     tracing::info!(target: "cognate::evaluate", done = 3, "evaluation progress");
/// }
/// tracing::info!(target: "cognate::evaluate", done = 4, "evaluation progress"); // not installed
/// let events = log.events_with("cognate::evaluate", "evaluation progress");
/// assert_eq!(events.len(), 1);
/// assert_eq!(events[0].field("done"), Some("3"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct EventLog(Arc<Mutex<Vec<LoggedEvent>>>);

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    /// The event's target (`cognate::evaluate`, ...).
    pub target: String,
    /// Its level.
    pub level: Level,
    /// Its fields, the message under `message`, each value as `Display` (strings) or `Debug`.
    pub fields: BTreeMap<String, String>,
}

impl LoggedEvent {
    /// The event's message (its `message` field), or `""`.
    pub fn message(&self) -> &str {
        self.field("message").unwrap_or_default()
    }

    /// The value of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

impl EventLog {
    /// Makes this log the current thread's subscriber until the guard is dropped, and makes
    /// sure no callsite's cached interest hides an event from it (see
    /// [`keep_callsites_interested`]).
    #[must_use = "the log is installed only while the guard lives"]
    pub fn install(&self) -> DefaultGuard {
        let guard = tracing::subscriber::set_default(self.clone());
        keep_callsites_interested();
        guard
    }

    /// Every event recorded so far, in order.
    pub fn events(&self) -> Vec<LoggedEvent> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The events on `target` whose message starts with `message`.
    pub fn events_with(&self, target: &str, message: &str) -> Vec<LoggedEvent> {
        self.events().into_iter().filter(|e| e.target == target && e.message().starts_with(message)).collect()
    }
}

/// Keeps every callsite's cached interest at "sometimes", so that an event or span first hit
/// by another test's thread (with no subscriber) still reaches this thread's scoped
/// subscriber. `tracing` caches a callsite's interest process-wide, and a registration that
/// races with `set_default` on another thread can cache "never" for good.
///
/// The first call makes a subscriber that records nothing (every callsite "sometimes", every
/// event disabled) the process's global default, unless the process already has one; every
/// call then rebuilds the interest cache. Meant for test binaries: a program that installs
/// its own global subscriber should not call it first.
pub fn keep_callsites_interested() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails only when the process already has a global subscriber: then that one decides.
        let _ = tracing::subscriber::set_global_default(AlwaysAsk);
    });
    tracing::callsite::rebuild_interest_cache();
}

/// Records nothing; says "ask me per event" for every callsite.
struct AlwaysAsk;

impl Subscriber for AlwaysAsk {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_string(), format!("{value:?}"));
    }
}

impl Subscriber for EventLog {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // Ask again on every event, so a log installed later on another thread is not
        // hidden by this answer.
        Interest::sometimes()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let metadata = event.metadata();
        let logged = LoggedEvent { target: metadata.target().to_string(), level: *metadata.level(), fields };
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(logged);
    }

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}
