//! cloudstudio.yml: a config or an error pointing inside the file.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        product::props::config_parse(text);
    }
});
