pub(crate) mod multistore;
pub(crate) mod substore;
