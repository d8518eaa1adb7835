'use strict';
// Test helpers: temp dirs, fake executables (cargo and the binary), a
// local release server on 127.0.0.1, and running an entry script as the
// runner does (a child process, its own environment, output captured).

const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ACTION_DIR = path.resolve(__dirname, '..');
const ROOT_DIR = path.dirname(ACTION_DIR);

function tempDir(t, prefix = 'csa-action-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeExecutable(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o755 });
  return file;
}

/**
 * A fake `cargo` on PATH: records its arguments and environment in
 * `<dir>/cargo.json`, prints a workflow command among its output (a build
 * script could), and names `exe` as the built executable, as cargo's JSON
 * messages do. `FAKE_CARGO_EXIT` makes the build fail.
 */
function fakeCargo(dir, exe) {
  const record = path.join(dir, 'cargo.json');
  writeExecutable(
    path.join(dir, 'cargo'),
    `#!${process.execPath}
const fs = require('fs');
if (process.argv[2] === '--version') { console.log('cargo 1.99.0 (fake)'); process.exit(0); }
fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env }));
console.log('::error::printed by a build script');
console.log(JSON.stringify({ reason: 'compiler-artifact', target: { name: 'other', kind: ['lib'] }, executable: null }));
console.log(JSON.stringify({ reason: 'compiler-artifact', target: { name: 'cloudstudio-azure', kind: ['bin'] }, executable: ${JSON.stringify(exe)} }));
console.log(JSON.stringify({ reason: 'build-finished', success: true }));
process.exit(Number(process.env.FAKE_CARGO_EXIT || 0));
`,
  );
  return record;
}

/**
 * A fake cloudstudio-azure: appends `{argv, env}` to $FAKE_LOG; `export`
 * writes the six outputs (or fails as $FAKE_EXIT says, printing
 * $FAKE_OUTPUT), `cleanup --dry-run --output json` names $FAKE_WORKDIR.
 */
function fakeBinary(file) {
  return writeExecutable(
    file,
    `#!${process.execPath}
const fs = require('fs');
const argv = process.argv.slice(2);
if (process.env.FAKE_LOG) fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify({ argv, env: process.env }) + '\\n');
if (process.env.FAKE_OUTPUT) process.stderr.write(process.env.FAKE_OUTPUT + '\\n');
if (process.env.FAKE_EXIT) process.exit(Number(process.env.FAKE_EXIT));
if (argv[0] === 'export' && process.env.GITHUB_OUTPUT && !process.env.CLOUDSTUDIO_DRY_RUN) {
  const out = { environment: 'production', 'subscription-id': 's', 'tenant-id': 't', 'client-id': 'c', credential: process.env.FAKE_CREDENTIAL || 'ci-production', source: 'azure-env' };
  fs.appendFileSync(process.env.GITHUB_OUTPUT, Object.entries(out).map(([k, v]) => k + '<<ghadelimiter_x\\n' + v + '\\nghadelimiter_x\\n').join(''));
}
if (argv[0] === 'cleanup' && argv.includes('--dry-run') && argv.includes('json')) {
  console.log(JSON.stringify({ credential: process.env.CLOUDSTUDIO_CREDENTIAL, workdir: process.env.FAKE_WORKDIR || '/work/dir', files: [], dry_run: true }));
} else {
  console.log('fake ' + argv.join(' '));
}
`,
  );
}

function readLog(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** A minimal runner environment: files for the file commands, a PATH. */
function runnerEnv(dir, extra = {}) {
  const files = {};
  for (const f of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']) {
    files[f] = path.join(dir, f.toLowerCase());
    fs.writeFileSync(files[f], '');
  }
  return {
    PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH}`,
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: path.join(dir, 'runner-temp'),
    RUNNER_TOOL_CACHE: path.join(dir, 'tool-cache'),
    ...files,
    ...extra,
  };
}

/** Runs a script under node with exactly `env`; resolves to its result. */
function runScript(script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A release server on 127.0.0.1: `routes` maps a path to a Buffer, a
 * status number, or a function (req, res). Counts requests per path.
 */
async function releaseServer(t, routes) {
  const hits = {};
  const server = http.createServer((req, res) => {
    hits[req.url] = (hits[req.url] || 0) + 1;
    const route = routes[req.url];
    if (typeof route === 'function') return route(req, res, hits[req.url]);
    if (Buffer.isBuffer(route)) {
      res.writeHead(200, { 'content-length': route.length });
      return res.end(route);
    }
    res.writeHead(typeof route === 'number' ? route : 404);
    return res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${server.address().port}`, hits, routes };
}

/**
 * The workflow commands (`::name ...::`) the runner would act on in some
 * output: lines between `::stop-commands::TOKEN` and `::TOKEN::` are not.
 */
function commands(text, name) {
  const found = [];
  let stopped = null;
  for (const line of text.split('\n')) {
    if (stopped) {
      if (line === `::${stopped}::`) stopped = null;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) stopped = stop[1];
    else if (line.startsWith(`::${name}`)) found.push(line);
  }
  return found;
}

module.exports = {
  ACTION_DIR,
  ROOT_DIR,
  commands,
  fakeBinary,
  fakeCargo,
  readLog,
  releaseServer,
  runScript,
  runnerEnv,
  tempDir,
  writeExecutable,
};
