// `#[program]` takes one argument, `crate = path`.
use cognate::program;

#[program(krate = ::cognate)]
#[derive(Clone)]
struct Empty {}

impl cognate::Module for Empty {
    type Input = String;
    type Output = String;

    async fn forward(&self, input: String) -> cognate::Result<String> {
        Ok(input)
    }
}

fn main() {}
