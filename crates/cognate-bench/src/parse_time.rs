//! Parse time of the three adapters on hostile and well-formed replies of growing size.
//!
//! An LM reply is untrusted input: a runaway model (or a hostile proxy) can return megabytes of
//! junk, and the adapters must read any of it in time linear in its size. This benchmark
//! parses replies of 64 KiB … 8 MiB of several shapes through `ChatAdapter` (which falls back
//! to `JSONAdapter`), `JSONAdapter` and `XMLAdapter`, and reports seconds and nanoseconds per
//! byte: linear growth shows as a flat ns/byte column.
//!
//! ```
//! use cognate_bench::parse_time::{Shape, reply};
//! assert_eq!(reply(Shape::RandomText, 1024).len(), 1024);
//! ```

use std::time::{Duration, Instant};

use cognate::adapters::{Adapter, ChatAdapter, JsonAdapter, XmlAdapter};
use cognate_core::SignatureDesc;
use cognate_core::rng::Rng;

/// The kinds of reply the benchmark generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Printable ASCII drawn at random, with JSON's and XML's special characters over-weighted.
    RandomText,
    /// Characters drawn uniformly from JSON's, Python's and Markdown's punctuation (brackets,
    /// parentheses, quotes, backslashes, comment markers), digits and a few letters.
    JsonAlphabet,
    /// `{"a": "` repeated: unterminated strings and objects everywhere.
    OpenObjects,
    /// Quotes of every kind, alternating, with few other characters.
    Quotes,
    /// Many small top-level JSON objects one after another (json_repair makes a list of them).
    ManyValues,
    /// `[[ ## answer ## ]]` sections repeated, with field-marker look-alikes.
    ChatMarkers,
    /// Well formed: a ChatAdapter reply whose `answer` is one long paragraph.
    WellFormedChat,
    /// Well formed: a JSON object whose `answer` is a long list of numbers.
    WellFormedJson,
    /// Well formed: an XML reply whose `answer` is a long text.
    WellFormedXml,
}

impl Shape {
    /// Every shape, junk first.
    pub const ALL: [Shape; 9] = [
        Shape::RandomText,
        Shape::JsonAlphabet,
        Shape::OpenObjects,
        Shape::Quotes,
        Shape::ManyValues,
        Shape::ChatMarkers,
        Shape::WellFormedChat,
        Shape::WellFormedJson,
        Shape::WellFormedXml,
    ];

    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Shape::RandomText => "random text",
            Shape::JsonAlphabet => "json alphabet",
            Shape::OpenObjects => "open objects",
            Shape::Quotes => "quotes",
            Shape::ManyValues => "many values",
            Shape::ChatMarkers => "chat markers",
            Shape::WellFormedChat => "well-formed chat",
            Shape::WellFormedJson => "well-formed json",
            Shape::WellFormedXml => "well-formed xml",
        }
    }
}

/// A reply of `shape`, exactly `len` bytes long (ASCII), from a fixed seed.
pub fn reply(shape: Shape, len: usize) -> String {
    let mut rng = cognate_core::rng::SeededRng::new(0x9E37_79B9_7F4A_7C15);
    let mut next = move || rng.next_u64();
    let (head, unit, tail): (&str, Box<dyn FnMut() -> String>, &str) = match shape {
        Shape::RandomText => {
            const SPECIAL: &[u8] = b"{}[]\"':,<>/\\#\n ";
            let unit = move || {
                let r = next();
                let c =
                    if r % 3 == 0 { SPECIAL[(r >> 8) as usize % SPECIAL.len()] } else { b' ' + (r >> 16) as u8 % 95 };
                char::from(c).to_string()
            };
            ("", Box::new(unit), "")
        }
        Shape::JsonAlphabet => {
            const ALPHABET: &[u8] = b"{}[]()\"'`:,\\/#*\n\t -.e01aTN";
            let unit = move || char::from(ALPHABET[next() as usize % ALPHABET.len()]).to_string();
            ("", Box::new(unit), "")
        }
        Shape::OpenObjects => ("", Box::new(|| "{\"a\": \"".to_string()), ""),
        Shape::Quotes => {
            let unit = move || ["\"", "'", "\"a", "' ", "\\\"", ":\""][next() as usize % 6].to_string();
            ("", Box::new(unit), "")
        }
        Shape::ManyValues => ("", Box::new(|| "{\"answer\": 1} ".to_string()), ""),
        Shape::ChatMarkers => {
            let unit =
                move || ["[[ ## answer ## ]]\n", "[[ ## x", " ## ]]", "text ", "\n"][next() as usize % 5].to_string();
            ("", Box::new(unit), "")
        }
        Shape::WellFormedChat => {
            ("[[ ## answer ## ]]\n", Box::new(|| "lorem ipsum dolor ".to_string()), "\n\n[[ ## completed ## ]]")
        }
        Shape::WellFormedJson => {
            let unit = move || format!("{}, ", next() % 1000);
            ("{\"answer\": [", Box::new(unit), "1]}")
        }
        Shape::WellFormedXml => ("<answer>", Box::new(|| "lorem ipsum dolor ".to_string()), "</answer>"),
    };
    let mut unit = unit;
    let mut out = String::with_capacity(len);
    out.push_str(head);
    let body = len.saturating_sub(head.len() + tail.len());
    while out.len() < head.len() + body {
        out.push_str(&unit());
    }
    out.truncate(head.len() + body);
    out.push_str(tail);
    out.truncate(len);
    out
}

/// The signature the replies are parsed against: one string and one list of integers, so
/// both the text and the structured paths run.
pub fn signature() -> SignatureDesc {
    SignatureDesc::parse("question -> answer: str, numbers: list[int]").expect("valid signature")
}

/// One measurement.
#[derive(Debug, Clone)]
pub struct Point {
    /// The adapter's name.
    pub adapter: &'static str,
    /// The reply's shape.
    pub shape: Shape,
    /// The reply's size in bytes.
    pub bytes: usize,
    /// The fastest of the repetitions.
    pub time: Duration,
}

impl Point {
    /// Nanoseconds per byte of reply.
    pub fn ns_per_byte(&self) -> f64 {
        self.time.as_nanos() as f64 / self.bytes as f64
    }
}

/// Parses each shape at each size with each adapter, `repeat` times (keeping the fastest).
pub fn measure(sizes: &[usize], repeat: usize, mut report: impl FnMut(&Point)) -> Vec<Point> {
    let sig = signature();
    let adapters: [&dyn Adapter; 3] = [&ChatAdapter, &JsonAdapter, &XmlAdapter];
    let mut points = Vec::new();
    for shape in Shape::ALL {
        for &bytes in sizes {
            let text = reply(shape, bytes);
            for adapter in adapters {
                let mut best = Duration::MAX;
                for _ in 0..repeat.max(1) {
                    let start = Instant::now();
                    let result = adapter.parse(&sig, &text).or_else(|e| match adapter.fallback() {
                        Some(fallback) => fallback.parse(&sig, &text),
                        None => Err(e),
                    });
                    std::hint::black_box(result.is_ok());
                    drop(result);
                    best = best.min(start.elapsed());
                }
                let point = Point { adapter: adapter.name(), shape, bytes, time: best };
                report(&point);
                points.push(point);
            }
        }
    }
    points
}
