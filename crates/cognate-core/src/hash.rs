//! FNV-1a (64-bit): the stable, non-cryptographic hash Cognate uses where a value must hash
//! the same in every process, platform and version — the offline embedder's features, the
//! mock server's deterministic replies. Not for hash tables of untrusted keys (no seed).
//!
//! ```
//! use std::hash::Hasher;
//! use cognate_core::hash::{Fnv1a, fnv1a};
//!
//! assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
//! let mut h = Fnv1a::default();
//! h.write(b"foo");
//! h.write(b"bar");
//! assert_eq!(h.finish(), fnv1a(b"foobar"));
//! ```

use std::hash::Hasher;

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a as a [`Hasher`]: writing several pieces hashes their concatenation.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(OFFSET_BASIS)
    }
}

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(PRIME);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// 64-bit FNV-1a of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hasher = Fnv1a::default();
    hasher.write(bytes);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from the FNV test suite (Landon Curt Noll's `test_fnv.c`, FNV-1a 64).
    #[test]
    fn published_test_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
