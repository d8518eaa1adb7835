//! When the managed identity does not work: plain http to a remote host,
//! an endpoint that is down, an identity the machine does not have, a role
//! too weak, a tenant that is not the identity's; and IMDS's retries.

use super::*;
use crate::support::emu::{assert_exit, check};
use azure_emulator::{Fault, FaultRoute};

#[test]
fn plain_http_only_to_imds_or_loopback() {
    let e = emulator();
    for (var, url) in [
        ("IMDS_ENDPOINT", "http://imds.example.com"),
        ("IDENTITY_ENDPOINT", "http://10.1.2.3:8081/msi/token"),
    ] {
        let mut w = e.world();
        w.env("ARM_USE_MSI", "true")
            .env(var, url)
            .env("IDENTITY_HEADER", HEADER);
        let r = run(&e, &w, &command(&e, "verify", &[]));
        assert_exit(&r, 2);
        assert!(
            r.stderr
                .contains(&format!("error: {var}: uses plain http to")),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("use an https URL"), "{}", r.stderr);
    }
    assert!(e.emu.requests().is_empty());
}

#[test]
fn an_endpoint_that_is_down_is_a_runtime_failure_with_a_hint() {
    let e = emulator();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut w = e.world();
    w.env("ARM_USE_MSI", "true")
        .env("IMDS_ENDPOINT", &format!("http://127.0.0.1:{port}"));
    let r = run(&e, &w, &command(&e, "verify", &[]));
    assert_exit(&r, 1);
    assert!(
        r.stderr
            .contains("the managed identity endpoint (IMDS) failed after 3 attempt(s)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "hint: check that IMDS_ENDPOINT is the address of a running identity endpoint"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn an_identity_the_machine_does_not_have_is_refused_with_the_fix() {
    let e = emulator();
    let mut w = on_vm(&e);
    let unknown = "5a5a5a5a-0000-4000-8000-00000000dead";
    w.env("ARM_CLIENT_ID", unknown);
    let r = run(&e, &w, &command(&e, "verify", &[]));
    assert_exit(&r, 3);
    assert!(
        r.stderr.contains("the managed identity endpoint (IMDS) refused the token request (HTTP 400): Identity not found"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "no identity with client id {unknown} (ARM_CLIENT_ID) is assigned to this machine"
        )) && r
            .stderr
            .contains("az vm identity assign --name <vm> --resource-group <group> --identities"),
        "{}",
        r.stderr
    );
    assert_eq!(identity_requests(&e), [(400, None)], "a 400 is not retried");
}

#[test]
fn a_reader_only_identity_is_not_enough() {
    let e = emulator();
    let w = on_vm(&e);
    let r = run(
        &e,
        &w,
        &command(
            &e,
            "verify",
            &["--managed-identity", READER_MI, "-o", "json"],
        ),
    );
    assert_exit(&r, 3);
    let doc = r.json();
    assert_eq!(check(&doc, "token")["status"], "pass", "{doc}");
    assert_eq!(check(&doc, "role")["status"], "fail", "{doc}");
    let fix = check(&doc, "role")["fix"].as_str().expect("fix");
    assert!(
        fix.contains(&format!(
            "az role assignment create --assignee {READER_MI} --role Contributor"
        )) && fix.contains("Members: Assign access to Managed identity"),
        "{fix}"
    );
    // --require reader passes.
    let r = run(
        &e,
        &w,
        &command(
            &e,
            "verify",
            &["--managed-identity", READER_MI, "--require", "reader"],
        ),
    );
    assert_exit(&r, 0);
}

#[test]
fn a_tenant_that_is_not_the_identitys_names_both() {
    let e = emulator();
    let mut w = on_vm(&e);
    w.env("ARM_TENANT_ID", demo::OTHER_TENANT_ID);
    let r = run(&e, &w, &command(&e, "verify", &[]));
    assert_exit(&r, 2);
    assert!(
        r.stderr.contains(&format!(
            "ARM_TENANT_ID: is {}, but the managed identity's token is for tenant {}",
            demo::OTHER_TENANT_ID,
            demo::TENANT_ID
        )),
        "{}",
        r.stderr
    );
    // The same tenant is fine.
    let mut w = on_vm(&e);
    w.env("ARM_TENANT_ID", demo::TENANT_ID);
    assert_exit(&run(&e, &w, &command(&e, "verify", &[])), 0);
}

#[test]
fn imds_is_retried_on_404_and_503_within_the_bound() {
    for status in [404, 503] {
        let e = Emu::start(scenario().with_fault(Fault {
            route: FaultRoute::Identity,
            status: Some(status),
            times: Some(1),
            ..Fault::default()
        }));
        let w = on_vm(&e);
        let r = run(&e, &w, &command(&e, "verify", &[]));
        assert_exit(&r, 0);
        let statuses: Vec<u16> = identity_requests(&e).into_iter().map(|(s, _)| s).collect();
        assert_eq!(statuses, [status, 200], "{status}");
    }
    // Always failing: three attempts, then exit 1 naming the status.
    let e = Emu::start(scenario().with_fault(Fault {
        route: FaultRoute::Identity,
        status: Some(503),
        ..Fault::default()
    }));
    let w = on_vm(&e);
    let r = run(&e, &w, &command(&e, "verify", &[]));
    assert_exit(&r, 1);
    assert!(
        r.stderr.contains("answered HTTP 503 after 3 attempt(s)"),
        "{}",
        r.stderr
    );
    assert_eq!(identity_requests(&e).len(), 3);
}

#[test]
fn a_silent_endpoint_is_bounded_by_az_timeout() {
    let e = Emu::start(scenario().with_fault(Fault {
        route: FaultRoute::Identity,
        latency_ms: Some(30_000),
        ..Fault::default()
    }));
    let w = on_vm(&e);
    let r = run(&e, &w, &command(&e, "verify", &["--az-timeout", "1"]));
    assert_exit(&r, 1);
    assert!(
        r.stderr.contains(
            "the managed identity endpoint (IMDS) did not answer within 1 s (--az-timeout)"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn an_address_that_is_no_identity_endpoint_is_bad_input() {
    for status in [307, 404, 405] {
        let e = Emu::start(scenario().with_fault(Fault {
            route: FaultRoute::Identity,
            status: Some(status),
            ..Fault::default()
        }));
        let w = in_app_service(&e, HEADER);
        let r = run(&e, &w, &command(&e, "verify", &[]));
        assert_exit(&r, 2);
        assert!(
            r.stderr.contains(&format!(
                "answered HTTP {status}, which no identity endpoint answers"
            )) && r
                .stderr
                .contains("does not answer like an identity endpoint"),
            "{status}: {}",
            r.stderr
        );
        assert_eq!(identity_requests(&e).len(), 1, "not retried: {status}");
    }
}
