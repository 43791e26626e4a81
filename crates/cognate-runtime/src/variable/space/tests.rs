//! Unit tests of the search space's bookkeeping (the behaviour end to end is in
//! `tests/it/variables.rs`).

use serde_json::json;

use super::pattern_matches;
use crate::program::{Component, Visitor, VisitorMut, child_path};
use crate::variable::{Domain, SearchSpace, Variable};
use crate::{Predictor, predictor::CallConfig};

struct Two {
    p: Predictor,
    n: Variable<i64>,
}

impl Component for Two {
    fn visit<'a>(&'a self, path: &str, v: &mut dyn Visitor<'a>) {
        self.p.visit(&child_path(path, "p"), v);
        self.n.visit(&child_path(path, "n"), v);
    }
    fn visit_mut<'a>(&'a mut self, path: &str, v: &mut dyn VisitorMut<'a>) {
        self.p.visit_mut(&child_path(path, "p"), v);
        self.n.visit_mut(&child_path(path, "n"), v);
    }
}

fn two() -> Two {
    let mut p = Predictor::new(cognate_core::SignatureDesc::parse("q -> a").unwrap());
    p.config = CallConfig::default().with_temperature(3.0);
    Two { p, n: Variable::int(-4, 4, 2, 0).unwrap() }
}

#[test]
fn patterns() {
    assert!(pattern_matches("*.temperature", "a.b.temperature"));
    assert!(pattern_matches("*.temperature", "temperature"));
    assert!(!pattern_matches("*.temperature", "a.max_temperature"));
    assert!(pattern_matches("a.*", "a.b.c"));
    assert!(!pattern_matches("a.*", "ab.c"));
    assert!(pattern_matches("n", "n") && !pattern_matches("n", "p.n"));
}

#[test]
fn freezing() {
    let space = SearchSpace::of(&two());
    assert_eq!(space.names(), ["p.instructions", "p.demos", "p.adapter", "p.temperature", "n"]);
    assert_eq!(SearchSpace::of(&two()).exclude(["p.*"]).names(), ["n"]);
    assert_eq!(SearchSpace::of(&two()).only(["*.demos", "n"]).names(), ["p.demos", "n"]);
    assert_eq!(SearchSpace::of(&two()).without_builtins().names(), ["n"]);
    assert!(space.is_active("n") && !SearchSpace::of(&two()).without_builtins().is_active("p.demos"));
}

#[test]
fn temperature_and_demo_bounds() {
    // A temperature outside the range is clamped into the default.
    let space = SearchSpace::of(&two());
    assert_eq!(space.default_configuration().unwrap()["p.temperature"], json!(2.0));
    let space = SearchSpace::of(&two()).with_temperature_range(0.5, 1.0).with_max_demos(2);
    assert_eq!(space.domain("p.temperature"), Some(&Domain::Float { low: 0.5, high: 1.0, log: false }));
    assert_eq!(space.default_configuration().unwrap()["p.temperature"], json!(1.0));
    let mut space = space;
    let demo = cognate_core::Example::default().with("q", "x");
    assert!(space.add_demo_candidate("p.demos", vec![demo.clone(); 3]).is_err());
    space.add_demo_candidate("p.demos", vec![demo]).unwrap();
    assert!(space.add_instruction_candidate("n", "text").is_err());
}

#[test]
fn apply_reports_a_variable_the_program_lacks() {
    let space = SearchSpace::of(&two());
    let config = space.default_configuration().unwrap();
    let mut other = two();
    other.p = Predictor::new(cognate_core::SignatureDesc::parse("q -> a").unwrap());
    space.apply(&config, &mut other).unwrap();
    assert_eq!(other.p.config.temperature, Some(2.0));
    struct Empty;
    impl Component for Empty {
        fn visit<'a>(&'a self, _: &str, _: &mut dyn Visitor<'a>) {}
        fn visit_mut<'a>(&'a mut self, _: &str, _: &mut dyn VisitorMut<'a>) {}
    }
    let err = space.apply(&config, &mut Empty).unwrap_err().to_string();
    assert_eq!(err, "variable `p.instructions`: the program has no predictor `p`");
}
