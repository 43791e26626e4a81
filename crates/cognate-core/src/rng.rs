//! The seeded random number generator behind every random choice Cognate makes that need
//! not match Python: dataset shuffles, samples and splits, search-space sampling and TPE, the
//! mock server's answers. (The few-shot optimizers' choices must match DSPy's, so they use a
//! port of Python's Mersenne Twister instead, `cognate_optimize::pyrandom`.)
//!
//! [`SeededRng`] is xoshiro256** (Blackman and Vigna) from the `rand_xoshiro` crate, its
//! state filled from a `u64` seed by SplitMix64, as the algorithm's authors recommend: the
//! same seed gives the same sequence on every platform. [`RandomSource`] adds uniform floats,
//! unbiased integers below a bound and Fisher–Yates shuffles to it and to any other
//! [`rand_core::Rng`].
//!
//! ```
//! use cognate_core::rng::{RandomSource, SeededRng};
//!
//! let mut rng = SeededRng::new(7);
//! let mut items = [1, 2, 3, 4, 5];
//! rng.shuffle(&mut items);
//! let mut again = [1, 2, 3, 4, 5];
//! SeededRng::new(7).shuffle(&mut again);
//! assert_eq!(items, again);
//! assert!(rng.below(3) < 3);
//! ```

use std::convert::Infallible;

pub use rand_core::{Rng, SeedableRng, TryRng};
use rand_xoshiro::Xoshiro256StarStar;

/// xoshiro256** seeded through SplitMix64 (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededRng(Xoshiro256StarStar);

impl SeededRng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRng(Xoshiro256StarStar::seed_from_u64(seed))
    }
}

impl TryRng for SeededRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.0.try_next_u32()
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0.try_next_u64()
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        self.0.try_fill_bytes(dest)
    }
}

/// What Cognate draws from a random generator, for every [`Rng`] (such as [`SeededRng`], or
/// any generator of the `rand` crates).
pub trait RandomSource: Rng {
    /// A float uniform in `[0, 1)` (the top 53 bits of the next word).
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

    /// Shuffles `items` in place (Fisher–Yates, from the back).
    fn shuffle<T>(&mut self, items: &mut [T])
    where
        Self: Sized,
    {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

impl<R: Rng + ?Sized> RandomSource for R {}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(rng: &mut impl Rng, n: usize) -> Vec<u64> {
        (0..n).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn xoshiro256starstar_matches_the_reference_implementation() {
        // The reference xoshiro256starstar.c from the state {1, 2, 3, 4} (rand_xoshiro's own
        // test vector).
        let mut seed = [0u8; 32];
        for (i, word) in [1u64, 2, 3, 4].iter().enumerate() {
            seed[i * 8..i * 8 + 8].copy_from_slice(&word.to_le_bytes());
        }
        let expected = [
            11520,
            0,
            1509978240,
            1215971899390074240,
            1216172134540287360,
            607988272756665600,
            16172922978634559625,
            8476171486693032832,
            10595114339597558777,
            2904607092377533576,
        ];
        assert_eq!(words(&mut Xoshiro256StarStar::from_seed(seed), 10), expected);
    }

    #[test]
    fn seeding_goes_through_the_reference_splitmix64() {
        // splitmix64.c from x = 0: the state SeededRng::new(0) starts from.
        let mut splitmix = rand_xoshiro::SplitMix64::seed_from_u64(0);
        assert_eq!(
            words(&mut splitmix, 4),
            [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC]
        );
        // xoshiro256starstar.c after filling its state with splitmix64.c's first four outputs.
        assert_eq!(
            words(&mut SeededRng::new(0), 5),
            [
                0x99EC_5F36_CB75_F2B4,
                0xBF6E_1F78_4956_452A,
                0x1A5F_849D_4933_E6E0,
                0x6AA5_94F1_262D_2D2C,
                0xBBA5_AD4A_1F84_2E59
            ]
        );
        assert_eq!(
            words(&mut SeededRng::new(42), 5),
            [
                0x1578_0B2E_0C2E_C716,
                0x6104_D986_6D11_3A7E,
                0xAE17_5332_39E4_99A1,
                0xECB8_AD47_03B3_60A1,
                0xFDE6_DC7F_E2EC_5E64
            ]
        );
    }

    #[test]
    fn below_covers_the_range_uniformly() {
        let mut r = SeededRng::new(3);
        let mut counts = [0u32; 4];
        for _ in 0..4000 {
            counts[r.below(4) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (800..1200).contains(&c)), "{counts:?}");
        assert!((0..1000).all(|_| (0.0..1.0).contains(&r.next_f64())));
        assert_eq!(r.below(0), 0);
        assert_eq!(r.below(1), 0);
    }

    #[test]
    fn shuffle_permutes_and_depends_only_on_the_seed() {
        let mut items: Vec<u32> = (0..50).collect();
        SeededRng::new(1).shuffle(&mut items);
        assert_ne!(items, (0..50).collect::<Vec<_>>());
        let mut sorted = items.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        let mut again: Vec<u32> = (0..50).collect();
        SeededRng::new(1).shuffle(&mut again);
        assert_eq!(items, again);
        let mut other: Vec<u32> = (0..50).collect();
        SeededRng::new(2).shuffle(&mut other);
        assert_ne!(items, other);
        // Nothing to shuffle is fine.
        SeededRng::new(1).shuffle(&mut [0u8; 0]);
        SeededRng::new(1).shuffle(&mut [0u8]);
    }
}
