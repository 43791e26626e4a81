// A skipped field is not a component, so it cannot be renamed.
use cognate::prelude::*;

#[program]
#[derive(Clone)]
struct Rag {
    #[skip]
    #[component(rename = "k")]
    top_k: usize,
}

impl Module for Rag {
    type Input = ();
    type Output = ();
    async fn forward(&self, _: ()) -> cognate::Result<()> {
        Ok(())
    }
}

fn main() {}
