//! The branch matcher. Input: `pattern\nbranch`. Any pattern is refused or
//! matches without panic; the pattern mapped onto `a b / * ?` must agree
//! with the filter rules written out by hand.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, branch) = text.split_once('\n').unwrap_or((text, ""));
    product::props::branch_any(pattern, branch);
    let glob: String = pattern
        .bytes()
        .map(|b| ['a', 'b', '/', '*', '?'][usize::from(b) % 5])
        .collect();
    let name: String = branch
        .bytes()
        .map(|b| ['a', 'b', '/'][usize::from(b) % 3])
        .collect();
    if !glob.contains("***") && !glob.contains("**/") && !glob.contains("/**") {
        product::props::branch_matches_reference(&glob, &name);
    }
});
