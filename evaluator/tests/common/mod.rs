#![allow(dead_code)]
//! Helpers shared by the integration tests: building NPY/NPZ bytes and reading demo files.

use std::io::{Cursor, Write};
use std::path::PathBuf;

use kaizen_evaluator::dataset::write_npy;

pub fn demo(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../demo")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn f32_npy(shape: &[usize], values: &[f32]) -> Vec<u8> {
    let body: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_npy(shape, "<f4", &body)
}

pub fn i64_npy(values: &[i64]) -> Vec<u8> {
    let body: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_npy(&[values.len()], "<i8", &body)
}

pub fn f64_npy(values: &[f64]) -> Vec<u8> {
    let body: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_npy(&[values.len()], "<f8", &body)
}

/// An NPZ archive of `(name, npy bytes)` entries, deflated or stored.
pub fn npz(entries: &[(&str, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in entries {
        w.start_file(format!("{name}.npy"), opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}
