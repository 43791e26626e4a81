//! A small seeded PRNG (xoshiro256**), so seeded runs are reproducible on every platform
//! without a dependency on `rand`.

/// A source of random 64-bit words. [`SeededRng`] implements it; implement it for another
/// generator (e.g. a `rand` RNG) to drive sampling with that.
pub trait RandomSource {
    /// The next random word.
    fn next_u64(&mut self) -> u64;

    /// A float uniform in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// An integer uniform in `[0, n)`; 0 when `n` is 0.
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Rejection sampling removes the modulo bias.
        let zone = u64::MAX - (u64::MAX % n) - 1;
        loop {
            let x = self.next_u64();
            if x <= zone {
                return x % n;
            }
        }
    }
}

/// xoshiro256** seeded through splitmix64: the same seed gives the same sequence everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededRng {
    s: [u64; 4],
}

impl SeededRng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        SeededRng { s: [next(), next(), next(), next()] }
    }
}

impl RandomSource for SeededRng {
    fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let a: Vec<u64> = {
            let mut r = SeededRng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let mut r = SeededRng::new(42);
        let b: Vec<u64> = (0..5).map(|_| r.next_u64()).collect();
        assert_eq!(a, b);
        let mut other = SeededRng::new(43);
        assert_ne!(a[0], other.next_u64());
    }

    #[test]
    fn below_covers_the_range_uniformly() {
        let mut r = SeededRng::new(3);
        let mut counts = [0u32; 4];
        for _ in 0..4000 {
            counts[r.below(4) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (800..1200).contains(&c)), "{counts:?}");
        let f = r.next_f64();
        assert!((0.0..1.0).contains(&f));
        assert_eq!(r.below(0), 0);
    }
}
