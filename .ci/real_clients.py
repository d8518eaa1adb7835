"""Real clients against `cloudstudio-azure emulator serve`.

Run by .ci/real-clients.sh with the Python of a venv holding azure-cli and
azure-identity from PyPI: software this project did not write must accept
the emulator as an Azure. Every step checks the clients' real output and
the first failure stops the run with the command, its exit code and output.

Usage: python real_clients.py PATH/TO/cloudstudio-azure
"""

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import jwt
import requests
from azure.identity import (
    ClientSecretCredential,
    EnvironmentCredential,
    ManagedIdentityCredential,
    WorkloadIdentityCredential,
)
from dotenv import dotenv_values

BIN = os.path.abspath(sys.argv[1])
VENV_BIN = os.path.dirname(sys.executable)

TENANT = "4c6f7a1e-8d2b-4e3f-9a51-0b7c2d9e6f10"
CLIENT = "a1b2c3d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
SECRET = "kR48Q~vN2pXw7yTzL5cHs9mBq3dFj6gKa1eUo0iW"
READER = "b7e2c915-3a4d-4c8e-b1f0-6d2a9e4c7b38"
READER_SECRET = "Tq27Q~hZ4mWc9xR1vB6nLp3sKd8yFg5jAe0tUi2O"
PROD = "11111111-2222-4333-8444-555555555501"
DISABLED = "11111111-2222-4333-8444-555555555504"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
CLOUD = "CloudStudioEmulator"
# ci-oidc: no secret; trusts the emulated GitHub's tokens for this subject.
OIDC_CLIENT = "e5f7a9b1-6c2d-4f8e-a3b5-7d9c1e2f4a60"
GITHUB_REQUEST_TOKEN = "ghrt_6Yc2Lw9QpT4mZ8xK1vN7bR3sD5fH0jGa"
# The machine's managed identities: system-assigned (Contributor on prod),
# user-assigned (Contributor on dev); App Service's IDENTITY_HEADER.
MI_SYSTEM = "3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e01"
MI_USER = "3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e02"
IDENTITY_HEADER = "emu-identity-header-7Hq2Zx4Lm9"

TIMINGS = []


class Failed(Exception):
    pass


def check(cond, what, detail=""):
    if not cond:
        raise Failed(f"{what}\n{detail}".rstrip())


def masked(text):
    """Hides JWTs and the demo secrets in what this script prints."""
    text = re.sub(r"eyJ[A-Za-z0-9_.\-]+", "eyJ...(a JWT, masked)", text)
    for s in (SECRET, READER_SECRET):
        text = text.replace(s, "***")
    return text


def trimmed(text, lines=14):
    rows = masked(text).strip().splitlines()
    if len(rows) > lines:
        rows = rows[:lines] + [f"  ... ({len(rows) - lines} more lines)"]
    return "\n".join("    " + r for r in rows)


def run(label, args, env, expect=0, show=True):
    """Runs a command; returns (stdout, stderr). Fails loudly on a wrong exit."""
    start = time.monotonic()
    p = subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    took = time.monotonic() - start
    TIMINGS.append((label, took))
    names = {BIN: "cloudstudio-azure", os.path.join(VENV_BIN, "az"): "az"}
    shown = " ".join(
        names.get(a, "***" if a in (SECRET, READER_SECRET) else a) for a in args
    )
    print(f"$ {shown}    [{took:.2f}s, exit {p.returncode}]")
    if show and (p.stdout.strip() or p.stderr.strip()):
        print(trimmed(p.stdout or p.stderr))
    check(
        p.returncode == expect,
        f"`{shown}` exited {p.returncode}, expected {expect}",
        f"stdout:\n{trimmed(p.stdout, 60)}\nstderr:\n{trimmed(p.stderr, 60)}",
    )
    return p.stdout, p.stderr


def az(args, env, expect=0, show=True):
    return run(
        "az " + args[0] + " " + args[1],
        [os.path.join(VENV_BIN, "az"), *args],
        env,
        expect,
        show,
    )


def az_json(args, env):
    out, _ = az([*args, "--output", "json"], env)
    try:
        return json.loads(out)
    except ValueError as e:
        raise Failed(
            f"`az {' '.join(args)}` did not print JSON: {e}\n{trimmed(out)}"
        ) from e


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def print_env(port, state):
    """`emulator serve --print-env`: the exported variables, as a dict."""
    out, _ = run(
        "emulator serve --print-env",
        [
            BIN,
            "emulator",
            "serve",
            "--port",
            str(port),
            "--state-dir",
            state,
            "--print-env",
        ],
        clean_env(),
        show=False,
    )
    env = {}
    for line in out.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            check(
                value.startswith("'") and value.endswith("'"),
                f"unquoted value in `{line}`",
            )
            env[name] = value[1:-1]
    for name in (
        "REQUESTS_CA_BUNDLE",
        "SSL_CERT_FILE",
        "AZURE_AUTHORITY_HOST",
        "AZURE_CORE_INSTANCE_DISCOVERY",
        "ARM_METADATA_HOSTNAME",
    ):
        check(name in env, f"--print-env printed no {name}", out)
    check(
        f"az cloud register --name {CLOUD}" in out,
        "--print-env shows no `az cloud register`",
        out,
    )
    return env


def clean_env():
    """The parent's environment without Azure, CI or proxy settings."""
    drop = (
        "AZURE_",
        "ARM_",
        "GITHUB_",
        "ACTIONS_",
        "REQUESTS_CA_BUNDLE",
        "SSL_CERT_FILE",
        "CURL_CA_BUNDLE",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "https_proxy",
        "http_proxy",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def exported_variables(env, base, port):
    """What cloudstudio-azure exports, read by real clients: `env --shell
    dotenv` by python-dotenv (as Docker's --env-file and GitLab's dotenv
    report read it), and its AZURE_* dialect by azure-identity's
    EnvironmentCredential (what DefaultAzureCredential tries first)."""
    tool_env = {
        **env,
        "ARM_CLIENT_ID": CLIENT,
        "ARM_CLIENT_SECRET": SECRET,
        "ARM_TENANT_ID": TENANT,
        "ARM_SUBSCRIPTION_ID": PROD,
    }
    for k in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"):
        tool_env.pop(k, None)
    cloud = ["--cloud", "custom", "--authority-host", base, "--arm-endpoint", base]
    # The output holds the secret on purpose: not shown.
    out, _ = run(
        "cloudstudio-azure env --shell dotenv",
        [BIN, "env", "--shell", "dotenv", *cloud],
        tool_env,
        show=False,
    )
    values = dotenv_values(stream=io.StringIO(out))
    expected = {
        "ARM_CLIENT_ID": CLIENT,
        "ARM_CLIENT_SECRET": SECRET,
        "ARM_TENANT_ID": TENANT,
        "ARM_SUBSCRIPTION_ID": PROD,
        "AZURE_CLIENT_ID": CLIENT,
        "AZURE_CLIENT_SECRET": SECRET,
        "AZURE_TENANT_ID": TENANT,
        "AZURE_SUBSCRIPTION_ID": PROD,
        "ARM_METADATA_HOSTNAME": f"127.0.0.1:{port}",
        "AZURE_AUTHORITY_HOST": base,
    }
    check(
        dict(values) == expected,
        "python-dotenv read other values from `env --shell dotenv`",
        masked(json.dumps(dict(values), indent=1)),
    )
    print(f"python-dotenv: {len(values)} variables, both dialects and the cloud")

    saved = dict(os.environ)
    try:
        for k in list(os.environ):
            if k.startswith(("AZURE_", "ARM_")):
                del os.environ[k]
        os.environ.update({k: v for k, v in values.items() if k.startswith("AZURE_")})
        start = time.monotonic()
        at = EnvironmentCredential(disable_instance_discovery=True).get_token(
            base + "/.default"
        )
        TIMINGS.append(
            ("azure-identity EnvironmentCredential (exported)", time.monotonic() - start)
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)
    c = verify_jwt(at.token, base, [base])
    check(
        c["appid"] == CLIENT and c["tid"] == TENANT,
        "EnvironmentCredential over the exported AZURE_* variables",
        json.dumps(c, indent=1),
    )
    print(
        "azure-identity EnvironmentCredential over the exported AZURE_* variables: "
        f"a token for {c['aud']}"
    )


def workload_identity(env, base, work):
    """A Kubernetes-style token file: cloudstudio-azure exports its path
    (never its contents), and azure-identity's WorkloadIdentityCredential
    reads the file at that path for its own tokens (long jobs)."""
    reply = requests.get(
        f"{base}/_github/token",
        params={"api-version": "2.0", "audience": "api://AzureADTokenExchange"},
        headers={"Authorization": f"Bearer {GITHUB_REQUEST_TOKEN}"},
        verify=env["SSL_CERT_FILE"],
        timeout=20,
    )
    check(reply.status_code == 200, "the emulated CI token endpoint", reply.text[:200])
    ci_token = reply.json()["value"]
    path = os.path.join(work, "projected-token")
    with open(path, "w", encoding="utf-8") as f:
        f.write(ci_token)
    tool_env = {
        **env,
        "AZURE_CLIENT_ID": OIDC_CLIENT,
        "AZURE_TENANT_ID": TENANT,
        "AZURE_SUBSCRIPTION_ID": PROD,
        "AZURE_FEDERATED_TOKEN_FILE": path,
    }
    tool_env.pop("AZURE_CLIENT_SECRET", None)
    cloud = ["--cloud", "custom", "--authority-host", base, "--arm-endpoint", base]
    out, _ = run(
        "cloudstudio-azure env --shell dotenv (federated-token file)",
        [BIN, "env", "--shell", "dotenv", *cloud],
        tool_env,
        show=False,
    )
    values = dotenv_values(stream=io.StringIO(out))
    check(
        values.get("AZURE_FEDERATED_TOKEN_FILE") == path
        and values.get("ARM_OIDC_TOKEN_FILE_PATH") == path
        and values.get("ARM_USE_OIDC") == "true"
        and ci_token not in out
        and "ARM_CLIENT_SECRET" not in values,
        "the token file's path, not its contents, is exported",
        masked(json.dumps(dict(values), indent=1)),
    )
    start = time.monotonic()
    at = WorkloadIdentityCredential(
        tenant_id=values["AZURE_TENANT_ID"],
        client_id=values["AZURE_CLIENT_ID"],
        token_file_path=values["AZURE_FEDERATED_TOKEN_FILE"],
        authority=values["AZURE_AUTHORITY_HOST"],
        disable_instance_discovery=True,
    ).get_token(base + "/.default")
    TIMINGS.append(("azure-identity WorkloadIdentityCredential", time.monotonic() - start))
    c = verify_jwt(at.token, base, [base])
    check(c["appid"] == OIDC_CLIENT, "WorkloadIdentityCredential token", json.dumps(c, indent=1))
    print(
        "azure-identity WorkloadIdentityCredential over the exported AZURE_FEDERATED_TOKEN_FILE: "
        f"a token for {c['aud']}"
    )


def verify_jwt(token, base, audiences):
    """Verifies a token's RS256 signature with the emulator's JWKS (found
    through the OpenID configuration) and returns its claims."""
    config = requests.get(
        f"{base}/{TENANT}/v2.0/.well-known/openid-configuration", timeout=20
    ).json()
    keys = requests.get(config["jwks_uri"], timeout=20).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = next((jwt.PyJWK(k).key for k in keys if k["kid"] == kid), None)
    check(key is not None, f"no JWKS key has kid {kid}")
    return jwt.decode(
        token, key, algorithms=["RS256"], audience=audiences, issuer=f"{base}/{TENANT}/"
    )


def readme_block(work):
    """Runs the README's "Test your pipeline offline" commands as written,
    on a free port instead of 8443, in a directory of their own."""
    readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Test your pipeline offline", 1)[1]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    port = str(free_port())
    tools = os.path.join(work, "tools")
    here = os.path.join(work, "readme")
    os.makedirs(tools)
    os.makedirs(here)
    os.symlink(BIN, os.path.join(tools, "cloudstudio-azure"))
    env = clean_env()
    env["PATH"] = os.pathsep.join([tools, VENV_BIN, env.get("PATH", "")])
    # The emulator must not outlive a failing block.
    script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
    script += block.replace("8443", port)
    start = time.monotonic()
    p = subprocess.run(
        ["bash", "-c", script],
        cwd=here,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    TIMINGS.append(("README block", time.monotonic() - start))
    print(f"$ (the README's block, port {port})    [exit {p.returncode}]")
    print(trimmed(p.stdout, 40))
    check(
        p.returncode == 0,
        f"the README's commands exited {p.returncode}",
        f"stdout:\n{trimmed(p.stdout, 80)}\nstderr:\n{trimmed(p.stderr, 80)}",
    )
    both = p.stdout + p.stderr
    for needle in (
        "rg-offline",
        "✓ role",
        "access is sufficient",
        "azure-identity token expires",
    ):
        check(
            needle in both,
            f"the README's commands did not print {needle!r}",
            trimmed(both, 80),
        )
    with open(os.path.join(here, ".emulator", "requests.jsonl"), encoding="utf-8") as f:
        check(
            len(f.read().splitlines()) > 10, "the README's request log is nearly empty"
        )


def main():
    work = tempfile.mkdtemp(prefix="cloudstudio-real-clients-")
    try:
        with open(
            os.path.join(work, "serve.err"), "w+", encoding="utf-8"
        ) as server_err:
            checks(work, server_err)
        readme_block(work)
    finally:
        # The az config dirs hold the service principals' secrets.
        shutil.rmtree(work, ignore_errors=True)

    print("\ntimings:")
    for label, took in TIMINGS:
        print(f"  {took:6.2f}s  {label}")
    print("real clients: all checks passed")


def managed_identity(env, base, info):
    """azure-identity's ManagedIdentityCredential against the emulator's
    identity endpoints: IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST is its base
    URL there) and App Service (IDENTITY_ENDPOINT + IDENTITY_HEADER); then
    cloudstudio-azure's managed-identity source on the same endpoints."""
    check(
        info["imds_endpoint"].startswith("http://127.0.0.1:")
        and info["identity_header"] == IDENTITY_HEADER,
        "emulator serve names its identity endpoints",
        json.dumps({k: info[k] for k in ("imds_endpoint", "identity_endpoint")}),
    )
    saved = dict(os.environ)
    try:
        os.environ["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = info["imds_endpoint"]
        start = time.monotonic()
        at = ManagedIdentityCredential().get_token(base + "/.default")
        TIMINGS.append(("azure-identity ManagedIdentityCredential (IMDS)", time.monotonic() - start))
        c = verify_jwt(at.token, base, [base, base + "/"])
        check(c["appid"] == MI_SYSTEM and c["tid"] == TENANT, "IMDS token", json.dumps(c, indent=1))
        print(f"azure-identity ManagedIdentityCredential (IMDS): a token for {c['aud']}, oid {c['oid']}")
        del os.environ["AZURE_POD_IDENTITY_AUTHORITY_HOST"]
        os.environ["IDENTITY_ENDPOINT"] = info["identity_endpoint"]
        os.environ["IDENTITY_HEADER"] = IDENTITY_HEADER
        start = time.monotonic()
        at = ManagedIdentityCredential(client_id=MI_USER).get_token(base + "/.default")
        TIMINGS.append(("azure-identity ManagedIdentityCredential (App Service)", time.monotonic() - start))
        c = verify_jwt(at.token, base, [base, base + "/"])
        check(c["appid"] == MI_USER, "App Service token", json.dumps(c, indent=1))
        print(f"azure-identity ManagedIdentityCredential (App Service, user-assigned): a token for {c['aud']}")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    cloud = ["--cloud", "custom", "--authority-host", base, "--arm-endpoint", base]
    tool_env = {**env, "ARM_USE_MSI": "true", "IMDS_ENDPOINT": info["imds_endpoint"]}
    out, _ = run(
        "cloudstudio-azure verify (managed-identity, IMDS)",
        [BIN, "verify", *cloud, "--subscription-id", PROD, "--output", "json"],
        tool_env,
        show=False,
    )
    report = json.loads(out)
    check(
        report["source"] == "managed-identity" and report["passed"] is True
        and report["client_id"] == MI_SYSTEM,
        "cloudstudio-azure verify with the managed identity",
        json.dumps(report, indent=1),
    )
    print("cloudstudio-azure verify over IMDS (managed-identity): passed")
    exported_managed_identity(tool_env, cloud, base)


def exported_managed_identity(tool_env, cloud, base):
    """What a later step gets from a managed-identity export (`env --shell
    dotenv`, a user-assigned identity, IMDS moved), read by python-dotenv,
    and azure-identity's ManagedIdentityCredential with only those
    variables: the exported client id and moved IMDS must find the identity."""
    out, _ = run(
        "cloudstudio-azure env --shell dotenv (managed-identity, user-assigned)",
        [BIN, "env", "--shell", "dotenv", *cloud, "--subscription-id", PROD, "--managed-identity", MI_USER],
        {k: v for k, v in tool_env.items() if k != "ARM_USE_MSI"},
        show=False,
    )
    values = dict(dotenv_values(stream=io.StringIO(out)))
    check(
        values.get("ARM_USE_MSI") == "true" and values.get("AZURE_CLIENT_ID") == MI_USER
        and "AZURE_POD_IDENTITY_AUTHORITY_HOST" in values and "ARM_MSI_ENDPOINT" in values,
        "a managed-identity export names the identity and the moved IMDS",
        json.dumps(values, indent=1),
    )
    saved = dict(os.environ)
    try:
        for k in list(os.environ):
            if k.startswith(("AZURE_", "ARM_", "IMDS_", "IDENTITY_", "MSI_")):
                del os.environ[k]
        os.environ.update({k: v for k, v in values.items() if k.startswith("AZURE_")})
        at = ManagedIdentityCredential(client_id=os.environ["AZURE_CLIENT_ID"]).get_token(
            base + "/.default"
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)
    c = verify_jwt(at.token, base, [base, base + "/"])
    check(c["appid"] == MI_USER, "ManagedIdentityCredential over the exported variables", json.dumps(c, indent=1))
    print(
        "azure-identity ManagedIdentityCredential over the exported variables "
        f"(AZURE_CLIENT_ID, AZURE_POD_IDENTITY_AUTHORITY_HOST): a token for {c['aud']}"
    )


def checks(work, server_err):
    state = os.path.join(work, "state")
    log_path = os.path.join(work, "requests.jsonl")
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    server = None
    try:
        emu_env = print_env(port, state)
        server = subprocess.Popen(
            [
                BIN,
                "emulator",
                "serve",
                "--port",
                str(port),
                "--state-dir",
                state,
                "--log",
                log_path,
                "--output",
                "json",
            ],
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=server_err,
            text=True,
        )
        first = server.stdout.readline()
        if not first:
            server.wait(timeout=20)
            server_err.seek(0)
            raise Failed(
                f"emulator serve exited {server.returncode}:\n{server_err.read()}"
            )
        info = json.loads(first)
        check(
            info["base_url"] == base,
            "emulator serve did not start where --print-env said",
            json.dumps(info)[:400],
        )
        check(info["ca_reused"] is True, "serve did not reuse the CA --print-env made")
        print(f"emulator on {base}, CA {emu_env['SSL_CERT_FILE']}")

        env = {
            **clean_env(),
            **emu_env,
            "AZURE_CONFIG_DIR": os.path.join(work, "az"),
            "AZURE_CORE_COLLECT_TELEMETRY": "false",
            "AZURE_CORE_SURVEY_MESSAGE": "false",
            "AZURE_CORE_NO_COLOR": "true",
        }
        os.environ.update(emu_env)
        os.environ["NO_PROXY"] = "127.0.0.1,localhost"

        # The Azure CLI: a cloud from the emulator's metadata, then a login.
        az(
            [
                "cloud",
                "register",
                "--name",
                CLOUD,
                "--endpoint-resource-manager",
                base + "/",
            ],
            env,
        )
        cloud = az_json(["cloud", "show", "--name", CLOUD], env)
        ep = cloud["endpoints"]
        check(
            ep["activeDirectory"] == base
            and ep["resourceManager"] == base + "/"
            and ep["activeDirectoryResourceId"] == base + "/"
            and ep["microsoftGraphResourceId"] == base + "/graph/",
            "az cloud register did not discover the emulator's endpoints",
            json.dumps(ep, indent=1),
        )
        az(["cloud", "set", "--name", CLOUD], env)
        subs = az_json(
            [
                "login",
                "--service-principal",
                "--username",
                CLIENT,
                "--password",
                SECRET,
                "--tenant",
                TENANT,
            ],
            env,
        )
        names = sorted(s["name"] for s in subs)
        check(
            names
            == [
                "Contoso Development",
                "Contoso Legacy",
                "Contoso Production",
                "Contoso Stage",
                "Contoso Trial",
            ],
            "az login listed other subscriptions",
            json.dumps(subs, indent=1),
        )
        check(
            all(
                s["user"] == {"name": CLIENT, "type": "servicePrincipal"} for s in subs
            ),
            "az login did not sign in as the service principal",
        )

        account = az_json(["account", "show"], env)
        check(
            account["id"] == PROD
            and account["tenantId"] == TENANT
            and account["environmentName"] == CLOUD
            and account["state"] == "Enabled",
            "az account show is not the production subscription",
            json.dumps(account, indent=1),
        )

        token = az_json(["account", "get-access-token"], env)
        check(
            token["subscription"] == PROD
            and token["tenant"] == TENANT
            and isinstance(token["expires_on"], int),
            "az account get-access-token output",
            masked(json.dumps(token)),
        )
        claims = verify_jwt(token["accessToken"], base, [base + "/"])
        check(
            claims["appid"] == CLIENT
            and claims["tid"] == TENANT
            and claims["idtyp"] == "app",
            "the CLI's token has the wrong claims",
            json.dumps(claims, indent=1),
        )
        graph = az_json(
            ["account", "get-access-token", "--resource-type", "ms-graph"], env
        )
        check(
            verify_jwt(graph["accessToken"], base, [base + "/graph/"])["aud"]
            == base + "/graph/",
            "the CLI's Graph token is not for the emulator's Graph",
        )

        assignments = az_json(["role", "assignment", "list"], env)
        mine = [a for a in assignments if a["principalName"] == CLIENT]
        check(
            len(mine) == 1
            and mine[0]["roleDefinitionName"] == "Contributor"
            and mine[0]["scope"] == f"/subscriptions/{PROD}",
            "az role assignment list does not show the deployer's Contributor role",
            json.dumps(assignments, indent=1),
        )
        by_assignee = az_json(["role", "assignment", "list", "--assignee", CLIENT], env)
        check(
            [a["roleDefinitionId"].rsplit("/", 1)[1] for a in by_assignee]
            == [CONTRIBUTOR],
            "az role assignment list --assignee (a Graph lookup) found the wrong assignments",
            json.dumps(by_assignee, indent=1),
        )

        locations = az_json(["account", "list-locations"], env)
        check(
            "westeurope" in [loc["name"] for loc in locations],
            "no westeurope in list-locations",
        )

        group = az_json(
            [
                "group",
                "create",
                "--name",
                "rg-real-clients",
                "--location",
                "westeurope",
            ],
            env,
        )
        check(
            group["id"] == f"/subscriptions/{PROD}/resourceGroups/rg-real-clients"
            and group["properties"]["provisioningState"] == "Succeeded",
            "az group create",
            json.dumps(group, indent=1),
        )
        out, _ = az(["group", "exists", "--name", "rg-real-clients"], env)
        check(out.strip() == "true", "az group exists after create", out)
        az(["group", "delete", "--name", "rg-real-clients", "--yes"], env)
        out, _ = az(["group", "exists", "--name", "rg-real-clients"], env)
        check(out.strip() == "false", "az group exists after delete", out)

        # A Reader cannot create a group: Azure's AuthorizationFailed.
        reader_env = {**env, "AZURE_CONFIG_DIR": os.path.join(work, "az-reader")}
        az(
            [
                "cloud",
                "register",
                "--name",
                CLOUD,
                "--endpoint-resource-manager",
                base + "/",
            ],
            reader_env,
            show=False,
        )
        az(["cloud", "set", "--name", CLOUD], reader_env, show=False)
        az(
            [
                "login",
                "--service-principal",
                "--username",
                READER,
                "--password",
                READER_SECRET,
                "--tenant",
                TENANT,
                "--output",
                "none",
            ],
            reader_env,
        )
        _, err = az(
            ["group", "create", "--name", "rg-denied", "--location", "westeurope"],
            reader_env,
            expect=1,
        )
        check(
            "(AuthorizationFailed)" in err
            and "'Microsoft.Resources/subscriptions/resourcegroups/write'" in err,
            "the reader's az group create did not fail with AuthorizationFailed",
            err,
        )

        # azure-identity: a client secret, then the environment.
        credential = ClientSecretCredential(
            TENANT, CLIENT, SECRET, authority=base, disable_instance_discovery=True
        )
        start = time.monotonic()
        at = credential.get_token(base + "/.default")
        TIMINGS.append(
            ("azure-identity ClientSecretCredential", time.monotonic() - start)
        )
        c = verify_jwt(at.token, base, [base])
        check(
            c["appid"] == CLIENT and c["oid"] and c["tid"] == TENANT,
            "ClientSecretCredential token",
            json.dumps(c, indent=1),
        )
        print(
            f"azure-identity ClientSecretCredential: a token for {c['aud']}, "
            f"oid {c['oid']}, expires {at.expires_on}"
        )
        os.environ.update(
            AZURE_TENANT_ID=TENANT, AZURE_CLIENT_ID=CLIENT, AZURE_CLIENT_SECRET=SECRET
        )
        start = time.monotonic()
        at = EnvironmentCredential(disable_instance_discovery=True).get_token(
            "https://management.core.windows.net//.default"
        )
        TIMINGS.append(
            ("azure-identity EnvironmentCredential", time.monotonic() - start)
        )
        c = verify_jwt(at.token, base, ["https://management.core.windows.net/"])
        check(
            c["appid"] == CLIENT, "EnvironmentCredential token", json.dumps(c, indent=1)
        )
        print(
            f"azure-identity EnvironmentCredential (AZURE_AUTHORITY_HOST={os.environ['AZURE_AUTHORITY_HOST']}):"
            f" a token for {c['aud']}"
        )
        for k in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
            del os.environ[k]

        exported_variables(env, base, port)
        workload_identity(env, base, work)
        managed_identity(env, base, info)

        # cloudstudio-azure over that az session (the az-cli source).
        tool_env = {**env, "PATH": VENV_BIN + os.pathsep + env.get("PATH", "")}
        workdir = os.path.join(work, "workdir")
        os.makedirs(os.path.join(workdir, "azure"))
        common = [
            "verify",
            "--cloud",
            "custom",
            "--authority-host",
            base,
            "--arm-endpoint",
            base,
            "--workdir",
            workdir,
            "--output",
            "json",
        ]
        out, _ = run(
            "cloudstudio-azure verify (az-cli)",
            [BIN, *common, "--subscription-id", PROD],
            tool_env,
        )
        report = json.loads(out)
        check(
            report["source"] == "az-cli"
            and report["passed"] is True
            and report["subscription_id"] == PROD,
            "cloudstudio-azure verify over the az session",
            json.dumps(report, indent=1),
        )
        out, _ = run(
            "cloudstudio-azure verify (disabled subscription)",
            [BIN, *common, "--subscription-id", DISABLED],
            tool_env,
            expect=3,
        )
        report = json.loads(out)
        failed = [c["name"] for c in report["checks"] if c["status"] == "fail"]
        check(
            report["passed"] is False and failed == ["subscription"],
            "verify on a disabled subscription did not fail its subscription check",
            json.dumps(report, indent=1),
        )

        # The request log: a line per request, no secret, no token.
        server.terminate()
        server.wait(timeout=20)
        server = None
        with open(log_path, encoding="utf-8") as f:
            text = f.read()
        lines = [json.loads(line) for line in text.splitlines()]
        check(len(lines) > 20, "the request log is nearly empty", text[:400])
        for s in (SECRET, READER_SECRET, IDENTITY_HEADER, "eyJ"):
            check(s not in text, "a secret or token reached the request log")
        routes = sorted({line["route"] for line in lines})
        check(
            {"discovery", "token", "arm", "graph", "role_assignments", "subscription", "identity"}
            <= set(routes),
            "the request log misses routes",
            str(routes),
        )
        print(
            f"request log: {len(lines)} lines, routes {', '.join(routes)}, "
            f"principals {', '.join(sorted({line['principal'] for line in lines if line['principal']}))}"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        print(f"\nREAL-CLIENT CHECK FAILED: {e}", file=sys.stderr)
        sys.exit(1)
