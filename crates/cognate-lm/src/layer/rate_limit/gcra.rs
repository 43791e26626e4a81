//! The generic cell rate algorithm (GCRA) for one quantity (requests or tokens), on a clock the
//! caller passes in: time is a `Duration` since the limiter's origin, so the algorithm is pure
//! and the layer can run it on tokio's clock (which a test may pause).
//!
//! The state is one number, the *theoretical arrival time* (TAT): the time at which everything
//! admitted so far would have been paid for at the sustained rate. A request of `cost` units
//! may go once `TAT - slack(cost) <= now`, where `slack(cost)` is the part of the burst the
//! request does not use; admitting it moves TAT to `max(TAT, now) + span(cost)`.
//!
//! A request larger than the burst is admitted when nothing is owed (`TAT <= now`) and leaves
//! TAT in the future ("debt"): the requests after it wait until it is paid for. Charges can be
//! corrected afterwards ([`Gcra::adjust`]), which is how the token estimate is reconciled with
//! the reply's usage.
//!
//! **What it guarantees.** Every half-open window of one period sees at most
//! `amount + max(burst, largest cost) - 1` units admitted: `amount` for unit requests with
//! the default burst of 1. Spans are rounded up and slacks down, so rounding never lets more
//! through. (For units `j..=k` admitted at `s_j <= s_k` with total `C`:
//! `TAT_{k-1} >= s_j + span(C - c_k)` and `s_k >= TAT_{k-1} - slack(c_k)`, so
//! `s_k - s_j >= (C - max(c_k, burst)) * period / amount`, and `s_k - s_j < period`.)
//! The property test below checks it on random traffic.

use std::time::Duration;

/// `amount` units per `period`, up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quota {
    pub(crate) amount: u64,
    pub(crate) period: Duration,
    pub(crate) burst: u64,
}

/// One quantity's schedule.
#[derive(Debug, Clone)]
pub(crate) struct Gcra {
    quota: Quota,
    /// The theoretical arrival time, since the limiter's origin.
    tat: Duration,
}

impl Gcra {
    pub(crate) fn new(quota: Quota) -> Self {
        debug_assert!(quota.amount > 0 && !quota.period.is_zero() && quota.burst > 0);
        Gcra { quota, tat: Duration::ZERO }
    }

    /// `units` at the sustained rate, rounded up (or down): `period * units / amount`.
    fn span(&self, units: u64, round_up: bool) -> Duration {
        let numerator = self.quota.period.as_nanos().saturating_mul(u128::from(units));
        let amount = u128::from(self.quota.amount);
        let nanos = if round_up { numerator.div_ceil(amount) } else { numerator / amount };
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// The earliest time a request of `cost` units may go (possibly in the past).
    pub(crate) fn ready_at(&self, cost: u64) -> Duration {
        let unused_burst = self.quota.burst - cost.min(self.quota.burst);
        self.tat.saturating_sub(self.span(unused_burst, false))
    }

    /// Admits `cost` units at `now` (which the caller made sure is at or after
    /// [`ready_at`](Self::ready_at)).
    pub(crate) fn admit(&mut self, now: Duration, cost: u64) {
        self.tat = self.tat.max(now).saturating_add(self.span(cost, true));
    }

    /// Corrects an earlier charge by `delta` units: more debt when positive, a refund (rounded
    /// down) when negative. A refund never moves TAT before `now`: unused capacity is not
    /// banked beyond a full burst.
    pub(crate) fn adjust(&mut self, now: Duration, delta: i64) {
        if delta >= 0 {
            self.tat = self.tat.saturating_add(self.span(delta.unsigned_abs(), true));
        } else if self.tat > now {
            self.tat = self.tat.saturating_sub(self.span(delta.unsigned_abs(), false)).max(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    /// Admits each `(arrival, cost)` in order, first come first served, the way the layer does
    /// (each waits for the one before it), and returns the send times.
    fn run(quota: Quota, arrivals: &[(Duration, u64)]) -> Vec<(Duration, u64)> {
        let mut gcra = Gcra::new(quota);
        let mut previous = Duration::ZERO;
        arrivals
            .iter()
            .map(|&(arrival, cost)| {
                let send = arrival.max(previous).max(gcra.ready_at(cost));
                gcra.admit(send, cost);
                previous = send;
                (send, cost)
            })
            .collect()
    }

    /// The most units in any half-open window `[t, t + period)`.
    fn max_in_window(sends: &[(Duration, u64)], period: Duration) -> u64 {
        (0..sends.len())
            .map(|i| sends[i..].iter().take_while(|(t, _)| *t < sends[i].0 + period).map(|(_, c)| c).sum())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn unit_requests_with_no_burst_are_paced_evenly() {
        let quota = Quota { amount: 60, period: MINUTE, burst: 1 };
        let sends = run(quota, &[(Duration::ZERO, 1); 5]);
        let times: Vec<_> = sends.iter().map(|(t, _)| t.as_secs()).collect();
        assert_eq!(times, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_burst_goes_at_once_then_the_sustained_rate_follows() {
        let quota = Quota { amount: 60, period: MINUTE, burst: 3 };
        let sends = run(quota, &[(Duration::ZERO, 1); 6]);
        let times: Vec<_> = sends.iter().map(|(t, _)| t.as_secs()).collect();
        assert_eq!(times, [0, 0, 0, 1, 2, 3]);
    }

    #[test]
    fn a_request_above_the_burst_goes_when_nothing_is_owed_and_the_next_pays_for_it() {
        // 10 tokens per second; a 50-token request goes at once, the next waits 5 s.
        let quota = Quota { amount: 600, period: MINUTE, burst: 1 };
        let sends = run(quota, &[(Duration::ZERO, 50), (Duration::ZERO, 10), (Duration::ZERO, 10)]);
        let times: Vec<_> = sends.iter().map(|(t, _)| t.as_secs()).collect();
        assert_eq!(times, [0, 5, 6]);
    }

    #[test]
    fn adjustments_add_debt_or_refund_without_banking_capacity() {
        let quota = Quota { amount: 600, period: MINUTE, burst: 1 };
        let mut gcra = Gcra::new(quota);
        gcra.admit(Duration::ZERO, 50); // owes 5 s
        gcra.adjust(Duration::ZERO, -30); // used 20: owes 2 s
        assert_eq!(gcra.ready_at(1), Duration::from_secs(2));
        gcra.adjust(Duration::ZERO, 10); // used 30 after all: owes 3 s
        assert_eq!(gcra.ready_at(1), Duration::from_secs(3));
        // A refund larger than the debt stops at `now`.
        gcra.adjust(Duration::from_secs(1), -1000);
        assert_eq!(gcra.ready_at(1), Duration::from_secs(1));
        // Nothing happens once the debt is paid.
        gcra.adjust(Duration::from_secs(10), -1000);
        assert_eq!(gcra.ready_at(1), Duration::from_secs(1));
    }

    #[test]
    fn awkward_rates_round_towards_the_limit_never_past_it() {
        // 7 per minute is 8.571428571428... s apart: rounding up keeps 7 in every minute.
        let quota = Quota { amount: 7, period: MINUTE, burst: 1 };
        let sends = run(quota, &[(Duration::ZERO, 1); 50]);
        assert_eq!(max_in_window(&sends, MINUTE), 7);
        // Huge amounts and costs saturate instead of overflowing.
        let mut gcra = Gcra::new(Quota { amount: 1, period: Duration::MAX, burst: 1 });
        gcra.admit(Duration::ZERO, u64::MAX);
        gcra.adjust(Duration::ZERO, i64::MAX);
        assert!(gcra.ready_at(1) > Duration::from_secs(1 << 33)); // centuries away, no panic
        let mut wide = Gcra::new(Quota { amount: 1, period: Duration::MAX, burst: u64::MAX });
        wide.admit(Duration::ZERO, u64::MAX);
        assert_eq!(wide.ready_at(1), Duration::ZERO); // the burst covers it
    }

    proptest! {
        /// The guarantee of the module docs, on random arrivals, costs, rates and bursts.
        #[test]
        fn no_window_of_one_period_sees_more_than_the_bound(
            amount in 1u64..200,
            burst in 1u64..20,
            gaps in proptest::collection::vec((0u64..3_000, 1u64..40), 1..300),
        ) {
            let quota = Quota { amount, period: MINUTE, burst };
            let mut at = Duration::ZERO;
            let arrivals: Vec<_> = gaps
                .iter()
                .map(|&(gap_ms, cost)| {
                    at += Duration::from_millis(gap_ms);
                    (at, cost)
                })
                .collect();
            let largest = arrivals.iter().map(|(_, c)| *c).max().unwrap_or(1);
            let sends = run(quota, &arrivals);
            prop_assert!(max_in_window(&sends, MINUTE) < amount + burst.max(largest));

            // Unit requests with no burst: never more than `amount` in a minute.
            let units: Vec<_> = arrivals.iter().map(|&(t, _)| (t, 1)).collect();
            let sends = run(Quota { amount, period: MINUTE, burst: 1 }, &units);
            prop_assert!(max_in_window(&sends, MINUTE) <= amount);
        }
    }
}
