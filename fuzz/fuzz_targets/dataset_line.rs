//! Dataset files: any bytes, loaded as JSON Lines and as CSV, are rows or a typed error.
#![no_main]

use std::io::Write;

use cognate_eval::Loader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("cognate-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for name in ["rows.jsonl", "rows.csv"] {
        let path = dir.join(name);
        std::fs::File::create(&path).and_then(|mut f| f.write_all(data)).expect("write the input");
        let loader = if name.ends_with(".csv") { Loader::csv(&path) } else { Loader::jsonl(&path) };
        if let Err(e) = loader.load() {
            let _ = e.to_string();
        }
    }
});
