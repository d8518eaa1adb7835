//! Adjacent precedence pairs, as a table.

use super::*;

/// One row: the variables (and flags) of two adjacent sources, the winner,
/// and the loser whose skip reason names the winner.
struct Pair {
    vars: Vec<(&'static str, String)>,
    flags: &'static [&'static str],
    winner: &'static str,
    loser: &'static str,
}

fn pairs() -> Vec<Pair> {
    let azure_env = || {
        vec![
            ("AZURE_CLIENT_ID", CLIENT_ID.to_owned()),
            ("AZURE_CLIENT_SECRET", SECRET.to_owned()),
            ("AZURE_TENANT_ID", TENANT_ID.to_owned()),
            ("AZURE_SUBSCRIPTION_ID", SUB_ID.to_owned()),
        ]
    };
    let oidc_ids = vec![
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "https://127.0.0.1:1/token?api-version=2.0".to_owned(),
        ),
        (
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            OIDC_REQUEST_TOKEN.to_owned(),
        ),
        ("AZURE_CLIENT_ID", CLIENT_ID.to_owned()),
        ("AZURE_TENANT_ID", TENANT_ID.to_owned()),
    ];
    let flags: &[&str] = &[
        "--client-id",
        CLIENT_ID,
        "--tenant-id",
        TENANT_ID,
        "--subscription-id",
        SUB_ID,
    ];
    let mut arm_over_oidc = oidc_ids.clone();
    arm_over_oidc.extend([
        ("ARM_CLIENT_ID", CLIENT_ID.to_owned()),
        ("ARM_CLIENT_SECRET", SECRET.to_owned()),
        ("ARM_TENANT_ID", TENANT_ID.to_owned()),
        ("ARM_SUBSCRIPTION_ID", SUB_ID.to_owned()),
    ]);
    let mut env_over_arm = azure_env();
    env_over_arm.extend([
        ("ARM_CLIENT_ID", CLIENT_ID.to_owned()),
        ("ARM_CLIENT_SECRET", "other-arm-secret".to_owned()),
        ("ARM_TENANT_ID", TENANT_ID.to_owned()),
    ]);
    let mut json_over_env = azure_env();
    json_over_env.push(("AZURE_CREDENTIALS", creds_json("cloudstudio")));
    vec![
        Pair {
            vars: vec![
                ("AZURE_CREDENTIALS", creds_json("azure-login")),
                ("AZURE_CLIENT_SECRET", SECRET.to_owned()),
            ],
            flags,
            winner: "flags",
            loser: "azure-credentials",
        },
        Pair {
            vars: json_over_env,
            flags: &[],
            winner: "azure-credentials",
            loser: "azure-env",
        },
        Pair {
            vars: env_over_arm,
            flags: &[],
            winner: "azure-env",
            loser: "arm-env",
        },
        Pair {
            vars: arm_over_oidc,
            flags: &[],
            winner: "arm-env",
            loser: "github-oidc",
        },
        Pair {
            vars: oidc_ids,
            flags: &["--subscription-id", SUB_ID],
            winner: "github-oidc",
            loser: "az-cli",
        },
    ]
}

/// The managed identity, asked for, after federation and any complete
/// source (its own win over az-cli needs an endpoint: `managed_identity`).
fn managed_identity_pairs() -> Vec<Pair> {
    let mut oidc_over_mi = vec![
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "https://127.0.0.1:1/token?api-version=2.0".to_owned(),
        ),
        (
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            OIDC_REQUEST_TOKEN.to_owned(),
        ),
        ("AZURE_CLIENT_ID", CLIENT_ID.to_owned()),
        ("AZURE_TENANT_ID", TENANT_ID.to_owned()),
    ];
    oidc_over_mi.push(("ARM_USE_MSI", "true".to_owned()));
    // The runner's token outranks an asked-for managed identity only when
    // federation is asked for too (Terraform's ARM_USE_OIDC).
    oidc_over_mi.push(("ARM_USE_OIDC", "true".to_owned()));
    // A token the user put in place needs no asking.
    let token_over_mi = vec![
        ("ARM_OIDC_TOKEN", "header.payload.signature".to_owned()),
        ("ARM_CLIENT_ID", CLIENT_ID.to_owned()),
        ("ARM_TENANT_ID", TENANT_ID.to_owned()),
        ("ARM_USE_MSI", "true".to_owned()),
    ];
    let arm_over_mi = vec![
        ("AZURE_USE_MSI", "true".to_owned()),
        ("ARM_CLIENT_ID", CLIENT_ID.to_owned()),
        ("ARM_CLIENT_SECRET", SECRET.to_owned()),
        ("ARM_TENANT_ID", TENANT_ID.to_owned()),
    ];
    vec![
        Pair {
            vars: oidc_over_mi,
            flags: &["--subscription-id", SUB_ID],
            winner: "github-oidc",
            loser: "managed-identity",
        },
        Pair {
            vars: token_over_mi,
            flags: &["--subscription-id", SUB_ID],
            winner: "federated-token",
            loser: "managed-identity",
        },
        // A complete source lower than federation still wins over it.
        Pair {
            vars: arm_over_mi,
            flags: &["--subscription-id", SUB_ID],
            winner: "arm-env",
            loser: "managed-identity",
        },
    ]
}

#[test]
fn each_source_beats_the_next_one() {
    for pair in pairs().into_iter().chain(managed_identity_pairs()) {
        let mut w = World::new();
        // A working az session is on PATH: the winner must not run it.
        w.fake_az("ok");
        for (k, v) in &pair.vars {
            w.env(k, v);
        }
        let r = explain(&w, pair.flags);
        assert_eq!(
            source_of(&r),
            pair.winner,
            "{} over {}",
            pair.winner,
            pair.loser
        );
        let reason = skipped_reason(&r, pair.loser);
        assert!(
            reason.contains(&format!("{} comes first", pair.winner)),
            "{} over {}: {reason}",
            pair.winner,
            pair.loser
        );
        assert!(w.az_calls().is_empty(), "az must not run");
    }
}

#[test]
fn every_source_but_the_winner_is_listed_as_skipped() {
    let mut w = World::new();
    azure_env(&mut w);
    let r = explain(&w, &[]);
    let skipped: Vec<String> = r.json()["skipped"]
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["source"].as_str().expect("str").to_owned())
        .collect();
    assert_eq!(
        skipped,
        [
            "flags",
            "azure-credentials",
            "arm-env",
            "federated-token",
            "azure-devops-oidc",
            "github-oidc",
            "managed-identity",
            "az-cli"
        ]
    );
}
