//! Writes the `FileDescriptorSet` of the Cosmos SDK services kaizend serves, for gRPC
//! reflection. Run by `scripts/gen-cosmos-descriptors.sh`, which fetches the pinned
//! Cosmos SDK, CometBFT, gogoproto, cosmos-proto and googleapis protos with
//! `go mod download` and passes their directories as include paths:
//!
//! `cargo run -p kaizen-proto --example gen_cosmos_descriptors -- OUT INCLUDE...`

use prost::Message;

const SERVICES: &[&str] = &[
    "cosmos/auth/v1beta1/query.proto",
    "cosmos/bank/v1beta1/query.proto",
    "cosmos/params/v1beta1/query.proto",
    "cosmos/tx/v1beta1/service.proto",
    "cosmos/base/tendermint/v1beta1/query.proto",
    "cosmos/consensus/v1/query.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: gen_cosmos_descriptors OUT INCLUDE...")?;
    let includes: Vec<String> = args.collect();
    let fds = protox::compile(SERVICES, &includes)?;
    std::fs::write(&out, fds.encode_to_vec())?;
    eprintln!("wrote {} files to {out}", fds.file.len());
    Ok(())
}
