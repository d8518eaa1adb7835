//! The id shapes the emulator checks, as Entra ID and Resource Manager do:
//! a GUID is `8-4-4-4-12` hex digits; a tenant is a GUID or a DNS name.

/// `8-4-4-4-12` hex digits.
pub fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A GUID, or a DNS name of two or more labels (`contoso.onmicrosoft.com`).
pub fn is_tenant(s: &str) -> bool {
    is_guid(s) || (s.contains('.') && s.split('.').all(is_dns_label))
}

/// 1 to 63 letters, digits and inner hyphens.
fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(!is_guid("72f988bf86f141af91ab2d7cd011db47"));
        assert!(!is_guid("72f988bf-86f1-41af-91ab-2d7cd011db4g"));
        assert!(is_tenant("contoso.onmicrosoft.com"));
        assert!(!is_tenant("contoso"));
        assert!(!is_tenant("a..b"));
        assert!(!is_tenant("-a.b"));
    }
}
