//! One file per message handler.

pub mod send;
