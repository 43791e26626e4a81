// Every kind of variable, with literal and non-literal arguments, in a struct.
use cognate::prelude::*;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
enum Style {
    Terse,
    Verbose,
}

const MAX_HOPS: u32 = 6;

struct Knobs {
    temperature: Variable<f32>,
    learning_rate: Variable<f64>,
    hops: Variable<u32>,
    k: Variable<i64>,
    negative: Variable<f64>,
    cache: Variable<bool>,
    tone: Variable<String>,
    style: Variable<Style>,
    every: Variable<Style>,
    sizes: Variable<u16>,
}

fn main() {
    let knobs = Knobs {
        temperature: variable!(float(0..=1), default = 0.7),
        learning_rate: variable!(float(1e-4..=1e-1, log), default = 1e-3),
        hops: variable!(int(1..=MAX_HOPS), default = 2),
        k: variable!(int(-50..=50, step = 25), default = -25),
        negative: variable!(float(-1.0..=-0.5), default = -0.75),
        cache: variable!(bool, default = true),
        tone: variable!(choice["terse", "verbose"], default = "terse"),
        style: variable!(choice[Style::Terse, Style::Verbose], default = Style::Verbose),
        every: variable!(choice(Style), default = Style::Terse),
        sizes: variable!(choice[128, 256, 512], default = 256,),
    };
    assert_eq!(knobs.hops.get(), 2);
    assert_eq!(knobs.k.get(), -25);
    assert_eq!(knobs.temperature.get(), 0.7);
    assert_eq!(knobs.style.get(), Style::Verbose);
    assert_eq!(knobs.sizes.get(), 256);
    let _ = (knobs.learning_rate, knobs.negative, knobs.cache, knobs.tone, knobs.every);
}
