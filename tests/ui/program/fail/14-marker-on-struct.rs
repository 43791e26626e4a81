// `#[skip]` marks a field, not the program struct.
use cognate::prelude::*;

#[program]
#[skip]
#[derive(Clone)]
struct Rag {
    #[skip]
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
