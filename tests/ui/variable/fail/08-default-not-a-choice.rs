// The default of a choice must be one of the options.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum Style {
    Terse,
    Verbose,
}

fn main() {
    let _v: cognate::Variable<Style> = cognate::variable!(choice[Style::Terse], default = Style::Verbose);
}
