//! `XmlAdapter` parsing of any reply: never a panic, a stack overflow or a stall.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cognate_fuzz::parse_reply(&cognate_adapters::XmlAdapter, data));
