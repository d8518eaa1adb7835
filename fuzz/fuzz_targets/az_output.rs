//! `az account get-access-token --output json`: credentials or an error
//! that does not echo the token.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    product::props::az_output(data);
});
