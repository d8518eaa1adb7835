//! Azure DevOps `##vso[task.setvariable]` / `##vso[task.setsecret]`: the
//! agent reads back what was written. Input: up to four values separated
//! by NUL.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let values: Vec<String> = text.split('\0').take(4).map(str::to_owned).collect();
    product::props::ado_round_trip(&values);
});
