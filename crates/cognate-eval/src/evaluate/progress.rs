//! Progress reporting: an indicatif bar when stderr is a terminal; `tracing` events on the
//! `cognate::evaluate` target always.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::record::Record;

pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
    errors: usize,
    score: f64,
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
        Progress { bar, total, done: 0, errors: 0, score: 0.0 }
    }

    pub(crate) fn record(&mut self, record: &Record) {
        self.done += 1;
        self.score += record.score.value;
        match &record.error {
            Some(failure) => {
                self.errors += 1;
                tracing::debug!(target: "cognate::evaluate", index = record.index, score = record.score.value, error = %failure, "example failed");
            }
            None => {
                tracing::debug!(target: "cognate::evaluate", index = record.index, score = record.score.value, "example scored");
            }
        }
        if let Some(bar) = &self.bar {
            bar.set_message(format!("average {:.3}, {} errors", self.score / self.done as f64, self.errors));
            bar.inc(1);
        }
    }

    pub(crate) fn finish(self, stopped_early: bool) {
        if let Some(bar) = &self.bar {
            bar.abandon();
        }
        let average = if self.done == 0 { 0.0 } else { self.score / self.done as f64 };
        tracing::info!(
            target: "cognate::evaluate",
            examples = self.total,
            completed = self.done,
            errors = self.errors,
            average,
            stopped_early,
            "evaluation finished"
        );
    }
}
