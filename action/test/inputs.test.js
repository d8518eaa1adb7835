'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const inputs = require('../lib/inputs');
const { ROOT_DIR } = require('./helpers');

/** The runner's INPUT_* variables for `with:` values. */
function withInputs(values, extra = {}) {
  const env = { ...extra };
  for (const [k, v] of Object.entries(values)) env[inputs.inputVar(k)] = v;
  return env;
}

/** action.yml's input and output names (a two-level YAML block each). */
function declared(section) {
  const text = fs.readFileSync(path.join(ROOT_DIR, 'action.yml'), 'utf8');
  const block = text.split(new RegExp(`^${section}:\\n`, 'm'))[1].split(/^\S/m)[0];
  return [...block.matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]);
}

test('every input in action.yml is read, and nothing else', () => {
  const read = new Set();
  const env = new Proxy(
    {},
    {
      get(_, k) {
        if (typeof k === 'string' && k.startsWith('INPUT_')) read.add(k);
        return undefined;
      },
    },
  );
  inputs.readInputs(env);
  inputs.inputMasks(env);
  assert.deepEqual([...read].sort(), declared('inputs').map(inputs.inputVar).sort());
});

test('action.yml declares exactly the outputs the binary writes', () => {
  assert.deepEqual(declared('outputs').sort(), ['client-id', 'credential', 'environment', 'source', 'subscription-id', 'tenant-id']);
});

test('the runner names inputs INPUT_<NAME> with dashes kept', () => {
  assert.equal(inputs.inputVar('client-id'), 'INPUT_CLIENT-ID');
  assert.equal(inputs.inputVar('dry-run'), 'INPUT_DRY-RUN');
});

test('defaults: export, verified, cleaned up', () => {
  const r = inputs.readInputs(withInputs({}));
  assert.equal(r.command, 'export');
  assert.deepEqual(r.values, {});
  assert.equal(r.cleanup, true);
  assert.equal(r.dryRun, false);
  assert.equal(r.version, '');
});

test('command env is refused: it prints the secret', () => {
  assert.throws(() => inputs.readInputs(withInputs({ command: 'env' })), (e) => e.name === 'InputError' && e.exitCode === 2 && /prints the secret/.test(e.message));
  assert.throws(() => inputs.readInputs(withInputs({ command: 'demo' })), /must be one of explain, verify, export, status, cleanup/);
});

test("cloud takes ours and azure/login's names, any case", () => {
  const cloud = (v) => inputs.readInputs(withInputs({ cloud: v })).values.cloud;
  assert.equal(cloud('AzureCloud'), 'public');
  assert.equal(cloud('AzureUSGovernment'), 'usgovernment');
  assert.equal(cloud('azurechinacloud'), 'china');
  assert.equal(cloud('AzureStack'), 'custom');
  assert.equal(cloud('Custom'), 'custom');
  assert.throws(() => cloud('AzureGermanCloud'), /input `cloud` must be/);
});

test('require and booleans are validated, naming the input', () => {
  assert.equal(inputs.readInputs(withInputs({ require: 'Reader' })).values.require, 'reader');
  assert.throws(() => inputs.readInputs(withInputs({ require: 'owner' })), /input `require` must be contributor, reader or none/);
  assert.throws(() => inputs.readInputs(withInputs({ 'dry-run': 'yes' })), /input `dry-run` must be true or false/);
  assert.equal(inputs.readInputs(withInputs({ 'dry-run': 'TRUE' })).dryRun, true);
  assert.equal(inputs.readInputs(withInputs({ verify: 'false' })).values.verify, 'true', 'verify: false sets CLOUDSTUDIO_NO_VERIFY');
  assert.equal(inputs.readInputs(withInputs({ cleanup: 'False' })).cleanup, false);
});

test('version accepts v1.2.3 and 1.2.3 only', () => {
  assert.equal(inputs.readInputs(withInputs({ version: 'v1.2.3' })).version, '1.2.3');
  assert.equal(inputs.readInputs(withInputs({ version: '0.4.0-rc.1' })).version, '0.4.0-rc.1');
  assert.throws(() => inputs.readInputs(withInputs({ version: 'v1' })), /release version such as v1.2.3/);
  assert.throws(() => inputs.readInputs(withInputs({ version: '../../x' })), /release version/);
});

test('credentials: creds or ids, never both, ids together', () => {
  assert.throws(() => inputs.readInputs(withInputs({ creds: '{}', 'client-id': 'x' })), /either `creds` or/);
  assert.throws(() => inputs.readInputs(withInputs({ 'client-secret': 's' })), /`client-id` and `tenant-id` missing/);
  assert.throws(() => inputs.readInputs(withInputs({ 'client-id': 'c' })), /`tenant-id` missing/);
  const blank = inputs.readInputs(withInputs({ creds: ' \n', 'client-secret': '  ' }));
  assert.deepEqual(blank.credentials, {}, 'blank secrets count as not set');
  const oidc = inputs.readInputs(withInputs({ 'client-id': 'c', 'tenant-id': 't' }));
  assert.deepEqual(oidc.credentials, { AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't' });
});

test('secret inputs are masked, found in every creds shape, never when not JSON', () => {
  const m = (v) => inputs.inputMasks(withInputs(v));
  assert.deepEqual(m({ 'client-secret': ' s3cret ' }), [' s3cret ']);
  assert.deepEqual(m({ creds: JSON.stringify({ clientId: 'c', clientSecret: 'cs-1' }) }), ['cs-1']);
  assert.deepEqual(m({ creds: JSON.stringify({ appId: 'c', password: 'pw-2' }) }), ['pw-2']);
  assert.deepEqual(m({ creds: JSON.stringify({ client_id: 'c', client_secret: 'cs-3' }) }), ['cs-3']);
  assert.deepEqual(m({ creds: '{not json' }), []);
  assert.deepEqual(m({}), []);
});

test("the binary's environment: inputs as CLOUDSTUDIO_*, no INPUT_*, empties absent", () => {
  const env = withInputs(
    { environment: 'prod', workdir: 'wd', cloud: 'AzureUSGovernment', 'dry-run': 'true', 'client-secret': 'sec', 'client-id': 'c', 'tenant-id': 't' },
    { PATH: '/bin', CLOUDSTUDIO_BRANCH: '', CLOUDSTUDIO_REQUIRE: 'reader', CLOUDSTUDIO_NO_VERIFY: 'true', CLOUDSTUDIO_ENVIRONMENT: 'stage' },
  );
  const b = inputs.binaryEnv(env, inputs.readInputs(env));
  assert.equal(b.PATH, '/bin');
  assert.equal(Object.keys(b).filter((k) => k.startsWith('INPUT_')).length, 0, 'the secret input is not passed as INPUT_*');
  assert.equal(b.CLOUDSTUDIO_ENVIRONMENT, 'prod', 'the input wins over the job variable');
  assert.equal(b.CLOUDSTUDIO_WORKDIR, 'wd');
  assert.equal(b.CLOUDSTUDIO_CLOUD, 'usgovernment');
  assert.equal(b.CLOUDSTUDIO_DRY_RUN, 'true');
  assert.equal(b.CLOUDSTUDIO_REQUIRE, 'reader', 'a job variable the inputs leave alone stays');
  assert.equal('CLOUDSTUDIO_BRANCH' in b, false, 'empty counts as absent');
  assert.equal('CLOUDSTUDIO_NO_VERIFY' in b, false, 'the verify input decides');
  assert.equal(b.AZURE_CLIENT_SECRET, 'sec');
});

test('credential inputs replace the job-level credential variables entirely', () => {
  const job = {
    AZURE_CREDENTIALS: '{"clientId":"job"}',
    AZURE_CLIENT_SECRET: 'job-secret',
    ARM_CLIENT_ID: 'job-arm',
    ARM_CLIENT_SECRET: 'job-arm-secret',
    ARM_TENANT_ID: 'job-tenant',
    AZURE_SUBSCRIPTION_ID: 'job-sub',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc',
  };
  const env = withInputs({ 'client-id': 'c', 'tenant-id': 't' }, job);
  const b = inputs.binaryEnv(env, inputs.readInputs(env));
  assert.deepEqual(
    Object.keys(b).filter((k) => /^(AZURE|ARM)_/.test(k)).sort(),
    ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID'],
    'OIDC with the input ids: no job secret completes them',
  );
  assert.equal(b.ACTIONS_ID_TOKEN_REQUEST_URL, 'https://oidc', 'the OIDC token endpoint stays');

  const none = withInputs({}, job);
  const kept = inputs.binaryEnv(none, inputs.readInputs(none));
  assert.equal(kept.AZURE_CREDENTIALS, job.AZURE_CREDENTIALS, 'no credential inputs: the job env is the source');
  assert.equal(kept.ARM_CLIENT_SECRET, job.ARM_CLIENT_SECRET);
});

test('status and cleanup get only what they accept', () => {
  const all = { environment: 'prod', credential: 'ci-x', branch: 'main', 'subscription-id': 'sub', cloud: 'china', workdir: 'wd', 'dry-run': 'true', creds: '{}' };
  const status = withInputs({ ...all, command: 'status' });
  const s = inputs.readInputs(status);
  const sb = inputs.binaryEnv(status, s);
  assert.deepEqual(Object.keys(sb).filter((k) => k.startsWith('CLOUDSTUDIO_')), ['CLOUDSTUDIO_WORKDIR']);
  assert.equal('AZURE_CREDENTIALS' in sb, false);
  assert.deepEqual(s.unused.sort(), ['branch', 'cloud', 'credential', 'creds', 'dry-run', 'environment', 'subscription-id']);

  const cleanup = withInputs({ ...all, command: 'cleanup' });
  const c = inputs.readInputs(cleanup);
  const cb = inputs.binaryEnv(cleanup, c);
  assert.deepEqual(
    Object.keys(cb)
      .filter((k) => k.startsWith('CLOUDSTUDIO_'))
      .sort(),
    ['CLOUDSTUDIO_BRANCH', 'CLOUDSTUDIO_CREDENTIAL', 'CLOUDSTUDIO_DRY_RUN', 'CLOUDSTUDIO_ENVIRONMENT', 'CLOUDSTUDIO_WORKDIR'],
  );
  assert.equal(c.dryRun, true);
  assert.deepEqual(c.unused.sort(), ['cloud', 'creds', 'subscription-id']);
});

test('each CLOUDSTUDIO_* variable names the flag the CLI documents', () => {
  for (const [input, v] of Object.entries(inputs.FLAG_INPUTS)) {
    const flag = input === 'verify' ? '--no-verify' : `--${input}`;
    assert.equal(inputs.inputForFlag(flag), input, v);
  }
  assert.equal(inputs.inputForFlag('--timeout'), null);
});

test('managed-identity: true or a client id reaches the binary as CLOUDSTUDIO_MANAGED_IDENTITY', () => {
  const id = '0A1B2C3D-1111-4A4A-8B8B-000000000001';
  for (const [value, want] of [['true', 'true'], ['TRUE', 'true'], [id, id.toLowerCase()], ['false', 'false'], ['FALSE', 'false'], ['', undefined]]) {
    const env = withInputs({ 'managed-identity': value }, { PATH: '/bin' });
    const b = inputs.binaryEnv(env, inputs.readInputs(env));
    assert.equal(b.CLOUDSTUDIO_MANAGED_IDENTITY, want, value);
  }
  assert.throws(
    () => inputs.readInputs(withInputs({ 'managed-identity': 'yes' })),
    (e) => e.name === 'InputError' && /must be true, false or a user-assigned identity's client id/.test(e.message),
  );
  // status and cleanup do not use it: said once, not an error.
  const r = inputs.readInputs(withInputs({ command: 'status', 'managed-identity': 'true' }));
  assert.deepEqual(r.unused, ['managed-identity']);
});
