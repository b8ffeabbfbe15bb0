//! Kaizen's protobuf messages and gRPC services, generated from `proto/kaizen/**`.
//!
//! The Cosmos SDK types (transactions, `MsgSend`, auth and bank queries) come from
//! `cosmos-sdk-proto` through `cosmrs`; this crate holds only what Kaizen defines.

#![allow(clippy::all, missing_docs)]

/// The encoded `FileDescriptorSet` of every Kaizen proto, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/kaizen_descriptor.bin"));

pub mod event;

pub mod kaizen {
    pub mod auth {
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/kaizen.auth.v1.rs"));
        }
    }
    pub mod bank {
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/kaizen.bank.v1.rs"));
        }
    }
}
