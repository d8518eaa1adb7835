//! `env --shell bash|powershell|dotenv|json`: each reads back the value,
//! or the writer refused it.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(value) = std::str::from_utf8(data) {
        product::props::shell_round_trip(value);
    }
});
