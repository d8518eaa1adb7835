//! Incomplete, empty and invalid sources.

use super::*;

#[test]
fn incomplete_sources_name_what_is_missing_and_do_not_fall_through() {
    let cases: Vec<Case> = vec![
        (
            vec![("AZURE_CLIENT_ID", CLIENT_ID)],
            vec![],
            "azure-env is incomplete: missing AZURE_TENANT_ID, AZURE_CLIENT_SECRET",
        ),
        (
            vec![("ARM_CLIENT_SECRET", SECRET)],
            vec![],
            "arm-env is incomplete: missing ARM_CLIENT_ID, ARM_TENANT_ID",
        ),
        (
            vec![],
            vec!["--client-id", CLIENT_ID],
            "flags is incomplete: missing --tenant-id, a client secret",
        ),
        (
            vec![(
                "AZURE_CREDENTIALS",
                r#"{"clientId":"0a1b2c3d-1111-4a4a-8b8b-000000000001"}"#,
            )],
            vec![],
            "azure-credentials is incomplete: missing AZURE_CREDENTIALS key tenantId, AZURE_CREDENTIALS key clientSecret",
        ),
        (
            vec![(
                "AZURE_CREDENTIALS",
                r#"{"client_id":"0a1b2c3d-1111-4a4a-8b8b-000000000001","tenant_id":"x.onmicrosoft.com"}"#,
            )],
            vec![],
            "missing AZURE_CREDENTIALS key client_secret",
        ),
        // Some set, others empty: GitHub's missing secret is an empty string.
        (
            vec![
                ("AZURE_CLIENT_ID", CLIENT_ID),
                ("AZURE_CLIENT_SECRET", ""),
                ("AZURE_TENANT_ID", TENANT_ID),
            ],
            vec![],
            "azure-env is incomplete: missing AZURE_CLIENT_SECRET",
        ),
    ];
    for (envs, args, expected) in cases {
        let mut w = World::new();
        w.fake_az("ok");
        for (k, v) in &envs {
            w.env(k, v);
        }
        let mut all = vec!["explain"];
        all.extend(args.iter());
        let r = w.run(&all);
        assert_eq!(r.code, 2, "{envs:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(expected),
            "{envs:?}: expected {expected:?} in {}",
            r.stderr
        );
        assert!(r.stderr.contains("hint:"), "{}", r.stderr);
        assert!(w.az_calls().is_empty(), "must not fall through to az");
    }
}

#[test]
fn empty_variables_count_as_absent() {
    let mut w = World::new();
    w.env("AZURE_CLIENT_ID", "")
        .env("AZURE_CLIENT_SECRET", "")
        .env("AZURE_TENANT_ID", "")
        .env("AZURE_CREDENTIALS", "")
        .env("ARM_CLIENT_ID", CLIENT_ID)
        .env("ARM_CLIENT_SECRET", SECRET)
        .env("ARM_TENANT_ID", TENANT_ID)
        .env("ARM_SUBSCRIPTION_ID", SUB_ID);
    assert_eq!(source_of(&explain(&w, &[])), "arm-env");
}

#[test]
fn a_subscription_alone_is_not_a_source() {
    let mut w = World::new();
    w.fake_az("ok");
    w.env("AZURE_SUBSCRIPTION_ID", SUB_2);
    let r = explain(&w, &[]);
    assert_eq!(source_of(&r), "az-cli");
    // Not a source, but the az session's subscription, as with Terraform's
    // ARM_USE_CLI: the session's token is asked for that subscription.
    assert!(
        w.az_calls()
            .iter()
            .any(|c| c.contains(&format!("--subscription {SUB_2}"))),
        "{:?}",
        w.az_calls()
    );
    assert!(skipped_reason(&r, "azure-env").contains("only AZURE_SUBSCRIPTION_ID"));
}

#[test]
fn malformed_json_gives_the_position_not_the_content() {
    let mut w = World::new();
    w.env("AZURE_CREDENTIALS", &format!("{{\n  \"clientId\": \"{CLIENT_ID}\",\n  \"clientSecret\": \"{}\"\n  \"tenantId\": 1\n}}", "s3cr3t-in-json"));
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("AZURE_CREDENTIALS is not valid JSON: syntax error at line 4"),
        "{}",
        r.stderr
    );
    assert!(!r.both().contains("s3cr3t-in-json"));
    assert!(!r.both().contains(CLIENT_ID), "content must not be echoed");
}

#[test]
fn json_values_of_the_wrong_type_are_not_echoed() {
    let mut w = World::new();
    w.env(
        "AZURE_CREDENTIALS",
        r#"{"clientId":"x","clientSecret":123456789,"tenantId":"t.example.com"}"#,
    );
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("AZURE_CREDENTIALS key clientSecret: must be a string"),
        "{}",
        r.stderr
    );
    assert!(!r.both().contains("123456789"));
}

#[test]
fn bad_guids_are_rejected_without_echoing_the_value() {
    let mut w = World::new();
    azure_env(&mut w).env("AZURE_CLIENT_ID", "s3cr3t-pasted-in-the-wrong-field");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("AZURE_CLIENT_ID: is not a GUID"),
        "{}",
        r.stderr
    );

    let mut w = World::new();
    azure_env(&mut w).env("AZURE_TENANT_ID", "not a tenant");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("AZURE_TENANT_ID: is not a GUID or a domain"),
        "{}",
        r.stderr
    );

    let mut w = World::new();
    azure_env(&mut w);
    let r = w.run(&["explain", "--subscription-id", "1234"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--subscription-id is not a GUID"),
        "{}",
        r.stderr
    );
}

#[test]
fn tenant_may_be_a_domain_and_ids_are_trimmed() {
    let mut w = World::new();
    azure_env(&mut w)
        .env("AZURE_TENANT_ID", "contoso.onmicrosoft.com")
        .env("AZURE_CLIENT_ID", &format!(" {CLIENT_ID}\r\n"))
        .env("AZURE_CLIENT_SECRET", &format!("{SECRET}\r\n"));
    let r = explain(&w, &[]);
    assert_eq!(source_of(&r), "azure-env");
    assert_eq!(r.json()["tenant_id"], "contoso.onmicrosoft.com");
    assert_eq!(r.json()["client_id"], CLIENT_ID);
    assert!(
        r.stderr.contains(
            "AZURE_CLIENT_SECRET: whitespace or a line break around the client secret was removed"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn ids_without_secret_and_without_oidc_are_incomplete() {
    let mut w = World::new();
    w.env("AZURE_CLIENT_ID", CLIENT_ID)
        .env("AZURE_TENANT_ID", TENANT_ID);
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("missing AZURE_CLIENT_SECRET"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("id-token: write"), "{}", r.stderr);
}
