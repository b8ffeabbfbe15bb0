use kaizen_evaluator::dataset::Labels;
use kaizen_evaluator::metric::{ppm, MetricSpec};
use kaizen_evaluator::model::Outputs;

fn scores(c: usize, values: &[f32]) -> Outputs {
    Outputs {
        n: values.len() / c,
        c,
        values: values.to_vec(),
    }
}

fn classes(v: &[i64]) -> Labels {
    Labels::Classes(v.to_vec())
}

#[test]
fn every_metric_text_form_round_trips() {
    let hash = "ab".repeat(32);
    for text in [
        "accuracy",
        "precision:1",
        "recall:0",
        "f1:12",
        "macro_f1",
        "roc_auc:1",
        "mse",
        "mae",
        &format!("wasm:{hash}"),
    ] {
        let spec: MetricSpec = text.parse().unwrap();
        assert_eq!(spec.to_string(), text);
    }
}

#[test]
fn non_canonical_metric_texts_are_refused() {
    let upper = format!("wasm:{}", "AB".repeat(32));
    for text in [
        "Accuracy",
        "recall",
        "recall:",
        "recall:01",
        "recall:+1",
        "recall:-1",
        "f1:1:2",
        "wasm:ab",
        &upper,
        "rmse",
        "",
    ] {
        assert!(text.parse::<MetricSpec>().is_err(), "{text:?}");
    }
}

#[test]
fn only_the_error_metrics_are_lower_is_better() {
    assert!(!MetricSpec::Mse.higher_is_better() && !MetricSpec::Mae.higher_is_better());
    assert!(
        MetricSpec::Accuracy.higher_is_better() && MetricSpec::Wasm([0; 32]).higher_is_better()
    );
}

#[test]
fn ppm_rounds_half_down() {
    assert_eq!(ppm(1, 3), 333_333);
    assert_eq!(ppm(2, 3), 666_667);
    assert_eq!(ppm(1, 2_000_000), 0, "exactly half a ppm rounds down");
    assert_eq!(ppm(3, 2_000_000), 1, "one and a half ppm rounds down to 1");
    assert_eq!(
        ppm(3_000_001, 2_000_000_000_000),
        2,
        "just over a half rounds up"
    );
    assert_eq!(ppm(5, 0), 0);
}

#[test]
fn argmax_ties_go_to_the_lowest_class_and_single_scores_split_at_one_half() {
    let o = scores(3, &[0.2, 0.4, 0.4, f32::NAN, 0.1, 0.0, 0.5, 0.5, 0.5]);
    assert_eq!(o.predicted_classes(), vec![1, 1, 0]);
    let o = scores(1, &[0.5, 0.4999, f32::NAN, 0.9]);
    assert_eq!(o.predicted_classes(), vec![1, 0, 0, 1]);
}

#[test]
fn precision_recall_and_f1_count_per_class() {
    // predicted: 1 1 0 0 1 ; labels: 1 0 1 0 1 → tp 2, fp 1, fn 1
    let o = scores(1, &[0.9, 0.8, 0.1, 0.2, 0.7]);
    let y = classes(&[1, 0, 1, 0, 1]);
    assert_eq!(MetricSpec::Precision(1).compute(&o, &y).unwrap(), 666_667);
    assert_eq!(MetricSpec::Recall(1).compute(&o, &y).unwrap(), 666_667);
    assert_eq!(MetricSpec::F1(1).compute(&o, &y).unwrap(), 666_667);
    assert_eq!(MetricSpec::Accuracy.compute(&o, &y).unwrap(), 600_000);
    assert_eq!(MetricSpec::Recall(0).compute(&o, &y).unwrap(), 500_000);
    assert_eq!(
        MetricSpec::Precision(7).compute(&o, &y).unwrap(),
        0,
        "a class never predicted"
    );
}

#[test]
fn macro_f1_averages_the_classes_seen_in_labels_or_predictions() {
    // class 0: tp 1 fp 0 fn 1 → 2/3; class 1: tp 2 fp 1 fn 0 → 4/5; class 2 only predicted → 0
    let o = scores(
        3,
        &[1., 0., 0., 0., 1., 0., 0., 1., 0., 0., 0., 1., 0., 1., 0.],
    );
    let y = classes(&[0, 0, 1, 1, 1]);
    // predicted: 0 1 1 2 1 → class 0: tp1 fn1 → 2/3, class 1: tp2 fp1 fn1 → 4/6, class 2: fp1 → 0
    let want = (2.0 / 3.0 + 4.0 / 6.0 + 0.0) / 3.0 * 1e6;
    let got = MetricSpec::MacroF1.compute(&o, &y).unwrap();
    assert!((got as f64 - want).abs() <= 1.0, "{got} vs {want}");
}

#[test]
fn roc_auc_counts_ties_as_half_a_pair() {
    // positives score 0.9 and 0.5, negatives 0.5 and 0.1: pairs (0.9>0.5) (0.9>0.1) (0.5=0.5) (0.5>0.1)
    let o = scores(1, &[0.9, 0.5, 0.5, 0.1]);
    let y = classes(&[1, 1, 0, 0]);
    assert_eq!(MetricSpec::RocAuc(1).compute(&o, &y).unwrap(), 875_000);
    // Class 0 ranked by the negated score is the same ranking seen from the other side.
    assert_eq!(MetricSpec::RocAuc(0).compute(&o, &y).unwrap(), 875_000);
    let two = scores(2, &[0.1, 0.9, 0.5, 0.5, 0.5, 0.5, 0.9, 0.1]);
    assert_eq!(MetricSpec::RocAuc(1).compute(&two, &y).unwrap(), 875_000);
}

#[test]
fn roc_auc_without_both_classes_is_undefined() {
    let o = scores(1, &[0.9, 0.5]);
    assert!(MetricSpec::RocAuc(1)
        .compute(&o, &classes(&[1, 1]))
        .is_err());
    assert!(MetricSpec::RocAuc(3)
        .compute(&scores(2, &[0.5, 0.5]), &classes(&[1]))
        .is_err());
}

#[test]
fn mse_and_mae_use_outputs_rounded_to_a_ten_thousandth() {
    let o = scores(1, &[1.00004, 2.5, -1.0]);
    let y = Labels::Values(vec![1.0, 2.0, 0.0]);
    // errors 0, 0.5, 1 → mse (0 + 0.25 + 1)/3, mae 1.5/3
    assert_eq!(MetricSpec::Mse.compute(&o, &y).unwrap(), 416_667);
    assert_eq!(MetricSpec::Mae.compute(&o, &y).unwrap(), 500_000);
}

#[test]
fn metrics_refuse_labels_of_the_wrong_kind_or_length() {
    let o = scores(1, &[0.5, 0.5]);
    assert!(MetricSpec::Accuracy
        .compute(&o, &Labels::Values(vec![1.0, 0.0]))
        .is_err());
    assert!(MetricSpec::Mse.compute(&o, &classes(&[1, 0])).is_err());
    assert!(MetricSpec::Accuracy.compute(&o, &classes(&[1])).is_err());
    assert!(MetricSpec::Mae
        .compute(&scores(2, &[0.5, 0.5]), &Labels::Values(vec![1.0]))
        .is_err());
}
