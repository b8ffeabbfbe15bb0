//! Generates Rust code from `proto/kaizen/**.proto` with `protox` (a pure-Rust protobuf
//! compiler), so that building needs no `protoc`.

use std::path::{Path, PathBuf};

fn proto_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            proto_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let mut files = Vec::new();
    proto_files(&root.join("kaizen"), &mut files)?;
    files.sort();
    println!("cargo:rerun-if-changed=kaizen");

    let fds = protox::compile(&files, [&root])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptors = prost::Message::encode_to_vec(&fds);
    std::fs::write(out_dir.join("kaizen_descriptor.bin"), &descriptors)?;
    // JSON (serde) for every message, with the proto field names (as the Cosmos SDK's
    // JSON): events, the CLI's output and genesis read and write it.
    pbjson_build::Builder::new()
        .register_descriptors(&descriptors)?
        .preserve_proto_field_names()
        .emit_fields()
        .build(&[".kaizen"])?;

    let mut config = prost_build::Config::new();
    config.enable_type_names();
    tonic_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds_with_config(config, fds)?;

    cosmos_services(&root)
}

/// The Cosmos SDK services that `cosmos-sdk-proto` leaves out (the consensus parameters
/// query, which cosmpy reads for the block gas limit), generated from the pinned
/// descriptors that reflection serves, so that the code and the descriptors agree.
fn cosmos_services(root: &Path) -> Result<(), Box<dyn std::error::Error>> {
    const FILES: &[&str] = &["cosmos/consensus/v1/query.proto"];
    let descriptors = root.join("cosmos_descriptors.bin");
    println!("cargo:rerun-if-changed=cosmos_descriptors.bin");
    let mut fds: prost_types::FileDescriptorSet =
        prost::Message::decode(std::fs::read(descriptors)?.as_slice())?;
    // The files and everything they import (prost reads the imported messages to decide
    // what to derive); only the services' own modules are included by `lib.rs`.
    let mut needed: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    let mut i = 0;
    while let Some(name) = needed.get(i).cloned() {
        let file = fds
            .file
            .iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| format!("cosmos_descriptors.bin lacks {name}"))?;
        for dep in &file.dependency {
            if !needed.contains(dep) {
                needed.push(dep.clone());
            }
        }
        i += 1;
    }
    fds.file.retain(|f| needed.iter().any(|n| n == f.name()));
    let mut config = prost_build::Config::new();
    config.enable_type_names();
    // The consensus parameters are the CometBFT type that tendermint-rs already holds.
    config.extern_path(".tendermint", "::tendermint_proto::v0_38");
    tonic_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds_with_config(config, fds)?;
    Ok(())
}
