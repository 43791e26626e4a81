//! Progress reporting: an indicatif bar when stderr is a terminal; `tracing` events on the
//! `cognate::evaluate` target always.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::record::{Record, Totals};

pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
}

impl Progress {
    pub(crate) fn start(total: usize, concurrency: usize, show_bar: bool) -> Self {
        tracing::info!(target: "cognate::evaluate", examples = total, concurrency, "evaluation started");
        let bar = (show_bar && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} [{elapsed_precise}<{eta_precise}] {msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, total }
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
        if let Some(bar) = &self.bar {
            let mut message = format!("average {:.3}, {} errors", totals.average(), totals.errors);
            if totals.infra_errors > 0 {
                message.push_str(&format!(", {} infrastructure errors", totals.infra_errors));
            }
            bar.set_message(message);
            bar.inc(1);
        }
    }

    pub(crate) fn finish(self, totals: &Totals, stopped_early: bool) {
        if let Some(bar) = &self.bar {
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
