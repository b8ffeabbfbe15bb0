mod common;

use common::{f32_npy, f64_npy, i64_npy, npz};
use kaizen_evaluator::dataset::{
    parse_npy, parse_npz, write_npy, ArrayData, DatasetError, DatasetLimits, Labels, TestSet,
};

fn limits() -> DatasetLimits {
    DatasetLimits::default()
}

/// NPY bytes with the given version and raw header text (padded to 16 bytes).
fn npy_with(version: u8, header: &str, body: &[u8]) -> Vec<u8> {
    let mut h = header.to_owned();
    let prefix = if version == 1 { 10 } else { 12 };
    while !(prefix + h.len() + 1).is_multiple_of(16) {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY".to_vec();
    out.extend_from_slice(&[version, 0]);
    if version == 1 {
        out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(h.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(body);
    out
}

#[test]
fn a_float32_matrix_in_npy_v1_parses_to_its_shape_and_values() {
    let a = parse_npy(&f32_npy(&[2, 3], &[1., 2., 3., 4., 5., 6.]), &limits()).unwrap();
    assert_eq!(a.shape, vec![2, 3]);
    assert_eq!(a.data, ArrayData::F32(vec![1., 2., 3., 4., 5., 6.]));
}

#[test]
fn npy_versions_two_and_three_parse_like_version_one() {
    let body: Vec<u8> = [7i32, -8].iter().flat_map(|v| v.to_le_bytes()).collect();
    for version in [2, 3] {
        let bytes = npy_with(
            version,
            "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
            &body,
        );
        let a = parse_npy(&bytes, &limits()).unwrap();
        assert_eq!(a.data, ArrayData::I32(vec![7, -8]));
    }
}

#[test]
fn every_supported_dtype_decodes_little_endian_values() {
    let cases: Vec<(&str, Vec<u8>, ArrayData)> = vec![
        (
            "<f8",
            2.5f64.to_le_bytes().to_vec(),
            ArrayData::F64(vec![2.5]),
        ),
        (
            "<i8",
            (-3i64).to_le_bytes().to_vec(),
            ArrayData::I64(vec![-3]),
        ),
        ("|u1", vec![200], ArrayData::U8(vec![200])),
        ("|b1", vec![1], ArrayData::Bool(vec![true])),
    ];
    for (descr, body, want) in cases {
        let a = parse_npy(&write_npy(&[1], descr, &body), &limits()).unwrap();
        assert_eq!(a.data, want, "{descr}");
    }
}

#[test]
fn a_scalar_and_an_empty_array_parse() {
    let a = parse_npy(&write_npy(&[], "<f4", &1f32.to_le_bytes()), &limits()).unwrap();
    assert_eq!((a.shape.len(), a.data), (0, ArrayData::F32(vec![1.0])));
    let a = parse_npy(&write_npy(&[0, 5], "<f4", &[]), &limits()).unwrap();
    assert_eq!(a.shape, vec![0, 5]);
}

#[test]
fn big_endian_and_unknown_dtypes_are_refused_by_name() {
    for descr in [">f4", "<f2", "<U8", "|O"] {
        let err = parse_npy(&write_npy(&[1], descr, &[0; 4]), &limits()).unwrap_err();
        assert_eq!(err, DatasetError::UnsupportedDtype(descr.into()));
    }
}

#[test]
fn fortran_order_arrays_are_refused() {
    let bytes = npy_with(
        1,
        "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
        &[0; 4],
    );
    assert_eq!(
        parse_npy(&bytes, &limits()).unwrap_err(),
        DatasetError::FortranOrder
    );
}

#[test]
fn a_header_longer_than_the_limit_is_refused_before_it_is_read() {
    let mut bytes = b"\x93NUMPY\x02\x00".to_vec();
    bytes.extend_from_slice(&u32::MAX.to_le_bytes());
    let err = parse_npy(&bytes, &limits()).unwrap_err();
    assert!(matches!(err, DatasetError::HeaderTooLong { .. }), "{err:?}");
}

#[test]
fn a_shape_whose_product_overflows_is_refused() {
    let h = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }";
    let err = parse_npy(&npy_with(1, h, &[]), &limits()).unwrap_err();
    assert!(matches!(err, DatasetError::ShapeOverflow(_)), "{err:?}");
}

#[test]
fn a_declared_size_larger_than_the_bytes_present_is_refused_without_allocating() {
    let h = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000,), }";
    let err = parse_npy(&npy_with(1, h, &[0; 16]), &limits()).unwrap_err();
    assert_eq!(
        err,
        DatasetError::SizeMismatch {
            expected: 8_000_000,
            actual: 16
        }
    );
}

#[test]
fn trailing_bytes_after_the_data_are_refused() {
    let mut bytes = f32_npy(&[1], &[1.0]);
    bytes.push(0);
    assert!(matches!(
        parse_npy(&bytes, &limits()),
        Err(DatasetError::SizeMismatch { .. })
    ));
}

#[test]
fn more_elements_than_the_limit_are_refused() {
    let small = DatasetLimits {
        max_elements: 3,
        ..limits()
    };
    let err = parse_npy(&f32_npy(&[2, 2], &[0.; 4]), &small).unwrap_err();
    assert_eq!(
        err,
        DatasetError::TooManyElements {
            elements: 4,
            max: 3
        }
    );
}

#[test]
fn malformed_headers_and_magic_are_refused_with_typed_errors() {
    assert_eq!(
        parse_npy(b"\x93NUMPX\x01\x00\x00\x00", &limits()).unwrap_err(),
        DatasetError::BadMagic
    );
    assert_eq!(
        parse_npy(b"\x93NUM", &limits()).unwrap_err(),
        DatasetError::Truncated("magic and version")
    );
    assert_eq!(
        parse_npy(b"\x93NUMPY\x04\x00\x00\x00", &limits()).unwrap_err(),
        DatasetError::UnsupportedVersion(4, 0)
    );
    for h in [
        "{'descr': '<f4', 'shape': (1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
        "['descr']",
    ] {
        let err = parse_npy(&npy_with(1, h, &[0; 4]), &limits()).unwrap_err();
        assert!(matches!(err, DatasetError::BadHeader(_)), "{h}: {err:?}");
    }
}

#[test]
fn a_boolean_array_with_a_byte_other_than_zero_or_one_is_refused() {
    let err = parse_npy(&write_npy(&[1], "|b1", &[2]), &limits()).unwrap_err();
    assert!(matches!(err, DatasetError::BadValue(_)));
}

#[test]
fn stored_and_deflated_npz_archives_give_the_same_arrays() {
    let entries = [("x", f32_npy(&[2, 1], &[1., 2.])), ("y", i64_npy(&[0, 1]))];
    let stored = parse_npz(&npz(&entries, false), &limits()).unwrap();
    let deflated = parse_npz(&npz(&entries, true), &limits()).unwrap();
    assert_eq!(stored, deflated);
    assert_eq!(stored.keys().collect::<Vec<_>>(), vec!["x", "y"]);
}

#[test]
fn an_npz_with_too_many_entries_or_a_too_large_entry_is_refused() {
    let entries = [
        ("a", i64_npy(&[1])),
        ("b", i64_npy(&[1])),
        ("c", i64_npy(&[1])),
    ];
    let few = DatasetLimits {
        max_entries: 2,
        ..limits()
    };
    assert!(matches!(
        parse_npz(&npz(&entries, true), &few),
        Err(DatasetError::TooManyEntries { count: 3, max: 2 })
    ));
    let tiny = DatasetLimits {
        max_entry_bytes: 64,
        ..limits()
    };
    let big = [("x", f32_npy(&[100], &[0.; 100]))];
    assert!(matches!(
        parse_npz(&npz(&big, true), &tiny),
        Err(DatasetError::EntryTooLarge { .. })
    ));
}

#[test]
fn garbage_bytes_are_not_an_npz() {
    assert!(matches!(
        parse_npz(b"PK\x03\x04 nonsense", &limits()),
        Err(DatasetError::BadZip(_))
    ));
    assert!(matches!(
        parse_npz(&[], &limits()),
        Err(DatasetError::BadZip(_))
    ));
}

#[test]
fn a_test_set_with_float64_features_converts_them_to_float32() {
    let xs: Vec<u8> = [1.5f64, 2.5].iter().flat_map(|v| v.to_le_bytes()).collect();
    let bytes = npz(
        &[
            ("x", write_npy(&[2, 1], "<f8", &xs)),
            ("y", i64_npy(&[1, 0])),
        ],
        true,
    );
    let t = TestSet::from_npz(&bytes, &limits()).unwrap();
    assert_eq!(
        (t.x, t.x_shape, t.y),
        (vec![1.5, 2.5], vec![2, 1], Labels::Classes(vec![1, 0]))
    );
}

#[test]
fn a_test_set_with_float_labels_is_a_regression_set() {
    let bytes = npz(
        &[
            ("x", f32_npy(&[2, 1], &[1., 2.])),
            ("y", f64_npy(&[0.5, -1.0])),
        ],
        false,
    );
    let t = TestSet::from_npz(&bytes, &limits()).unwrap();
    assert_eq!(t.y, Labels::Values(vec![0.5, -1.0]));
}

#[test]
fn test_sets_missing_arrays_or_with_mismatched_rows_are_refused() {
    let x = f32_npy(&[2, 1], &[1., 2.]);
    type Entries<'a> = Vec<(&'a str, Vec<u8>)>;
    let cases: Vec<(Entries, &str)> = vec![
        (vec![("x", x.clone())], "missing y"),
        (vec![("y", i64_npy(&[1, 0]))], "missing x"),
        (vec![("x", x.clone()), ("y", i64_npy(&[1]))], "row mismatch"),
        (
            vec![("x", x.clone()), ("y", i64_npy(&[1, -1]))],
            "negative label",
        ),
        (
            vec![
                ("x", f32_npy(&[2, 1], &[1., f32::NAN])),
                ("y", i64_npy(&[1, 0])),
            ],
            "NaN feature",
        ),
        (
            vec![("x", f32_npy(&[0, 1], &[])), ("y", i64_npy(&[]))],
            "no rows",
        ),
        (
            vec![("x", i64_npy(&[1, 2])), ("y", i64_npy(&[1, 0]))],
            "integer features",
        ),
    ];
    for (entries, what) in cases {
        let err = TestSet::from_npz(&npz(&entries, true), &limits());
        assert!(
            matches!(
                err,
                Err(DatasetError::MissingArray(_) | DatasetError::BadTestSet { .. })
            ),
            "{what}: {err:?}"
        );
    }
}

#[test]
fn the_demo_test_set_has_171_rows_of_30_features() {
    let t = TestSet::from_npz(&common::demo("breast_cancer_test.npz"), &limits()).unwrap();
    assert_eq!(t.x_shape, vec![171, 30]);
    let Labels::Classes(y) = &t.y else {
        panic!("classification labels expected")
    };
    assert_eq!(y.iter().filter(|&&c| c == 1).count(), 64);
}

#[test]
fn npz_entries_adding_up_past_the_total_limit_are_refused() {
    let entries = [
        ("a", f32_npy(&[100], &[0.; 100])),
        ("b", f32_npy(&[100], &[0.; 100])),
    ];
    let tight = DatasetLimits {
        max_total_bytes: 600,
        ..limits()
    };
    let err = parse_npz(&npz(&entries, true), &tight).unwrap_err();
    assert_eq!(err, DatasetError::TotalTooLarge { max: 600 });
}
