//! KZPATCH1: round trips, size on tail edits, and refusal of corrupted patches.

use kaizen_bounty::patch::{apply, apply_with_cap, diff, PatchError};
use proptest::prelude::*;

/// Deterministic pseudo-random bytes (xorshift), for large inputs.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, Vec<u8>),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..40))
            .prop_map(|(a, b)| Edit::Replace(a, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..200))
            .prop_map(|(a, b)| Edit::Insert(a, b)),
        (any::<usize>(), 1usize..300).prop_map(|(a, n)| Edit::Delete(a, n)),
    ]
}

fn edited(base: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = base.to_vec();
    for e in edits {
        let at = |a: usize, len: usize| if len == 0 { 0 } else { a % (len + 1) };
        match e {
            Edit::Replace(a, bytes) => {
                let p = at(*a, v.len());
                for (k, b) in bytes.iter().enumerate() {
                    if let Some(slot) = v.get_mut(p + k) {
                        *slot = *b;
                    }
                }
            }
            Edit::Insert(a, bytes) => {
                let p = at(*a, v.len());
                v.splice(p..p, bytes.iter().copied());
            }
            Edit::Delete(a, n) => {
                let p = at(*a, v.len());
                let end = (p + n).min(v.len());
                v.drain(p..end);
            }
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn applying_the_diff_of_random_inputs_gives_the_new_input(
        base in prop::collection::vec(any::<u8>(), 0..2000),
        new in prop::collection::vec(any::<u8>(), 0..2000),
    ) {
        prop_assert_eq!(apply(&base, &diff(&base, &new)).unwrap(), new);
    }

    #[test]
    fn applying_the_diff_of_an_edited_input_gives_it_back_and_reuses_the_base(
        seed in any::<u64>(),
        len in 0usize..20_000,
        edits in prop::collection::vec(edit_strategy(), 0..6),
    ) {
        let base = noise(len, seed);
        let new = edited(&base, &edits);
        let patch = diff(&base, &new);
        prop_assert_eq!(apply(&base, &patch).unwrap(), new.clone());
        // Each edit costs at most a few blocks of literal bytes.
        let literal_budget = 88 + edits.len() * (3 * 64 + 200 + 40) + 64;
        prop_assert!(patch.len() <= literal_budget.max(88 + new.len() + 12), "patch {} for {} edits", patch.len(), edits.len());
    }

    #[test]
    fn a_patch_with_any_byte_flipped_or_cut_short_is_refused(
        seed in any::<u64>(),
        edits in prop::collection::vec(edit_strategy(), 1..4),
        flip_at in any::<usize>(),
        flip in 1u8..=255,
    ) {
        let base = noise(3000, seed);
        let new = edited(&base, &edits);
        let patch = diff(&base, &new);
        let mut corrupted = patch.clone();
        let at = flip_at % corrupted.len();
        corrupted[at] ^= flip;
        prop_assert!(apply(&base, &corrupted).is_err(), "flip at {}", at);
        let cut = flip_at % patch.len();
        prop_assert!(apply(&base, &patch[..cut]).is_err(), "cut at {}", cut);
    }
}

#[test]
fn changing_only_the_tail_of_a_model_gives_a_patch_about_the_size_of_the_change() {
    let base = noise(1 << 20, 7);
    let mut new = base.clone();
    let tail = new.len() - 4096;
    new[tail..].copy_from_slice(&noise(4096, 8));
    let patch = diff(&base, &new);
    assert!(patch.len() < 4096 + 200, "patch is {} bytes", patch.len());
    assert_eq!(apply(&base, &patch).unwrap(), new);
}

#[test]
fn a_patch_for_another_base_is_refused() {
    let base = noise(1000, 1);
    let patch = diff(&base, &noise(1000, 2));
    let other = noise(1000, 3);
    assert_eq!(apply(&other, &patch), Err(PatchError::BaseHash));
    assert!(matches!(
        apply(&base[..999], &patch),
        Err(PatchError::BaseLength { .. })
    ));
}

#[test]
fn a_result_over_the_cap_is_refused_before_any_op_runs() {
    let base = noise(1000, 1);
    let patch = diff(&base, &noise(5000, 2));
    assert_eq!(
        apply_with_cap(&base, &patch, 4999),
        Err(PatchError::TooLarge {
            len: 5000,
            max: 4999
        })
    );
}

#[test]
fn hand_made_patches_with_out_of_bounds_or_oversized_ops_are_refused() {
    use sha2::{Digest, Sha256};
    let base = b"0123456789".to_vec();
    let header = |result: &[u8]| {
        let mut p = b"KZPATCH1".to_vec();
        p.extend_from_slice(&(base.len() as u64).to_le_bytes());
        p.extend_from_slice(&Sha256::digest(&base));
        p.extend_from_slice(&(result.len() as u64).to_le_bytes());
        p.extend_from_slice(&Sha256::digest(result));
        p
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![0x01, 8, 5], "copy past the base"),
        (
            vec![
                0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 5,
            ],
            "copy offset overflow",
        ),
        (vec![0x01, 0, 0], "empty copy"),
        (vec![0x02, 0x80, 0x00], "non-canonical length"),
        (vec![0x02, 100, b'x'], "insert past the end of the patch"),
        (
            vec![0x02, 6, b'a', b'b', b'c', b'd', b'e', b'f'],
            "insert past the declared length",
        ),
        (vec![0x03], "unknown op"),
        (vec![0x01, 0, 3], "result too short"),
    ];
    for (ops, what) in cases {
        let mut p = header(b"01234");
        p.extend_from_slice(&ops);
        assert!(apply(&base, &p).is_err(), "{what}");
    }
    let mut ok = header(b"01234");
    ok.extend_from_slice(&[0x01, 0, 5]);
    assert_eq!(apply(&base, &ok).unwrap(), b"01234");
    assert_eq!(apply(&base, b"KZPATCH2"), Err(PatchError::BadMagic));
}
