'use strict';
// The action's main step: mask the secret inputs, install the binary
// (release download checked against the committed checksums, tool cache,
// or a build from source), run the command with the inputs in its
// environment, and remember what `export` wrote for the post step.

const fs = require('node:fs');
const path = require('node:path');
const wf = require('./lib/workflow');
const { binaryEnv, inputMasks, readInputs } = require('./lib/inputs');
const { install } = require('./lib/install');
const { entry, reportFailure, runBinary } = require('./lib/run');

const ACTION_DIR = __dirname;
const ROOT_DIR = path.dirname(__dirname);

/** The state the post step reads (`STATE_export`). */
const STATE = 'export';

function describe(installed, ms) {
  const what = `cloudstudio-azure ${installed.version}${installed.target ? ` (${installed.target})` : ''}`;
  const secs = ms < 10000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
  switch (installed.how) {
    case 'cache':
      return `${what}: from the tool cache, SHA-256 checked, in ${secs}: ${installed.bin}`;
    case 'download':
      return `${what}: downloaded ${(installed.bytes / 1048576).toFixed(1)} MiB from ${installed.url}, SHA-256 matches the committed checksum, in ${secs}: ${installed.bin}`;
    default:
      return `${what}: built from source in ${secs}: ${installed.bin}`;
  }
}

function fileSize(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The outputs the binary appended to GITHUB_OUTPUT since `offset`. */
function outputsSince(file, offset) {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    fs.readSync(fd, buf, 0, buf.length, offset);
    return wf.parseFileCommands(buf.toString('utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * After a real export: what the post step must remove. The workdir is
 * asked of the binary itself (`cleanup --dry-run` resolves it exactly as
 * `export` did), so a later step that changes cloudstudio.yml or the
 * current directory cannot send the cleanup elsewhere.
 */
async function rememberExport(installed, inputs, benv, outputs) {
  const credential = outputs.credential;
  if (!credential) return;
  if (!inputs.cleanup) {
    wf.info(`cleanup: false: credential \`${wf.clean(credential, 200)}\` stays in the workdir after the job`);
    return;
  }
  const probe = await runBinary(installed.bin, ['cleanup', '--dry-run', '--output', 'json'], { ...benv, CLOUDSTUDIO_CREDENTIAL: credential }, { capture: true });
  let workdir = null;
  try {
    workdir = probe.code === 0 ? JSON.parse(probe.stdout).workdir : null;
  } catch {
    workdir = null;
  }
  if (typeof workdir !== 'string' || !workdir) {
    wf.warning('cleanup', `could not pin the workdir for the post step's cleanup (exit ${probe.code}); it will resolve it again from the same inputs`);
    workdir = null;
  }
  const config = inputs.values.config ? path.resolve(inputs.values.config) : null;
  const state = {
    bin: installed.bin,
    sha256: installed.sha256 || null,
    credential,
    workdir: workdir || (inputs.values.workdir ? path.resolve(inputs.values.workdir) : null),
    config,
  };
  wf.saveState(STATE, JSON.stringify(state));
}

async function main(env = process.env) {
  // Masks before any other output.
  for (const secret of inputMasks(env)) wf.addMask(secret);
  const inputs = readInputs(env);
  if (inputs.unused.length) {
    const names = inputs.unused.map((n) => `\`${n}\``).join(', ');
    wf.warning('unused input', `command \`${inputs.command}\` does not use ${names}; ignored`);
  }

  const started = Date.now();
  const installed = await install({
    env,
    actionDir: ACTION_DIR,
    rootDir: ROOT_DIR,
    platform: process.platform,
    arch: process.arch,
    requested: inputs.version,
    buildFromSource: inputs.buildFromSource,
  });
  wf.info(describe(installed, Date.now() - started));

  const benv = binaryEnv(env, inputs);
  const outputFile = env.GITHUB_OUTPUT;
  const offset = outputFile ? fileSize(outputFile) : 0;
  const result = await runBinary(installed.bin, [inputs.command], benv);
  if (result.code !== 0) {
    reportFailure(result, inputs.command);
    return result.code || 1;
  }
  if (inputs.command === 'export' && !inputs.dryRun && outputFile) {
    await rememberExport(installed, inputs, benv, outputsSince(outputFile, offset));
  }
  return 0;
}

if (require.main === module) entry(() => main());

module.exports = { main };
