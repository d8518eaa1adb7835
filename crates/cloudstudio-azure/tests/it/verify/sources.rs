//! Credential sources other than a client secret: GitHub OIDC (masks first)
//! and the `az login` session (its token used as is).

use super::access::oidc_world;
use super::*;
use base64::Engine as _;

fn jwt_claims(jwt: &str) -> Value {
    let seg = jwt.split('.').nth(1).expect("claims segment");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(seg)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[test]
fn github_oidc_passes_without_a_secret() {
    let e = Emu::demo();
    let w = oidc_world(&e);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["source"], "github-oidc");
    assert_eq!(doc["client_id"], demo::OIDC_CLIENT_ID);
    assert_eq!(doc["passed"], true);
    assert_mentions(
        check(&doc, "token")["detail"].as_str().expect("detail"),
        &["GitHub OIDC token as a client assertion"],
    );
    let routes: Vec<Route> = e.emu.requests().iter().map(|r| r.route).collect();
    assert_eq!(routes[..2], [Route::Oidc, Route::Token]);
    assert_eq!(routes.len(), 4, "{routes:?}");
    assert!(e.log().iter().all(|(_, s)| *s == 200), "{:?}", e.log());
}

#[test]
fn github_oidc_in_actions_masks_request_token_and_derived_tokens_first() {
    let e = Emu::demo();
    let w = World::new();
    let env = [
        ("SSL_CERT_FILE", e.emu.ca_pem_path().display().to_string()),
        ("GITHUB_ACTIONS", "true".into()),
        ("AZURE_CLIENT_ID", demo::OIDC_CLIENT_ID.into()),
        ("AZURE_TENANT_ID", demo::TENANT_ID.into()),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", e.emu.oidc_request_url()),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", e.emu.oidc_request_token()),
    ];
    let mut b = w.bin_in(w.path(), &[]);
    b.args(e.args(demo::PROD_SUBSCRIPTION_ID, &[]));
    for (k, v) in &env {
        b.env(k, v);
    }
    let run = b.run_merged();
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.is_empty(), "all output went to the pipe");
    let out = run.stdout.clone();
    let lines: Vec<&str> = out.lines().collect();
    let masks: Vec<&str> = lines
        .iter()
        .take_while(|l| l.starts_with("::add-mask::"))
        .map(|l| &l["::add-mask::".len()..])
        .collect();
    assert_eq!(
        masks.len(),
        3,
        "request token, ID token, access token:\n{out}"
    );
    assert_eq!(masks[0], demo::GITHUB_REQUEST_TOKEN, "{out}");
    let id = jwt_claims(masks[1]);
    assert_eq!(id["sub"], demo::GITHUB_SUBJECT, "the ID token: {id}");
    assert_eq!(id["aud"], "api://AzureADTokenExchange", "{id}");
    let access = jwt_claims(masks[2]);
    assert_eq!(
        access["appid"],
        demo::OIDC_CLIENT_ID,
        "the access token: {access}"
    );
    // Nothing is masked late, and every token is masked.
    assert!(
        lines[masks.len()..]
            .iter()
            .all(|l| !l.starts_with("::add-mask::")),
        "{out}"
    );
    assert_mentions(&out, &["✓ token", "✓ role", "access is sufficient"]);
    e.assert_no_leak(&run, &["verify (merged)"]);
}

/// The fake `az`, printing the demo session's token.
fn fake_az(w: &World) {
    crate::support::fake_az(
        &w.path().join("bin"),
        crate::support::Az::Session {
            token: demo::CLI_ACCESS_TOKEN,
            subscription: demo::DEV_SUBSCRIPTION_ID,
            tenant: demo::TENANT_ID,
        },
    );
}

#[test]
fn az_session_token_is_used_as_is() {
    let e = Emu::demo();
    let w = e.world();
    fake_az(&w);
    let r = e.verify(&w, demo::DEV_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["source"], "az-cli");
    assert_eq!(doc["passed"], true, "{doc}");
    assert_eq!(doc["tenant_id"], demo::TENANT_ID);
    assert_mentions(
        check(&doc, "token")["detail"].as_str().expect("detail"),
        &["az login session"],
    );
    // No token request: the session's token went straight to ARM.
    assert_eq!(e.count(Route::Token), 0, "{:?}", e.log());
    let mut log = e.log();
    log.sort_by_key(|(route, _)| format!("{route:?}"));
    assert_eq!(log, [(Route::Permissions, 200), (Route::Subscription, 200)]);
    // Exactly one `az` process.
    assert_eq!(w.az_calls().len(), 1, "{:?}", w.az_calls());
    assert_mentions(&w.az_calls()[0], &["account get-access-token"]);
}

#[test]
fn az_session_on_a_subscription_without_a_role_fails_the_role() {
    let e = Emu::demo();
    let w = e.world();
    fake_az(&w);
    // The cli user has Contributor on dev and prod only.
    let r = e.verify(&w, demo::STAGE_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 3);
    let doc = r.json();
    assert_eq!(check(&doc, "subscription")["status"], "fail", "{doc}");
    assert_eq!(e.count(Route::Token), 0);
}

/// `-v` shows the one `az` call with its duration (and the requests).
#[test]
fn verbose_shows_the_az_call() {
    let e = Emu::demo();
    let w = e.world();
    fake_az(&w);
    let r = e.verify(&w, demo::DEV_SUBSCRIPTION_ID, &["-v"]);
    assert_exit(&r, 0);
    let az: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("debug: az "))
        .collect();
    assert_eq!(az.len(), 1, "{}", r.stderr);
    assert_mentions(
        az[0],
        &[
            "az account get-access-token --output json --resource https://127.0.0.1:",
            " --subscription",
            demo::DEV_SUBSCRIPTION_ID,
            ": exit 0 in ",
            " ms",
        ],
    );
}
