// `#[skip]` is a bare marker: it takes no arguments.
use cognate::prelude::*;

#[program]
#[derive(Clone)]
struct Rag {
    #[skip(always)]
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
