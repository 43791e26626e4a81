//! LabeledFewShot.

use cognate::core::Example;
use cognate::optimize::LabeledFewShot;
use cognate::optimize::pyrandom::PyRandom;

use crate::common::{Simple, Two, demo_questions, trainset};

fn qs(data: &[Example], idx: &[usize]) -> Vec<String> {
    idx.iter().map(|&i| data[i].get("question").unwrap().as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn samples_with_python_random_zero_shared_across_predictors() {
    let data = trainset(12);
    let compiled = LabeledFewShot::new().with_k(4).compile(&Two::new(), &data).await.unwrap();
    let mut rng = PyRandom::new(0);
    let first = rng.sample_indices(12, 4);
    let second = rng.sample_indices(12, 4);
    assert_eq!(
        demo_questions(&compiled.program),
        [("draft".to_string(), qs(&data, &first)), ("answer".to_string(), qs(&data, &second))]
    );
    assert_eq!(compiled.report.optimizer, "LabeledFewShot");
    assert_eq!(compiled.report.trials[0].config["demos_per_predictor"], 4);
    assert_eq!(compiled.report.lm_calls, 0);
}

#[tokio::test]
async fn k_larger_than_the_trainset_takes_everything_and_unsampled_takes_the_head() {
    let data = trainset(5);
    let all = LabeledFewShot::new().compile(&Simple::new(), &data).await.unwrap();
    assert_eq!(all.program.predict.predictor().demos.len(), 5);
    let head = LabeledFewShot::new().with_k(2).with_sample(false).compile(&Simple::new(), &data).await.unwrap();
    assert_eq!(demo_questions(&head.program)[0].1, qs(&data, &[0, 1]));
}

#[tokio::test]
async fn the_student_is_reset_and_left_untouched() {
    let mut student = Simple::new();
    student.predict.predictor_mut().demos = vec![Example::default().with("question", "old").with("answer", "x")];
    let empty = LabeledFewShot::new().compile(&student, &[]).await.unwrap();
    assert!(empty.program.predict.predictor().demos.is_empty(), "an empty trainset leaves the reset copy");
    let compiled = LabeledFewShot::new().with_k(1).compile(&student, &trainset(3)).await.unwrap();
    assert_ne!(compiled.program.predict.predictor().demos[0].get("question").unwrap(), "old");
    assert_eq!(student.predict.predictor().demos.len(), 1);
}
