//! Whether numbered deliveries arrived in order, per ordering key: the check `make chaos`
//! and `make bench fifo` make at their receivers. A sender numbers each key's events 0, 1,
//! 2... in the order it published them, one at a time, so that is their commit order and
//! the receiver must see the numbers rise. The same number right after itself is a resent
//! head (at least once); a number below the highest seen is a delivery out of order.

use std::collections::HashMap;

/// One key's arrivals.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyArrivals {
    highest: Option<u64>,
    pub arrivals: u64,
    pub repeats: u64,
    pub out_of_order: u64,
}

impl KeyArrivals {
    fn arrived(&mut self, n: u64) {
        self.arrivals += 1;
        match self.highest {
            Some(highest) if n < highest => self.out_of_order += 1,
            Some(highest) if n == highest => self.repeats += 1,
            _ => self.highest = Some(n),
        }
    }
}

/// Every key's arrivals.
#[derive(Debug, Default, Clone)]
pub struct ArrivalOrder {
    keys: HashMap<String, KeyArrivals>,
}

impl ArrivalOrder {
    /// Records delivery number `n` of `key`.
    pub fn arrived(&mut self, key: &str, n: u64) {
        match self.keys.get_mut(key) {
            Some(k) => k.arrived(n),
            None => self.keys.entry(key.to_string()).or_default().arrived(n),
        }
    }

    /// Deliveries that arrived after a later one of their key, over every key.
    pub fn out_of_order(&self) -> u64 {
        self.keys.values().map(|k| k.out_of_order).sum()
    }

    /// Deliveries that repeated the one just before them, over every key.
    pub fn repeats(&self) -> u64 {
        self.keys.values().map(|k| k.repeats).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rising_numbers_and_repeated_heads_are_in_order_going_back_is_not() {
        let mut order = ArrivalOrder::default();
        for (key, n) in [
            ("a", 0),
            ("b", 0),
            ("a", 1),
            ("a", 1),
            ("b", 2),
            ("a", 3),
            ("b", 1),
            ("a", 0),
        ] {
            order.arrived(key, n);
        }
        assert_eq!(order.repeats(), 1, "a: 1 again right after 1");
        assert_eq!(order.out_of_order(), 2, "b: 1 after 2; a: 0 after 3");
    }
}
