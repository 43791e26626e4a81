// The expansion uses absolute paths only: shadowing prelude and primitive names changes nothing.
#![allow(non_camel_case_types, dead_code)]

use cognate::prelude::{ChainOfThought, Module, Predict, program};
use signatures::QA;

/// The signature lives where nothing is shadowed: this test is about `#[program]`.
mod signatures {
    use cognate::prelude::*;

    /// Answer.
    #[signature]
    pub struct QA {
        #[input]
        pub question: String,
        #[output]
        pub answer: String,
    }
}

struct Option;
struct Some;
struct None;
struct Result;
struct Ok;
struct Vec;
struct Box;
struct String;
struct str;
struct usize;
trait Clone {}
trait Send {}
trait Sync {}
trait Sized {}
trait Component {}
trait Program {}
trait Visitor {}
mod core {}
mod std {}
mod cognate_runtime {}
fn child_path() {}

#[program]
#[derive(::core::clone::Clone)]
struct Hygienic {
    generate_answer: ChainOfThought<QA>,
    hops: ::std::vec::Vec<Predict<QA>>,
    #[skip]
    k: u32,
}

impl Module for Hygienic {
    type Input = ();
    type Output = ();
    async fn forward(&self, _: ()) -> cognate::Result<()> {
        cognate::Result::Ok(())
    }
}

fn main() {
    use cognate::ComponentExt as _;
    use cognate::Program as _;
    let p = Hygienic { generate_answer: ChainOfThought::new(), hops: ::std::vec::Vec::new(), k: 1 };
    assert_eq!(p.named_predictors().len(), 1);
    assert_eq!(p.type_name(), "Hygienic");
}
