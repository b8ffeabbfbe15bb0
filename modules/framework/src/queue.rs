//! Height-keyed queues: block hooks keep due work under `<prefix><height:020>/...` so
//! that a prefix scan yields it oldest first and a hook can stop after a capped number.

/// The height in a height-keyed queue entry: the 20 zero-padded digits right after
/// `prefix` (`<prefix><height:020>/...`).
pub fn queue_height(key: &str, prefix: &str) -> Option<u64> {
    key.strip_prefix(prefix)?.get(..20)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_heights_are_the_twenty_digits_after_the_prefix() {
        assert_eq!(queue_height("q/00000000000000000042/x", "q/"), Some(42));
        assert_eq!(queue_height("q/42/x", "q/"), None);
        assert_eq!(queue_height("r/00000000000000000042/x", "q/"), None);
    }
}
