'use strict';
// The entry scripts as the runner runs them: `node action/main.js` and
// `node action/post.js` in a child process with INPUT_*/STATE_* variables,
// the binary built "from source" by a fake cargo and replaced by a fake
// cloudstudio-azure that records how it was called.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { inputVar } = require('../lib/inputs');
const { sha256 } = require('../lib/install');
const wf = require('../lib/workflow');
const { ACTION_DIR, commands, fakeBinary, fakeCargo, readLog, runScript, runnerEnv, tempDir } = require('./helpers');

const MAIN = path.join(ACTION_DIR, 'main.js');
const POST = path.join(ACTION_DIR, 'post.js');
const SECRET = 'Zq8~act-test-secret-VALUE';

/** A runner world: fake cargo building a fake binary, runner files. */
function world(t) {
  const dir = tempDir(t);
  const bin = fakeBinary(path.join(dir, 'target', 'cloudstudio-azure'));
  fakeCargo(path.join(dir, 'bin'), bin);
  const log = path.join(dir, 'calls.jsonl');
  return { dir, bin, log, env: runnerEnv(dir, { FAKE_LOG: log, 'INPUT_BUILD-FROM-SOURCE': 'true' }) };
}

function withInputs(env, values) {
  const out = { ...env };
  for (const [k, v] of Object.entries(values)) out[inputVar(k)] = v;
  return out;
}

function state(w) {
  return wf.parseFileCommands(fs.readFileSync(w.env.GITHUB_STATE, 'utf8'));
}

test('main: masks first, the command alone on argv, inputs in the environment, state for the post step', async (t) => {
  const w = world(t);
  const env = withInputs(w.env, {
    command: 'export',
    'client-id': 'c1',
    'tenant-id': 't1',
    'client-secret': SECRET,
    environment: 'prod; rm -rf /',
    workdir: 'wd',
    cloud: 'AzureChinaCloud',
    cleanup: 'true',
  });
  const r = await runScript(MAIN, { ...env, FAKE_WORKDIR: '/abs/workdir' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], `::add-mask::${SECRET}`, 'the mask is the first line');
  assert.equal(lines.filter((l) => l.includes(SECRET)).length, 1, 'the secret appears only in its mask');

  const calls = readLog(w.log);
  assert.deepEqual(
    calls.map((c) => c.argv),
    [['export'], ['cleanup', '--dry-run', '--output', 'json']],
  );
  const run = calls[0].env;
  assert.equal(run.CLOUDSTUDIO_ENVIRONMENT, 'prod; rm -rf /', 'a value is data in a variable, never shell or argv');
  assert.equal(run.CLOUDSTUDIO_CLOUD, 'china');
  assert.equal(run.AZURE_CLIENT_SECRET, SECRET);
  assert.equal(Object.keys(run).filter((k) => k.startsWith('INPUT_')).length, 0);
  assert.equal(calls[1].env.CLOUDSTUDIO_CREDENTIAL, 'ci-production', 'the probe asks for the credential export wrote');

  const saved = JSON.parse(state(w).export);
  assert.deepEqual(saved, { bin: w.bin, sha256: null, credential: 'ci-production', workdir: '/abs/workdir', config: null });
  assert.match(r.stdout, /^cloudstudio-azure 0\.1\.0: built from source in \d+ ms: /m);
});

test('main: a dry run, another command or cleanup: false leave nothing for the post step', async (t) => {
  for (const inputs of [{ 'dry-run': 'true' }, { command: 'verify' }, { cleanup: 'false' }]) {
    const w = world(t);
    const r = await runScript(MAIN, withInputs(w.env, inputs));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(state(w), {}, JSON.stringify(inputs));
  }
});

test("main: the binary's failure is the step's, with its own ::error only", async (t) => {
  const w = world(t);
  const r = await runScript(MAIN, { ...w.env, FAKE_EXIT: '3', FAKE_OUTPUT: '::error title=Reader-level only::cannot deploy' });
  assert.equal(r.code, 3);
  assert.deepEqual(commands(r.stdout + r.stderr, 'error'), ['::error title=Reader-level only::cannot deploy']);
  assert.match(r.stdout, /^cloudstudio-azure export exited 3 \(access not sufficient\)$/m);
  assert.deepEqual(state(w), {});
});

test('main: a usage error from the CLI becomes one ::error naming the input', async (t) => {
  const w = world(t);
  const usage = "error: invalid value 'qa' for '--environment <ENV>': unknown environment `qa`";
  const r = await runScript(MAIN, withInputs({ ...w.env, FAKE_EXIT: '2', FAKE_OUTPUT: usage }, { environment: 'qa' }));
  assert.equal(r.code, 2);
  assert.deepEqual(commands(r.stdout, 'error'), [
    "::error title=cloudstudio-azure%3A invalid input::invalid value 'qa' for '--environment <ENV>': unknown environment `qa` (input `environment`)",
  ]);
});

test('main: bad input is one ::error and exit 2, before anything is installed', async (t) => {
  const w = world(t);
  const r = await runScript(MAIN, withInputs(w.env, { command: 'env', 'client-secret': SECRET, 'client-id': 'c', 'tenant-id': 't' }));
  assert.equal(r.code, 2);
  const errors = commands(r.stdout, 'error');
  assert.equal(errors.length, 1);
  assert.match(errors[0], /^::error title=cloudstudio-azure%3A invalid input::`command: env` prints the secret/);
  assert.equal(r.stdout.split('\n')[0], `::add-mask::${SECRET}`);
  assert.equal(readLog(w.log).length, 0);
});

test('post: runs cleanup for exactly what main exported, with a clean environment', async (t) => {
  const w = world(t);
  const saved = { bin: w.bin, sha256: sha256(fs.readFileSync(w.bin)), credential: 'ci-prod', workdir: '/abs/wd', config: null };
  const env = withInputs({ ...w.env, STATE_export: JSON.stringify(saved), CLOUDSTUDIO_DRY_RUN: 'true', CLOUDSTUDIO_CREDENTIAL: 'other' }, { credential: 'x' });
  const r = await runScript(POST, env);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [call] = readLog(w.log);
  assert.deepEqual(call.argv, ['cleanup']);
  assert.equal(call.env.CLOUDSTUDIO_CREDENTIAL, 'ci-prod');
  assert.equal(call.env.CLOUDSTUDIO_WORKDIR, '/abs/wd');
  assert.equal(call.env.CLOUDSTUDIO_DRY_RUN, undefined, 'the job cannot turn the cleanup into a dry run');
  assert.equal(Object.keys(call.env).filter((k) => /^(INPUT|STATE)_/.test(k)).length, 0);
});

test('post: nothing exported, nothing run', async (t) => {
  const w = world(t);
  const r = await runScript(POST, w.env);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.equal(readLog(w.log).length, 0);
});

test('post: a binary changed since main is not run', async (t) => {
  const w = world(t);
  const saved = { bin: w.bin, sha256: 'f'.repeat(64), credential: 'ci-prod', workdir: '/abs/wd', config: null };
  const r = await runScript(POST, { ...w.env, STATE_export: JSON.stringify(saved) });
  assert.equal(r.code, 1);
  assert.match(commands(r.stdout, 'error')[0], /checksum mismatch::.* changed since the main step \(expected SHA-256 f{64}, got [0-9a-f]{64}\); not run: remove \/abs\/wd\/azure\/secrets\/ci-prod.json by hand/);
  assert.equal(readLog(w.log).length, 0);
});

test('post: a failing cleanup fails the post step with one ::error', async (t) => {
  const w = world(t);
  const saved = { bin: w.bin, sha256: null, credential: 'ci-prod', workdir: '/abs/wd', config: null };
  const r = await runScript(POST, { ...w.env, STATE_export: JSON.stringify(saved), FAKE_EXIT: '1' });
  assert.equal(r.code, 1);
  assert.deepEqual(commands(r.stdout, 'error'), ['::error title=cloudstudio-azure%3A failed::cloudstudio-azure cleanup exited 1; its messages are above']);
});
