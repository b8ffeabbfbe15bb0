//! One handler per message of `da`.

pub mod answer_challenge;
pub mod certify_blob;
pub mod pay_for_blob;
pub mod submit_randomness;
