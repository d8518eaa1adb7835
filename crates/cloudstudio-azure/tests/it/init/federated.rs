//! `init --federated`: federated identity credentials with the issuer,
//! subject and audience the CI system sends; no secret anywhere.

use super::{credential, init, steps, world, writes};
use crate::support::emu::{Emu, assert_exit};
use azure_emulator::demo;

#[test]
fn github_environment_federation_then_rerun() {
    let emu = Emu::demo();
    let w = world(&emu);
    let extra = [
        "--name",
        "ci-oidc-infra",
        "--federated",
        "github:contoso/infra:environment:prod",
        "--federated",
        "github:contoso/infra:pull_request",
    ];
    let run = init(&emu, &w, demo::PROD_SUBSCRIPTION_ID, &extra);
    assert_exit(&run, 0);
    assert_eq!(
        steps(&run),
        [
            "created application",
            "created service principal",
            "assigned role assignment",
            "added federated credential",
            "added federated credential",
        ],
        "{}",
        run.both()
    );
    for part in [
        "issuer https://token.actions.githubusercontent.com, subject repo:contoso/infra:environment:prod",
        "subject repo:contoso/infra:pull_request",
        "permissions: { id-token: write, contents: read }",
        "AZURE_CLIENT_ID=",
        "not verified here",
    ] {
        assert!(run.stdout.contains(part), "{part}:\n{}", run.stdout);
    }
    let file = credential(&w);
    assert!(file.get("client_secret").is_none(), "{file}");
    assert_eq!(file["tenant_id"], demo::TENANT_ID);
    assert!(!writes(&emu).iter().any(|l| l.contains("addPassword")));

    let before = writes(&emu);
    let again = init(&emu, &w, demo::PROD_SUBSCRIPTION_ID, &extra);
    assert_exit(&again, 0);
    assert_eq!(
        steps(&again),
        [
            "reused application",
            "reused service principal",
            "present role assignment",
            "present federated credential",
            "present federated credential",
        ],
        "{}",
        again.both()
    );
    assert_eq!(writes(&emu), before);
}

#[test]
fn gitlab_kubernetes_and_azure_devops_subjects() {
    let emu = Emu::demo();
    let w = world(&emu);
    let run = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &[
            "--name",
            "ci-multi",
            "--dry-run",
            "--federated",
            "gitlab:contoso/infra:ref:main",
            "--federated",
            "kubernetes:https://oidc.prod-aks.azure.com/abc/:ci:deployer",
            "--federated",
            "azure-devops:contoso/infra/prod-connection",
            "--federated-issuer",
            "https://vstoken.dev.azure.com/0a1b2c3d-0000-4000-8000-000000000001",
        ],
    );
    assert_exit(&run, 0);
    for part in [
        "issuer https://gitlab.com, subject project_path:contoso/infra:ref_type:branch:ref:main",
        "issuer https://oidc.prod-aks.azure.com/abc/, subject system:serviceaccount:ci:deployer",
        "issuer https://vstoken.dev.azure.com/0a1b2c3d-0000-4000-8000-000000000001, subject sc://contoso/infra/prod-connection",
    ] {
        assert!(run.stdout.contains(part), "{part}:\n{}", run.stdout);
    }
    assert!(writes(&emu).is_empty());
}
