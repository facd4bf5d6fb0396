//! SplitMix64: a tiny, well-known deterministic generator, so the scenario is the same on every
//! machine and with every version of every crate.

pub struct Rng(u64);

impl Rng {
    pub fn seeded(text: &str) -> Rng {
        // FNV-1a of the seed text.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in text.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(hash)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A whole number in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = (high - low + 1) as u64;
        low + (self.next() % span) as i64
    }

    /// `amount` scaled by a factor in per-mille, e.g. 950..=1050 for ±5%.
    pub fn vary(&mut self, amount: i64, low_permille: i64, high_permille: i64) -> i64 {
        let factor = self.between(low_permille, high_permille);
        (i128::from(amount) * i128::from(factor) / 1000) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_bounds_hold() {
        let mut a = Rng::seeded("jingmen-2023");
        let mut b = Rng::seeded("jingmen-2023");
        let first: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(first, second);
        assert_ne!(Rng::seeded("wuhan-2023").next(), Rng::seeded("jingmen-2023").next());
        let mut r = Rng::seeded("x");
        for _ in 0..1000 {
            let v = r.between(3, 7);
            assert!((3..=7).contains(&v));
        }
    }
}
