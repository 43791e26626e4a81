//! Look-up tables that keep the repairing scanner's look-aheads linear on long inputs.
//!
//! json_repair's string heuristics look ahead for the next unescaped quote (or brace) again and
//! again; scanning each time is quadratic on long junk. The tables answer "next occurrence of
//! one of these characters at or after position `i`" in amortized constant time.
//!
//! The scanner sometimes edits its text (it inserts a `{` to split an object, or rewrites an
//! object whose quotes were escaped), always at or after the position it is reading. Entries
//! are therefore indexed by *distance from the end of the text*: an edit leaves every entry
//! after the edited region valid, and entries before it are recomputed lazily, only as far
//! back as a look-ahead starts. Rebuilding whole tables on every edit made long junk quadratic.

/// Next-occurrence tables for the target sets seen so far, and memoized backslash runs.
#[derive(Default)]
pub(super) struct Lookup {
    tables: Vec<Table>,
    /// `runs[d]`: the number of backslashes just before the position `len - d`, or
    /// [`UNKNOWN`] when not computed yet.
    runs: Vec<u32>,
}

struct Table {
    targets: Vec<char>,
    /// `next[d]`, for the position `len - d`: the distance from the end of the first target at
    /// or after it, `0` when there is none. Entries `0..next.len()` are valid.
    next: Vec<u32>,
}

const UNKNOWN: u32 = u32::MAX;

impl Lookup {
    /// The first position at or after `start` holding one of `targets` and preceded by an even
    /// number of backslashes (counting from `start` only), or `s.len()`.
    pub(super) fn next_unescaped(&mut self, s: &[char], targets: &[char], start: usize) -> usize {
        let len = s.len();
        let slot = match self.tables.iter().position(|t| t.targets == targets) {
            Some(slot) => slot,
            None => {
                self.tables.push(Table { targets: targets.to_vec(), next: vec![0] });
                self.tables.len() - 1
            }
        };
        let mut from = start;
        while from < len {
            let q = self.tables[slot].next_at(s, from);
            if q >= len {
                return len;
            }
            if self.run_before(s, q).min(q - start) % 2 == 0 {
                return q;
            }
            from = q + 1;
        }
        len
    }

    /// Records that `s[..region_end]` was just edited (at some position after which nothing
    /// else changed): entries for positions after the edited region stay, the rest are
    /// recomputed when needed.
    pub(super) fn edited(&mut self, s: &[char], region_end: usize) {
        let len = s.len();
        let tail = len.saturating_sub(region_end);
        for table in &mut self.tables {
            table.next.truncate(tail + 1);
        }
        // A backslash run counted before the edit may have reached back into the region: the
        // runs before the positions of the run of backslashes that starts the tail (and just
        // after it) are recounted.
        self.runs.truncate(tail);
        let run = s[region_end.min(len)..].iter().take_while(|&&c| c == '\\').count();
        for q in region_end..=(region_end + run).min(len) {
            if let Some(entry) = self.runs.get_mut(len - q) {
                *entry = UNKNOWN;
            }
        }
    }

    /// The number of backslashes just before `q`, memoized.
    fn run_before(&mut self, s: &[char], q: usize) -> usize {
        let d = s.len() - q;
        if self.runs.len() <= d {
            self.runs.resize(d + 1, UNKNOWN);
        }
        if self.runs[d] == UNKNOWN {
            let run = s[..q].iter().rev().take_while(|&&c| c == '\\').count();
            self.runs[d] = run as u32;
        }
        self.runs[d] as usize
    }
}

impl Table {
    fn next_at(&mut self, s: &[char], i: usize) -> usize {
        let len = s.len();
        let d = len - i;
        while self.next.len() <= d {
            let dd = self.next.len();
            let c = s[len - dd];
            let value = if self.targets.contains(&c) { dd as u32 } else { self.next[dd - 1] };
            self.next.push(value);
        }
        len - self.next[d] as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct scan the tables replace.
    fn naive(s: &[char], targets: &[char], start: usize) -> usize {
        let mut backslashes = 0;
        for (i, &c) in s.iter().enumerate().skip(start) {
            if c == '\\' {
                backslashes += 1;
                continue;
            }
            if targets.contains(&c) && backslashes % 2 == 0 {
                return i;
            }
            backslashes = 0;
        }
        s.len()
    }

    #[test]
    fn matches_a_direct_scan_across_edits() {
        let mut s: Vec<char> = r#"ab\"c"d\\"e{f"g\\\"h'i"j{"k":1}\\\""#.chars().collect();
        let mut lookup = Lookup::default();
        let sets: [&[char]; 3] = [&['"'], &['"', '\'', '{'], &['}']];
        let check = |lookup: &mut Lookup, s: &[char]| {
            for targets in sets {
                for start in 0..=s.len() {
                    assert_eq!(
                        lookup.next_unescaped(s, targets, start),
                        naive(s, targets, start),
                        "{targets:?} {start}"
                    );
                }
            }
        };
        check(&mut lookup, &s);
        // json_repair's edits: a `{` inserted, then a region rewritten without escapes.
        s.insert(12, '{');
        lookup.edited(&s, 13);
        check(&mut lookup, &s);
        let replaced: Vec<char> = "\"x\":".chars().collect();
        s.splice(3..9, replaced.clone());
        lookup.edited(&s, 3 + replaced.len());
        check(&mut lookup, &s);
        // An insertion inside a run of backslashes cuts the runs counted before it: `\\\\\\"`
        // (escaped quote) becomes `\\{\\\\"` (unescaped).
        let run = s.windows(4).position(|w| w == ['\\', '\\', '\\', '"']).unwrap();
        s.insert(run + 1, '{');
        lookup.edited(&s, run + 2);
        check(&mut lookup, &s);
    }
}
