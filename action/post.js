'use strict';
// The action's post step, at the end of the job: remove what the main step
// exported (the credential file and its environment bindings) with the
// binary's own `cleanup`, for exactly the credential and workdir the main
// step saved. Self-hosted runners keep their disks between jobs; a secret
// left behind would outlive the job that needed it.

const fs = require('node:fs');
const wf = require('./lib/workflow');
const { sha256 } = require('./lib/install');
const { entry, reportFailure, runBinary } = require('./lib/run');

async function post(env = process.env) {
  const raw = env.STATE_export;
  if (!raw) return 0; // the main step exported nothing (or `cleanup: false`)
  const state = JSON.parse(raw);

  // The tool cache is writable by every step of the job: check the binary
  // again before running it.
  if (state.sha256) {
    let actual = null;
    try {
      actual = sha256(fs.readFileSync(state.bin));
    } catch (e) {
      actual = `unreadable (${e.code || e.message})`;
    }
    if (actual !== state.sha256) {
      wf.error(
        'checksum mismatch',
        `${state.bin} changed since the main step (expected SHA-256 ${state.sha256}, got ${actual}); not run: remove ${state.workdir || 'the workdir'}/azure/secrets/${state.credential}.json by hand`,
      );
      return 1;
    }
  }

  const cenv = {};
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('INPUT_') && !k.startsWith('CLOUDSTUDIO_') && !k.startsWith('STATE_')) cenv[k] = v;
  }
  cenv.CLOUDSTUDIO_CREDENTIAL = state.credential;
  if (state.workdir) cenv.CLOUDSTUDIO_WORKDIR = state.workdir;
  if (state.config && fs.existsSync(state.config)) cenv.CLOUDSTUDIO_CONFIG = state.config;

  const result = await runBinary(state.bin, ['cleanup'], cenv);
  if (result.code !== 0) {
    reportFailure(result, 'cleanup');
    return result.code || 1;
  }
  return 0;
}

if (require.main === module) entry(() => post());

module.exports = { post };
