'use strict';
// The step's inputs: read, validated, and turned into the environment of
// the binary. No input value is ever put on its command line: the CLI reads
// the target and cloud flags from `CLOUDSTUDIO_*` variables (see its
// `--help`) and the credentials from the variables it reads anyway.

/** A bad input: the step fails with exit 2, as the CLI does for usage. */
class InputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InputError';
    this.exitCode = 2;
  }
}

/** Credential inputs and the variable each becomes. */
const CREDENTIAL_INPUTS = {
  creds: 'AZURE_CREDENTIALS',
  'client-id': 'AZURE_CLIENT_ID',
  'client-secret': 'AZURE_CLIENT_SECRET',
  'tenant-id': 'AZURE_TENANT_ID',
};

/**
 * Variables of the secret-based sources. When the step names its
 * credentials as inputs, these are removed from the binary's environment:
 * a job-level variable must neither win over the inputs (a higher source)
 * nor complete them (fields are never mixed across sources).
 */
const CREDENTIAL_VARS = [
  'AZURE_CREDENTIALS',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_TENANT_ID',
  'AZURE_SUBSCRIPTION_ID',
  'ARM_CLIENT_ID',
  'ARM_CLIENT_SECRET',
  'ARM_TENANT_ID',
  'ARM_SUBSCRIPTION_ID',
];

/** Target, cloud and export inputs and the CLI's variable for each. */
const FLAG_INPUTS = {
  'subscription-id': 'CLOUDSTUDIO_SUBSCRIPTION_ID',
  environment: 'CLOUDSTUDIO_ENVIRONMENT',
  branch: 'CLOUDSTUDIO_BRANCH',
  config: 'CLOUDSTUDIO_CONFIG',
  workdir: 'CLOUDSTUDIO_WORKDIR',
  credential: 'CLOUDSTUDIO_CREDENTIAL',
  require: 'CLOUDSTUDIO_REQUIRE',
  cloud: 'CLOUDSTUDIO_CLOUD',
  'authority-host': 'CLOUDSTUDIO_AUTHORITY_HOST',
  'arm-endpoint': 'CLOUDSTUDIO_ARM_ENDPOINT',
  'managed-identity': 'CLOUDSTUDIO_MANAGED_IDENTITY',
  'dry-run': 'CLOUDSTUDIO_DRY_RUN',
  verify: 'CLOUDSTUDIO_NO_VERIFY',
};

const CREDS = Object.keys(CREDENTIAL_INPUTS);
const RESOLVE = [...CREDS, 'managed-identity', 'subscription-id', 'environment', 'branch', 'credential', 'config', 'workdir', 'cloud', 'authority-host', 'arm-endpoint'];

/** The inputs each command uses (its flags, as `--help` lists them). */
const COMMANDS = {
  explain: RESOLVE,
  verify: [...RESOLVE, 'require'],
  export: [...RESOLVE, 'require', 'dry-run', 'verify'],
  status: ['config', 'workdir'],
  cleanup: ['config', 'workdir', 'credential', 'environment', 'branch', 'dry-run'],
};

/** Inputs that do not depend on the command. */
const ALWAYS = ['command', 'cleanup', 'version', 'build-from-source'];

/** azure/login's `environment` names for the clouds, and ours. */
const CLOUDS = {
  public: 'public',
  azurecloud: 'public',
  usgovernment: 'usgovernment',
  azureusgovernment: 'usgovernment',
  china: 'china',
  azurechinacloud: 'china',
  custom: 'custom',
  azurestack: 'custom',
};

const REQUIRE = ['contributor', 'reader', 'none'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Inputs whose value is a secret: masked, never echoed. */
const SECRET_INPUTS = new Set(['creds', 'client-secret']);

/** The runner's variable for an input (as @actions/core reads it). */
function inputVar(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

function getInput(env, name) {
  const raw = env[inputVar(name)] || '';
  return SECRET_INPUTS.has(name) ? raw : raw.trim();
}

/** YAML 1.2 core booleans, as @actions/core's getBooleanInput. */
function getBool(env, name, fallback) {
  const v = getInput(env, name);
  if (v === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'False', 'FALSE'].includes(v)) return false;
  throw new InputError(`input \`${name}\` must be true or false, not "${v}"`);
}

/** `v1.2.3` or `1.2.3` (a pre-release suffix allowed) -> `1.2.3`. */
function parseVersion(text, what) {
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(text);
  if (!m) throw new InputError(`${what} must be a release version such as v1.2.3, not "${text}"`);
  return m[1];
}

/** Secret values inside an AZURE_CREDENTIALS JSON, in any accepted shape. */
function credsSecrets(creds) {
  let doc;
  try {
    doc = JSON.parse(creds);
  } catch {
    return []; // the CLI reports it, without echoing the value
  }
  if (!doc || typeof doc !== 'object') return [];
  return ['clientSecret', 'client_secret', 'password']
    .map((k) => doc[k])
    .filter((v) => typeof v === 'string' && v.trim());
}

/**
 * The secrets among the inputs, to mask before anything else is printed
 * (whatever goes wrong later must not show one).
 */
function inputMasks(env) {
  const masks = [];
  const secret = getInput(env, 'client-secret');
  if (secret.trim()) masks.push(secret);
  const creds = getInput(env, 'creds');
  if (creds) masks.push(...credsSecrets(creds));
  return masks;
}

/**
 * Reads and validates every input. Returns what `main` needs; throws
 * InputError naming the input and the fix.
 */
function readInputs(env) {
  const raw = {};
  for (const name of [...new Set([...RESOLVE, ...Object.keys(FLAG_INPUTS), ...ALWAYS])]) {
    raw[name] = getInput(env, name);
  }

  const command = raw.command || 'export';
  if (command === 'env') {
    throw new InputError(
      '`command: env` prints the secret, for a shell to `eval`; a step log is no place for it. Use `command: export` (the job gets the variables, masked)',
    );
  }
  if (!COMMANDS[command]) {
    throw new InputError(`input \`command\` must be one of ${Object.keys(COMMANDS).join(', ')}, not "${command}"`);
  }

  const given = CREDS.filter((n) => raw[n].trim() !== '');
  if (given.includes('creds') && given.length > 1) {
    throw new InputError(
      `set either \`creds\` or \`client-id\`/\`tenant-id\` (with \`client-secret\`, or none for OIDC), not both: got ${given.map((n) => `\`${n}\``).join(', ')}`,
    );
  }
  if (!given.includes('creds') && given.length && (!raw['client-id'] || !raw['tenant-id'])) {
    const missing = ['client-id', 'tenant-id'].filter((n) => !raw[n]);
    throw new InputError(
      `${missing.map((n) => `\`${n}\``).join(' and ')} missing: \`client-id\` and \`tenant-id\` come together (with \`client-secret\`, or without it for OIDC)`,
    );
  }

  const values = {};
  if (raw.cloud) {
    const cloud = CLOUDS[raw.cloud.toLowerCase()];
    if (!cloud) {
      throw new InputError(
        `input \`cloud\` must be public, usgovernment, china or custom (or azure/login's AzureCloud, AzureUSGovernment, AzureChinaCloud, AzureStack), not "${raw.cloud}"`,
      );
    }
    values.cloud = cloud;
  }
  if (raw.require) {
    const req = raw.require.toLowerCase();
    if (!REQUIRE.includes(req)) {
      throw new InputError(`input \`require\` must be contributor, reader or none, not "${raw.require}"`);
    }
    values.require = req;
  }
  const mi = raw['managed-identity'];
  if (mi && !/^(true|false)$/i.test(mi) && !GUID.test(mi)) {
    throw new InputError(
      `input \`managed-identity\` must be true, false or a user-assigned identity's client id (a GUID), not "${mi}"`,
    );
  }
  // `false` is passed on too: it overrides an ARM_USE_MSI=true the runner's
  // environment may carry.
  if (mi) values['managed-identity'] = mi.toLowerCase();
  for (const name of ['subscription-id', 'environment', 'branch', 'config', 'workdir', 'credential', 'authority-host', 'arm-endpoint']) {
    if (raw[name]) values[name] = raw[name];
  }
  const dryRun = getBool(env, 'dry-run', false);
  const verify = getBool(env, 'verify', true);
  if (dryRun) values['dry-run'] = 'true';
  if (!verify) values.verify = 'true'; // CLOUDSTUDIO_NO_VERIFY

  // Inputs the command does not use: said once, not an error (a shared
  // `with:` block is common).
  const uses = new Set(COMMANDS[command]);
  const unused = Object.keys({ ...values, ...Object.fromEntries(given.map((n) => [n, 1])) }).filter(
    (n) => !uses.has(n),
  );

  const credentials = {};
  for (const n of given) credentials[CREDENTIAL_INPUTS[n]] = raw[n];

  return {
    command,
    values, // flag inputs set for this step, by input name
    credentials, // variable -> value, from the credential inputs
    unused,
    dryRun: uses.has('dry-run') && dryRun,
    cleanup: getBool(env, 'cleanup', true),
    buildFromSource: getBool(env, 'build-from-source', false),
    version: raw.version ? parseVersion(raw.version, 'input `version`') : '',
  };
}

/**
 * The binary's environment: the job's, less the action's own inputs
 * (`INPUT_*` holds the secret inputs), with the inputs this command uses.
 * An empty `CLOUDSTUDIO_*` variable counts as absent, as everywhere in the
 * CLI; an input wins over the job's variable of the same meaning.
 */
function binaryEnv(base, inputs) {
  const env = {};
  for (const [k, v] of Object.entries(base)) {
    if (k.startsWith('INPUT_')) continue;
    if (k.startsWith('CLOUDSTUDIO_') && v.trim() === '') continue;
    env[k] = v;
  }
  // The step's `dry-run`/`verify` inputs always decide (they have defaults).
  delete env.CLOUDSTUDIO_DRY_RUN;
  delete env.CLOUDSTUDIO_NO_VERIFY;

  const uses = new Set(COMMANDS[inputs.command]);
  for (const [name, value] of Object.entries(inputs.values)) {
    if (uses.has(name)) env[FLAG_INPUTS[name]] = value;
  }
  if (Object.keys(inputs.credentials).length && uses.has('creds')) {
    for (const k of CREDENTIAL_VARS) delete env[k];
    Object.assign(env, inputs.credentials);
  }
  return env;
}

/** The CLI's flag for a variable, and the input behind it (for messages). */
function inputForFlag(flag) {
  const byVar = Object.fromEntries(Object.entries(FLAG_INPUTS).map(([i, v]) => [v, i]));
  const v = `CLOUDSTUDIO_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
  if (flag === '--no-verify') return 'verify';
  return byVar[v] || null;
}

module.exports = {
  CLOUDS,
  COMMANDS,
  CREDENTIAL_VARS,
  FLAG_INPUTS,
  InputError,
  binaryEnv,
  credsSecrets,
  inputForFlag,
  inputMasks,
  inputVar,
  parseVersion,
  readInputs,
};
