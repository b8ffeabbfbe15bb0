//! Every key the app itself (not a module) keeps: chain identity and block facts.

pub fn chain_id() -> &'static str {
    "app/chain_id"
}

/// SHA-256 of the `app_state` bytes of genesis, to recognise a repeated `InitChain`.
pub fn genesis_hash() -> &'static str {
    "app/genesis_hash"
}

/// The transaction limits and minimum gas price (`kaizen.app.v1.TxParams`).
pub fn tx_params() -> &'static str {
    "app/tx_params"
}

/// `ConsensusParams.block.max_gas` as given at `InitChain` (i64, big-endian).
pub fn block_max_gas() -> &'static str {
    "app/block_max_gas"
}
