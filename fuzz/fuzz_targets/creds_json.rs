//! AZURE_CREDENTIALS / --creds-file: credentials or an error that does not
//! echo the secret.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        product::props::creds_json(text);
    }
});
