//! Entra ID and Resource Manager reply bodies (token errors and AADSTS
//! codes, subscription, permissions, ARM errors): never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    product::props::replies(data);
});
