//! The offline Azure emulator (Entra ID v2 token endpoint, Resource Manager,
//! GitHub OIDC) for `demo`, `emulator serve` and the tests.
