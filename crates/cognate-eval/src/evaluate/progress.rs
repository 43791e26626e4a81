//! Progress reporting: an indicatif bar when stderr is a terminal, else periodic `info` lines
//! through `tracing` ([`ProgressLog`] paces them); start, finish and per-example events on the
//! `cognate::evaluate` target always.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::record::{Record, Totals};

/// Paces the progress lines a long run logs through `tracing` when no progress bar is drawn
/// (stderr is not a terminal: CI, a service, output piped to a file): a line is due after each
/// tenth of the work and, while items keep finishing, at least every
/// [`INTERVAL`](Self::INTERVAL). `Evaluate` logs its lines with it, and so do the optimizers.
///
/// ```
/// use cognate_eval::ProgressLog;
///
/// let mut log = ProgressLog::new(100);
/// let due: Vec<usize> = (1..=100).filter(|&done| log.is_due(done)).collect();
/// // Every tenth of the work (unless 10 s pass between two items, which adds a line).
/// assert!([10, 20, 30, 40, 50, 60, 70, 80, 90, 100].iter().all(|d| due.contains(d)));
/// ```
#[derive(Debug, Clone)]
pub struct ProgressLog {
    step: usize,
    next: usize,
    last: Instant,
}

impl ProgressLog {
    /// The longest time between two lines while items keep finishing.
    pub const INTERVAL: Duration = Duration::from_secs(10);

    /// Paces the lines of a run of `total` items.
    pub fn new(total: usize) -> Self {
        let step = (total / 10).max(1);
        ProgressLog { step, next: step, last: Instant::now() }
    }

    /// Whether a progress line is due now that `done` items are finished; when it is, the
    /// next one is due a tenth of the work (or [`INTERVAL`](Self::INTERVAL)) later.
    pub fn is_due(&mut self, done: usize) -> bool {
        if done < self.next && self.last.elapsed() < Self::INTERVAL {
            return false;
        }
        self.last = Instant::now();
        self.next = (done / self.step + 1) * self.step;
        true
    }
}

/// How an evaluation shows its progress.
enum Display {
    /// Nothing (`with_progress(false)`).
    Off,
    /// A bar on the terminal.
    Bar(ProgressBar),
    /// Periodic `info` lines.
    Log(ProgressLog),
}

pub(crate) struct Progress {
    display: Display,
    total: usize,
}

impl Progress {
    /// Starts reporting a run of `total` examples: `show` is the evaluation's
    /// `with_progress`, `terminal` whether stderr is a terminal.
    pub(crate) fn start(total: usize, concurrency: usize, show: bool, terminal: bool) -> Self {
        tracing::info!(target: "cognate::evaluate", examples = total, concurrency, "evaluation started");
        let display = match (show, terminal) {
            (false, _) => Display::Off,
            (true, false) => Display::Log(ProgressLog::new(total)),
            (true, true) => {
                let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
                if let Ok(style) =
                    ProgressStyle::with_template("{bar:30} {pos}/{len} [{elapsed_precise}<{eta_precise}] {msg}")
                {
                    bar.set_style(style);
                }
                Display::Bar(bar)
            }
        };
        Progress { display, total }
    }

    /// Whether stderr is a terminal (where a bar is drawn).
    pub(crate) fn stderr_is_terminal() -> bool {
        std::io::stderr().is_terminal()
    }

    /// Reports `record`, already added to `totals`.
    pub(crate) fn record(&mut self, record: &Record, totals: &Totals) {
        match &record.error {
            Some(failure) => {
                tracing::debug!(target: "cognate::evaluate", index = record.index, score = record.score.value,
                    infrastructure = failure.is_infrastructure(), error = %failure, "example failed");
            }
            None => {
                tracing::debug!(target: "cognate::evaluate", index = record.index, score = record.score.value, "example scored");
            }
        }
        match &mut self.display {
            Display::Off => {}
            Display::Bar(bar) => {
                let mut message = format!("average {:.3}, {} errors", totals.average(), totals.errors);
                if totals.infra_errors > 0 {
                    message.push_str(&format!(", {} infrastructure errors", totals.infra_errors));
                }
                bar.set_message(message);
                bar.inc(1);
            }
            Display::Log(log) => {
                if log.is_due(totals.completed) {
                    tracing::info!(
                        target: "cognate::evaluate",
                        done = totals.completed,
                        total = self.total,
                        average = totals.average(),
                        errors = totals.errors,
                        infra_errors = totals.infra_errors,
                        "evaluation progress: {}/{} examples, average {:.3}, {} errors, {} infrastructure errors",
                        totals.completed,
                        self.total,
                        totals.average(),
                        totals.errors,
                        totals.infra_errors,
                    );
                }
            }
        }
    }

    pub(crate) fn finish(self, totals: &Totals, stopped_early: bool) {
        if let Display::Bar(bar) = &self.display {
            bar.abandon();
        }
        tracing::info!(
            target: "cognate::evaluate",
            examples = self.total,
            completed = totals.completed,
            errors = totals.errors,
            infra_errors = totals.infra_errors,
            average = totals.average(),
            stopped_early,
            "evaluation finished"
        );
    }
}
