//! Point 4: one fix block per failed check, with the real ids (the
//! `az role assignment create` command, the portal path with the
//! subscription's name, the federated credential for the token's own
//! subject), printed once; colour on request, never by accident.

use crate::support::emu::{Emu, assert_exit};
use crate::support::world::World;
use azure_emulator::{Scenario, demo};

/// The demo's `ci-oidc` app over the emulator's GitHub OIDC endpoint.
fn oidc_world(e: &Emu) -> World {
    let mut w = e.world();
    w.env("AZURE_CLIENT_ID", demo::OIDC_CLIENT_ID)
        .env("AZURE_TENANT_ID", demo::TENANT_ID)
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", &e.emu.oidc_request_url())
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            &e.emu.oidc_request_token(),
        );
    w
}

const ESC: &str = "\x1b[";

#[test]
fn reader_only_gets_the_role_assignment_command_with_the_real_ids_once() {
    let e = Emu::demo();
    let w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 3);
    let command = format!(
        "az role assignment create --assignee {} --role Contributor --scope /subscriptions/{}",
        demo::READER_CLIENT_ID,
        demo::PROD_SUBSCRIPTION_ID
    );
    let both = r.both();
    assert_eq!(both.matches(&command).count(), 1, "{both}");
    assert_eq!(
        both.matches(&format!(
            "Subscriptions > Contoso Production ({}) > Access control (IAM)",
            demo::PROD_SUBSCRIPTION_ID
        ))
        .count(),
        1,
        "{both}"
    );
    assert!(!both.contains('<'), "no placeholder left: {both}");
    assert!(
        !both.contains("steps 12"),
        "the guide has no step numbers: {both}"
    );
    // The command is its own line, ready to paste.
    assert!(
        r.stdout
            .lines()
            .any(|l| l.trim_start().strip_prefix("fix: ") == Some(command.as_str())),
        "{}",
        r.stdout
    );
    // Not a terminal: no colour.
    assert!(!both.contains(ESC), "{both:?}");
}

#[test]
fn colour_follows_color_no_color_and_clicolor_force() {
    let e = Emu::demo();
    let mut w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--color", "always"]);
    assert_exit(&r, 3);
    assert!(r.stdout.contains("\x1b[31m✗\x1b[0m role"), "{:?}", r.stdout);
    assert!(
        r.stdout.contains("\x1b[32m✓\x1b[0m token"),
        "{:?}",
        r.stdout
    );
    assert!(r.stderr.contains("\x1b[31merror:\x1b[0m"), "{:?}", r.stderr);

    w.env("CLICOLOR_FORCE", "1");
    let forced = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert!(forced.stdout.contains("\x1b[31m✗"), "{:?}", forced.stdout);
    let never = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--color", "never"]);
    assert!(!never.both().contains(ESC), "{:?}", never.both());
    w.env("NO_COLOR", "1");
    let no_color = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert!(!no_color.both().contains(ESC), "{:?}", no_color.both());
    // JSON is never coloured.
    let mut w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    w.env("CLICOLOR_FORCE", "1");
    let json = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["-o", "json"]);
    assert!(!json.stdout.contains(ESC));
    json.json();
}

#[test]
fn oidc_subject_mismatch_gets_the_federated_credential_command() {
    let subject = "repo:contoso/infra:ref:refs/heads/feature/x";
    let mut s = Scenario::demo();
    s.github_oidc
        .as_mut()
        .expect("demo has github_oidc")
        .subject = subject.into();
    let e = Emu::start(s);
    let w = oidc_world(&e);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 3);
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("az ad app federated-credential create"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        line.contains(&format!("--id {} --parameters '{{", demo::OIDC_CLIENT_ID)),
        "{line}"
    );
    assert!(
        line.contains(&format!("\"subject\":\"{subject}\"")),
        "{line}"
    );
    assert!(
        line.contains("\"audiences\":[\"api://AzureADTokenExchange\"]"),
        "{line}"
    );
    assert!(line.contains("\"issuer\":\"http"), "{line}");
    assert_eq!(r.both().matches("federated-credential create").count(), 1);
}
