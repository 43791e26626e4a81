// `#[signature(crate = path)]` when `cognate` is reached through another path, such as a
// facade crate re-exporting it.

mod facade {
    pub use ::cognate::*;
}

use cognate as renamed;
use cognate::Signature as _;

#[facade::signature(crate = crate::facade)]
struct ThroughFacade {
    #[input]
    question: String,
    #[output]
    answer: String,
}

#[renamed::signature(crate = renamed)]
struct ThroughRename {
    #[input]
    question: String,
    #[output]
    answer: String,
}

fn main() {
    assert_eq!(ThroughFacade::descriptor().name, "ThroughFacade");
    assert_eq!(ThroughRename::descriptor().outputs[0].name, "answer");
    let _ = (ThroughFacadeInput { question: String::new() }, ThroughRenameOutput { answer: String::new() });
}
