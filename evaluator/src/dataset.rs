//! Test sets: NPY arrays and NPZ archives, parsed with every size checked before allocating.
//!
//! Supported: NPY format versions 1.0, 2.0 and 3.0; little-endian, C-order arrays of dtype
//! `<f4`, `<f8`, `<i8`, `<i4`, `|u1`, `|b1`. NPZ archives (what `numpy.savez` and
//! `numpy.savez_compressed` write) with stored or deflated entries.
//!
//! A test set is an NPZ holding `x` (features, `<f4` or `<f8`, shape `[N, ...]`, converted to
//! f32) and `y` (labels, shape `[N]`: integers or booleans for classification, floats for
//! regression).
//!
//! # Invariants
//! - Nothing is allocated from a declared size before that size is checked against the caller's
//!   [`DatasetLimits`] and against the bytes actually present.
//! - Parsing is a pure function of the bytes: the same archive gives the same arrays everywhere.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use thiserror::Error;

/// Bounds on what a test set may declare.
#[derive(Clone, Debug)]
pub struct DatasetLimits {
    /// Most elements in one array.
    pub max_elements: u64,
    /// Longest NPY header (the Python dict) in bytes.
    pub max_header_len: usize,
    /// Most entries in an NPZ archive.
    pub max_entries: usize,
    /// Largest uncompressed NPZ entry in bytes.
    pub max_entry_bytes: u64,
    /// Most uncompressed bytes over all entries of an NPZ.
    pub max_total_bytes: u64,
}

impl Default for DatasetLimits {
    fn default() -> Self {
        Self {
            max_elements: 64 << 20,
            max_header_len: 64 << 10,
            max_entries: 16,
            max_entry_bytes: 512 << 20,
            max_total_bytes: 1 << 30,
        }
    }
}

/// Why bytes are not a usable array, archive or test set.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DatasetError {
    #[error("not an NPY array (bad magic)")]
    BadMagic,
    #[error("unsupported NPY format version {0}.{1}")]
    UnsupportedVersion(u8, u8),
    #[error("NPY input ends early: {0}")]
    Truncated(&'static str),
    #[error("NPY header of {len} bytes exceeds the limit of {max}")]
    HeaderTooLong { len: usize, max: usize },
    #[error("malformed NPY header: {0}")]
    BadHeader(String),
    #[error("unsupported dtype {0:?} (supported: <f4 <f8 <i8 <i4 |u1 |b1)")]
    UnsupportedDtype(String),
    #[error("Fortran-order arrays are not supported")]
    FortranOrder,
    #[error("shape {0:?}: element count overflows")]
    ShapeOverflow(Vec<u64>),
    #[error("array of {elements} elements exceeds the limit of {max}")]
    TooManyElements { elements: u64, max: u64 },
    #[error("array data is {actual} bytes, its header declares {expected}")]
    SizeMismatch { expected: u64, actual: u64 },
    #[error("bad value in array: {0}")]
    BadValue(String),
    #[error("not a readable NPZ archive: {0}")]
    BadZip(String),
    #[error("NPZ archive has {count} entries, the limit is {max}")]
    TooManyEntries { count: usize, max: usize },
    #[error("NPZ entry {name:?} is {size} bytes uncompressed, the limit is {max}")]
    EntryTooLarge { name: String, size: u64, max: u64 },
    #[error("NPZ entries add up to more than {max} bytes uncompressed")]
    TotalTooLarge { max: u64 },
    #[error("NPZ entry {0:?} uses a compression method other than stored or deflate")]
    UnsupportedCompression(String),
    #[error("NPZ entry name {0:?} appears twice")]
    DuplicateEntry(String),
    #[error("test set has no array {0:?}")]
    MissingArray(&'static str),
    #[error("test set array {array:?}: {reason}")]
    BadTestSet { array: &'static str, reason: String },
}

/// The element type of an NPY array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F64,
    I64,
    I32,
    U8,
    Bool,
}

impl Dtype {
    fn parse(descr: &str) -> Result<Self, DatasetError> {
        Ok(match descr {
            "<f4" => Dtype::F32,
            "<f8" => Dtype::F64,
            "<i8" => Dtype::I64,
            "<i4" => Dtype::I32,
            "|u1" => Dtype::U8,
            "|b1" => Dtype::Bool,
            other => return Err(DatasetError::UnsupportedDtype(other.to_owned())),
        })
    }

    /// Bytes per element.
    pub fn size(self) -> u64 {
        match self {
            Dtype::F32 | Dtype::I32 => 4,
            Dtype::F64 | Dtype::I64 => 8,
            Dtype::U8 | Dtype::Bool => 1,
        }
    }
}

/// The elements of an array, in C order.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayData {
    F32(Vec<f32>),
    F64(Vec<f64>),
    I64(Vec<i64>),
    I32(Vec<i32>),
    U8(Vec<u8>),
    Bool(Vec<bool>),
}

/// A parsed NPY array.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    pub shape: Vec<usize>,
    pub data: ArrayData,
}

impl Array {
    pub fn dtype(&self) -> Dtype {
        match self.data {
            ArrayData::F32(_) => Dtype::F32,
            ArrayData::F64(_) => Dtype::F64,
            ArrayData::I64(_) => Dtype::I64,
            ArrayData::I32(_) => Dtype::I32,
            ArrayData::U8(_) => Dtype::U8,
            ArrayData::Bool(_) => Dtype::Bool,
        }
    }
}

const NPY_MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Parses one NPY array.
///
/// Checks, in order and before allocating: magic, version, header length against
/// `limits.max_header_len` and the bytes present, the header's dict, the dtype, the shape's
/// element count (overflow, then `limits.max_elements`), and that the data is exactly
/// `elements × itemsize` bytes.
pub fn parse_npy(bytes: &[u8], limits: &DatasetLimits) -> Result<Array, DatasetError> {
    if bytes.len() < 8 {
        return Err(DatasetError::Truncated("magic and version"));
    }
    if &bytes[..6] != NPY_MAGIC {
        return Err(DatasetError::BadMagic);
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (header_len, header_start) = match (major, minor) {
        (1, 0) => {
            let b = bytes
                .get(8..10)
                .ok_or(DatasetError::Truncated("header length"))?;
            (u16::from_le_bytes([b[0], b[1]]) as usize, 10)
        }
        (2, 0) | (3, 0) => {
            let b = bytes
                .get(8..12)
                .ok_or(DatasetError::Truncated("header length"))?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        }
        _ => return Err(DatasetError::UnsupportedVersion(major, minor)),
    };
    if header_len > limits.max_header_len {
        return Err(DatasetError::HeaderTooLong {
            len: header_len,
            max: limits.max_header_len,
        });
    }
    let header_end = header_start + header_len; // both small: no overflow
    let header = bytes
        .get(header_start..header_end)
        .ok_or(DatasetError::Truncated("header"))?;
    // Versions 1 and 2 are latin-1; 3 is UTF-8. The dict itself must be ASCII in practice.
    let header = std::str::from_utf8(header)
        .map_err(|_| DatasetError::BadHeader("header is not UTF-8".into()))?;
    let parsed = parse_header(header)?;
    if parsed.fortran_order {
        return Err(DatasetError::FortranOrder);
    }
    let dtype = Dtype::parse(&parsed.descr)?;
    let elements = element_count(&parsed.shape)?;
    if elements > limits.max_elements {
        return Err(DatasetError::TooManyElements {
            elements,
            max: limits.max_elements,
        });
    }
    let expected = elements
        .checked_mul(dtype.size())
        .ok_or_else(|| DatasetError::ShapeOverflow(parsed.shape.clone()))?;
    let body = &bytes[header_end..];
    if body.len() as u64 != expected {
        return Err(DatasetError::SizeMismatch {
            expected,
            actual: body.len() as u64,
        });
    }
    let shape = parsed
        .shape
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| DatasetError::ShapeOverflow(parsed.shape.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let data = decode(dtype, body)?;
    Ok(Array { shape, data })
}

fn element_count(shape: &[u64]) -> Result<u64, DatasetError> {
    shape
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| DatasetError::ShapeOverflow(shape.to_vec()))
}

fn decode(dtype: Dtype, body: &[u8]) -> Result<ArrayData, DatasetError> {
    fn chunks<const N: usize, T>(body: &[u8], f: impl Fn([u8; N]) -> T) -> Vec<T> {
        body.chunks_exact(N)
            .map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                f(a)
            })
            .collect()
    }
    Ok(match dtype {
        Dtype::F32 => ArrayData::F32(chunks(body, f32::from_le_bytes)),
        Dtype::F64 => ArrayData::F64(chunks(body, f64::from_le_bytes)),
        Dtype::I64 => ArrayData::I64(chunks(body, i64::from_le_bytes)),
        Dtype::I32 => ArrayData::I32(chunks(body, i32::from_le_bytes)),
        Dtype::U8 => ArrayData::U8(body.to_vec()),
        Dtype::Bool => ArrayData::Bool(
            body.iter()
                .map(|&b| match b {
                    0 => Ok(false),
                    1 => Ok(true),
                    other => Err(DatasetError::BadValue(format!("boolean byte {other}"))),
                })
                .collect::<Result<_, _>>()?,
        ),
    })
}

struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<u64>,
}

/// Parses the header dict, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
/// Accepts exactly the three keys, each once, in any order; values are a string, a boolean and
/// a tuple of non-negative integers.
fn parse_header(text: &str) -> Result<Header, DatasetError> {
    let bad = |m: &str| DatasetError::BadHeader(m.to_owned());
    let mut p = HeaderParser {
        s: text.as_bytes(),
        i: 0,
    };
    p.expect(b'{')?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        p.skip_ws();
        if p.eat(b'}') {
            break;
        }
        let key = p.string()?;
        p.expect(b':')?;
        match key.as_str() {
            "descr" if descr.is_none() => descr = Some(p.string()?),
            "fortran_order" if fortran.is_none() => fortran = Some(p.boolean()?),
            "shape" if shape.is_none() => shape = Some(p.tuple()?),
            _ => return Err(DatasetError::BadHeader(format!("unexpected key {key:?}"))),
        }
        p.skip_ws();
        if !p.eat(b',') {
            p.expect(b'}')?;
            break;
        }
    }
    // Trailing spaces and the final newline are padding.
    if !p.s[p.i..].iter().all(|b| b.is_ascii_whitespace()) {
        return Err(bad("text after the header dict"));
    }
    Ok(Header {
        descr: descr.ok_or_else(|| bad("no 'descr'"))?,
        fortran_order: fortran.ok_or_else(|| bad("no 'fortran_order'"))?,
        shape: shape.ok_or_else(|| bad("no 'shape'"))?,
    })
}

struct HeaderParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl HeaderParser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), DatasetError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(DatasetError::BadHeader(format!(
                "expected {:?} at byte {}",
                c as char, self.i
            )))
        }
    }

    fn string(&mut self) -> Result<String, DatasetError> {
        self.skip_ws();
        let quote = match self.s.get(self.i) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => {
                return Err(DatasetError::BadHeader(format!(
                    "expected a string at byte {}",
                    self.i
                )))
            }
        };
        let start = self.i + 1;
        let len = self.s[start..]
            .iter()
            .position(|&b| b == quote)
            .ok_or_else(|| DatasetError::BadHeader("unterminated string".into()))?;
        self.i = start + len + 1;
        String::from_utf8(self.s[start..start + len].to_vec())
            .map_err(|_| DatasetError::BadHeader("string is not UTF-8".into()))
    }

    fn boolean(&mut self) -> Result<bool, DatasetError> {
        self.skip_ws();
        let rest = &self.s[self.i..];
        if rest.starts_with(b"True") {
            self.i += 4;
            Ok(true)
        } else if rest.starts_with(b"False") {
            self.i += 5;
            Ok(false)
        } else {
            Err(DatasetError::BadHeader("expected True or False".into()))
        }
    }

    fn tuple(&mut self) -> Result<Vec<u64>, DatasetError> {
        self.expect(b'(')?;
        let mut dims = Vec::new();
        loop {
            if self.eat(b')') {
                return Ok(dims);
            }
            if dims.len() >= 32 {
                return Err(DatasetError::BadHeader("more than 32 dimensions".into()));
            }
            self.skip_ws();
            let start = self.i;
            while self.s.get(self.i).is_some_and(|b| b.is_ascii_digit()) {
                self.i += 1;
            }
            let digits = std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default();
            let d: u64 = digits.parse().map_err(|_| {
                DatasetError::BadHeader(format!("expected a dimension at byte {start}"))
            })?;
            dims.push(d);
            if !self.eat(b',') {
                self.expect(b')')?;
                return Ok(dims);
            }
        }
    }
}

/// Parses an NPZ archive into its arrays, keyed by name without the `.npy` suffix.
///
/// The entry count, each entry's declared uncompressed size, their total and the bytes actually
/// inflated are all bounded by `limits` (a lying size field cannot make the reader inflate
/// more). Buffers are reserved no larger than the compressed bytes could inflate to (deflate
/// expands at most ~1032:1), so a tiny archive declaring huge entries allocates little.
pub fn parse_npz(
    bytes: &[u8],
    limits: &DatasetLimits,
) -> Result<BTreeMap<String, Array>, DatasetError> {
    let zip_err = |e: zip::result::ZipError| DatasetError::BadZip(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_err)?;
    if archive.len() > limits.max_entries {
        return Err(DatasetError::TooManyEntries {
            count: archive.len(),
            max: limits.max_entries,
        });
    }
    // Bytes an entry may inflate to: the NPY header, its prefix and the largest body allowed.
    let cap = limits.max_entry_bytes;
    let mut arrays = BTreeMap::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(zip_err)?;
        let name = entry.name().map_err(zip_err)?.into_owned();
        match entry.compression() {
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated => {}
            _ => return Err(DatasetError::UnsupportedCompression(name)),
        }
        let size = entry.size();
        if size > cap {
            return Err(DatasetError::EntryTooLarge {
                name,
                size,
                max: cap,
            });
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(DatasetError::TotalTooLarge {
                max: limits.max_total_bytes,
            });
        }
        let packed = entry.compressed_size();
        let stored = entry.compression() == zip::CompressionMethod::Stored;
        if stored && packed != size {
            return Err(DatasetError::BadZip(format!(
                "stored entry {name:?}: sizes differ"
            )));
        }
        let reserve = size.min(packed.saturating_mul(1032));
        let mut data = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
        (&mut entry)
            .take(size.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| DatasetError::BadZip(format!("entry {name:?}: {e}")))?;
        if data.len() as u64 != size {
            return Err(DatasetError::BadZip(format!(
                "entry {name:?} inflates to {} bytes, declares {size}",
                data.len()
            )));
        }
        let key = name.strip_suffix(".npy").unwrap_or(&name).to_owned();
        let array = parse_npy(&data, limits)?;
        if arrays.insert(key.clone(), array).is_some() {
            return Err(DatasetError::DuplicateEntry(key));
        }
    }
    Ok(arrays)
}

/// Labels of a test set.
#[derive(Clone, Debug, PartialEq)]
pub enum Labels {
    /// Class indexes (non-negative), from integer or boolean `y`.
    Classes(Vec<i64>),
    /// Regression targets (finite), from float `y`.
    Values(Vec<f64>),
}

impl Labels {
    pub fn len(&self) -> usize {
        match self {
            Labels::Classes(v) => v.len(),
            Labels::Values(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parsed test set: `n` rows of features of shape `row_shape`, and their labels.
#[derive(Clone, Debug, PartialEq)]
pub struct TestSet {
    /// Shape of `x`, `[n, ...]`.
    pub x_shape: Vec<usize>,
    /// Features in C order, `n × product(x_shape[1..])` values, all finite.
    pub x: Vec<f32>,
    pub y: Labels,
}

impl TestSet {
    pub fn n(&self) -> usize {
        self.x_shape[0]
    }

    /// Parses an NPZ test set (see the module doc) and checks it: `x` of rank ≥ 1 with finite
    /// values, `y` of shape `[N]` with `N ≥ 1` rows matching `x`, class labels non-negative,
    /// regression targets finite.
    pub fn from_npz(bytes: &[u8], limits: &DatasetLimits) -> Result<Self, DatasetError> {
        let mut arrays = parse_npz(bytes, limits)?;
        let x = arrays.remove("x").ok_or(DatasetError::MissingArray("x"))?;
        let y = arrays.remove("y").ok_or(DatasetError::MissingArray("y"))?;
        let bad = |array, reason: String| DatasetError::BadTestSet { array, reason };
        if x.shape.is_empty() {
            return Err(bad("x", "is a scalar; expected shape [N, ...]".into()));
        }
        if y.shape.len() != 1 {
            return Err(bad("y", format!("has shape {:?}; expected [N]", y.shape)));
        }
        let n = x.shape[0];
        if n == 0 {
            return Err(bad("x", "has no rows".into()));
        }
        if y.shape[0] != n {
            return Err(bad("y", format!("has {} rows, x has {n}", y.shape[0])));
        }
        let features: Vec<f32> = match x.data {
            ArrayData::F32(v) => v,
            ArrayData::F64(v) => v.into_iter().map(|f| f as f32).collect(),
            _ => {
                return Err(bad(
                    "x",
                    format!("has dtype {:?}; expected f32 or f64", x.dtype()),
                ))
            }
        };
        if let Some(i) = features.iter().position(|f| !f.is_finite()) {
            return Err(bad("x", format!("value {i} is not finite")));
        }
        let labels = match y.data {
            ArrayData::I64(v) => Labels::Classes(v),
            ArrayData::I32(v) => Labels::Classes(v.into_iter().map(i64::from).collect()),
            ArrayData::U8(v) => Labels::Classes(v.into_iter().map(i64::from).collect()),
            ArrayData::Bool(v) => Labels::Classes(v.into_iter().map(i64::from).collect()),
            ArrayData::F32(v) => Labels::Values(v.into_iter().map(f64::from).collect()),
            ArrayData::F64(v) => Labels::Values(v),
        };
        match &labels {
            Labels::Classes(v) => {
                if let Some(i) = v
                    .iter()
                    .position(|&c| !(0..=i64::from(u32::MAX)).contains(&c))
                {
                    return Err(bad("y", format!("label {i} is {}; expected 0..2^32", v[i])));
                }
            }
            Labels::Values(v) => {
                if let Some(i) = v.iter().position(|f| !f.is_finite()) {
                    return Err(bad("y", format!("value {i} is not finite")));
                }
            }
        }
        Ok(TestSet {
            x_shape: x.shape,
            x: features,
            y: labels,
        })
    }
}

/// Writes an NPY v1.0 array (used by tests and tools to build test sets).
pub fn write_npy(shape: &[usize], descr: &str, body: &[u8]) -> Vec<u8> {
    let dims = match shape {
        [d] => format!("({d},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}");
    // Pad so that the data starts on a 64-byte boundary, ending with a newline.
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + body.len());
    out.extend_from_slice(NPY_MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(body);
    out
}
