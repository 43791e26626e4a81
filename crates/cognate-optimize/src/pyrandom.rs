//! [`PyRandom`]: a port of CPython's `random.Random` (Mersenne Twister MT19937 and the
//! integer-seeded `sample`, `shuffle`, `randint`, `choice` and `random`), so optimizers make the
//! same random choices as DSPy for the same seed.
//!
//! Only integer seeds are supported (DSPy seeds with small integers). Like CPython, the seed's
//! absolute value is used, so `PyRandom::new(-3)` equals `PyRandom::new(3)`.
//!
//! ```
//! use cognate_optimize::pyrandom::PyRandom;
//!
//! // Python: random.Random(0).sample(range(10), 3) == [6, 9, 0]
//! let items: Vec<u32> = (0..10).collect();
//! assert_eq!(PyRandom::new(0).sample(&items, 3), vec![6, 9, 0]);
//! ```

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// CPython's `random.Random`, seeded with an integer.
#[derive(Clone)]
pub struct PyRandom {
    state: Box<[u32; N]>,
    index: usize,
}

impl std::fmt::Debug for PyRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyRandom").field("index", &self.index).finish_non_exhaustive()
    }
}

impl PyRandom {
    /// `random.Random(seed)`.
    pub fn new(seed: i64) -> Self {
        let mut n = seed.unsigned_abs();
        let mut key = Vec::new();
        while n > 0 {
            key.push(n as u32);
            n >>= 32;
        }
        if key.is_empty() {
            key.push(0);
        }
        Self::from_key(&key)
    }

    fn from_key(key: &[u32]) -> Self {
        let mut rng = PyRandom { state: Box::new([0; N]), index: N };
        rng.init_genrand(19_650_218);
        let mt = &mut rng.state;
        let (mut i, mut j) = (1usize, 0usize);
        let mut k = N.max(key.len());
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = N - 1;
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            k -= 1;
        }
        mt[0] = 0x8000_0000;
        rng
    }

    fn init_genrand(&mut self, seed: u32) {
        let mt = &mut self.state;
        mt[0] = seed;
        for i in 1..N {
            mt[i] = 1_812_433_253u32.wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_add(i as u32);
        }
        self.index = N;
    }

    /// The next 32 random bits (`genrand_uint32`).
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            let mt = &mut self.state;
            for kk in 0..N {
                let y = (mt[kk] & UPPER_MASK) | (mt[(kk + 1) % N] & LOWER_MASK);
                let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
                mt[kk] = mt[(kk + M) % N] ^ (y >> 1) ^ mag;
            }
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random()`: a float in `[0, 1)` with 53 random bits.
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for `k <= 64`.
    pub fn getrandbits(&mut self, k: u32) -> u64 {
        assert!(k <= 64, "getrandbits supports at most 64 bits");
        if k == 0 {
            return 0;
        }
        if k <= 32 {
            return u64::from(self.next_u32() >> (32 - k));
        }
        // Little-endian 32-bit words, the last one truncated to the remaining bits.
        let low = u64::from(self.next_u32());
        let high = u64::from(self.next_u32() >> (64 - k));
        low | (high << 32)
    }

    /// `_randbelow(n)`: a uniform integer in `[0, n)` by rejection sampling on
    /// `n.bit_length()` bits. `n` 0 returns 0.
    pub fn randbelow(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let k = 64 - n.leading_zeros();
        let mut r = self.getrandbits(k);
        while r >= n {
            r = self.getrandbits(k);
        }
        r
    }

    /// `randint(a, b)`: a uniform integer in `[a, b]`.
    ///
    /// # Panics
    /// If `a > b` (Python raises `ValueError`).
    pub fn randint(&mut self, a: i64, b: i64) -> i64 {
        assert!(a <= b, "empty range for randint({a}, {b})");
        let width = (b - a + 1) as u64;
        a + self.randbelow(width) as i64
    }

    /// `shuffle(items)` in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.randbelow(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// `choice(items)`: one element, or `None` for an empty slice (Python raises).
    pub fn choice<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        Some(&items[self.randbelow(items.len() as u64) as usize])
    }

    /// `sample(population, k)`: `k` distinct elements in selection order, with CPython's two
    /// strategies (a pool for small populations, a set of chosen indices for large ones).
    ///
    /// # Panics
    /// If `k > population.len()` (Python raises `ValueError`).
    pub fn sample<T: Clone>(&mut self, population: &[T], k: usize) -> Vec<T> {
        self.sample_indices(population.len(), k).into_iter().map(|i| population[i].clone()).collect()
    }

    /// The indices [`sample`](Self::sample) would pick from a population of `n`.
    ///
    /// # Panics
    /// If `k > n`.
    pub fn sample_indices(&mut self, n: usize, k: usize) -> Vec<usize> {
        assert!(k <= n, "sample larger than population");
        let mut setsize = 21usize;
        if k > 5 {
            let exponent = ((k * 3) as f64).ln() / 4f64.ln();
            setsize += 4usize.pow(exponent.ceil() as u32);
        }
        let mut result = Vec::with_capacity(k);
        if n <= setsize {
            let mut pool: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = self.randbelow((n - i) as u64) as usize;
                result.push(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        } else {
            let mut selected = std::collections::HashSet::with_capacity(k);
            for _ in 0..k {
                let mut j = self.randbelow(n as u64) as usize;
                while !selected.insert(j) {
                    j = self.randbelow(n as u64) as usize;
                }
                result.push(j);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_mt19937ar_reference_output() {
        // mt19937ar.c (Matsumoto and Nishimura) after init_by_array({0x123, 0x234, 0x345,
        // 0x456}): the first ten outputs of its published mt19937ar.out.
        let mut r = PyRandom::from_key(&[0x123, 0x234, 0x345, 0x456]);
        let first: Vec<u32> = (0..10).map(|_| r.next_u32()).collect();
        let expected = [
            1067595299, 955945823, 477289528, 4107218783, 4228976476, 3344332714, 3355579695, 227628506, 810200273,
            2591290167,
        ];
        assert_eq!(first, expected);
    }

    // Expected values printed by CPython 3.11 (tests/data/dspy-parity/make_fixtures.py records
    // many more in fixtures.json, checked by tests/it/parity.rs).
    #[test]
    fn first_outputs_match_cpython() {
        let mut r = PyRandom::new(0);
        assert_eq!([r.next_u32(), r.next_u32(), r.next_u32()], [3_626_764_237, 1_654_615_998, 3_255_389_356]);
        // random.Random(2**33 + 1).getrandbits(32): a seed wider than one 32-bit word.
        assert_eq!(PyRandom::new((1 << 33) + 1).next_u32(), 2_510_469_175);
        assert_eq!(PyRandom::new(7).random(), 0.323_832_764_833_162_37);
        let mut r = PyRandom::new(42);
        assert_eq!(r.random(), 0.639_426_798_457_883_8);
    }

    #[test]
    fn wide_seeds_and_bits_match_cpython() {
        // random.Random(2**40 + 5): getrandbits(40) == 569101979940, then randint(1, 4) == 3
        let mut r = PyRandom::new((1 << 40) + 5);
        assert_eq!(r.getrandbits(40), 569_101_979_940);
        assert_eq!(r.randint(1, 4), 3);
    }

    #[test]
    fn negative_seeds_use_the_absolute_value() {
        let a: Vec<u32> = (0..5)
            .map({
                let mut r = PyRandom::new(-3);
                move |_| r.next_u32()
            })
            .collect();
        let b: Vec<u32> = (0..5)
            .map({
                let mut r = PyRandom::new(3);
                move |_| r.next_u32()
            })
            .collect();
        assert_eq!(a, b);
    }
}
