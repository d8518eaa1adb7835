'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const install = require('../lib/install');
const wf = require('../lib/workflow');
const { ACTION_DIR, ROOT_DIR, fakeCargo, releaseServer, tempDir, writeExecutable } = require('./helpers');

/** A TOML section's `key = "value"` lines (enough for Cargo.toml). */
function tomlSection(text, name) {
  const parts = text.split(/^\[/m);
  const body = parts.find((p) => p.startsWith(`${name}]`));
  return body ? body.slice(name.length + 1) : '';
}

/** The crate's version, wherever the workspace keeps it. */
function crateVersion() {
  for (const rel of ['crates/cloudstudio-azure/Cargo.toml', 'Cargo.toml']) {
    const file = path.join(ROOT_DIR, rel);
    if (!fs.existsSync(file)) continue;
    const pkg = tomlSection(fs.readFileSync(file, 'utf8'), 'package');
    if (!/^name\s*=\s*"cloudstudio-azure"/m.test(pkg)) continue;
    const own = /^version\s*=\s*"([^"]+)"/m.exec(pkg);
    if (own) return own[1];
    if (/^version(\.workspace\s*=\s*true|\s*=\s*\{\s*workspace\s*=\s*true\s*\})/m.test(pkg)) {
      const ws = tomlSection(fs.readFileSync(path.join(ROOT_DIR, 'Cargo.toml'), 'utf8'), 'workspace.package');
      return /^version\s*=\s*"([^"]+)"/m.exec(ws)[1];
    }
  }
  throw new Error('no cloudstudio-azure package found');
}

test('action/VERSION is the crate version', () => {
  assert.equal(install.ownVersion(ACTION_DIR), crateVersion());
});

test('committed checksum files are well-formed and name only release assets', () => {
  const dir = path.join(ACTION_DIR, 'checksums');
  const assets = new Set(
    ['x86_64-unknown-linux-musl', 'aarch64-unknown-linux-musl', 'x86_64-apple-darwin', 'aarch64-apple-darwin', 'x86_64-pc-windows-msvc'].map(
      install.assetName,
    ),
  );
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.sha256'))) {
    assert.match(f, /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\.sha256$/);
    const sums = install.parseChecksums(fs.readFileSync(path.join(dir, f), 'utf8'), f);
    assert.ok(sums.size > 0, f);
    for (const name of sums.keys()) assert.ok(assets.has(name), `${f}: ${name}`);
  }
});

test('targets: Linux musl, macOS and Windows on x64 and arm64', () => {
  assert.equal(install.targetFor('linux', 'x64'), 'x86_64-unknown-linux-musl');
  assert.equal(install.targetFor('linux', 'arm64'), 'aarch64-unknown-linux-musl');
  assert.equal(install.targetFor('darwin', 'x64'), 'x86_64-apple-darwin');
  assert.equal(install.targetFor('darwin', 'arm64'), 'aarch64-apple-darwin');
  assert.equal(install.targetFor('win32', 'x64'), 'x86_64-pc-windows-msvc');
  assert.equal(install.targetFor('freebsd', 'x64'), null);
  assert.equal(install.assetName('x86_64-pc-windows-msvc'), 'cloudstudio-azure-x86_64-pc-windows-msvc.exe');
});

test('checksum lines must name a plain asset: no paths, no duplicates', () => {
  const h = 'a'.repeat(64);
  assert.equal(install.parseChecksums(`${h}  cloudstudio-azure-x\n${'b'.repeat(64)} *other\n`, 'f').get('other'), 'b'.repeat(64));
  assert.throws(() => install.parseChecksums(`${h}  /bin/true\n`, 'f'), /f:1: not a/);
  assert.throws(() => install.parseChecksums(`${h}  ../x\n`, 'f'), /not a/);
  assert.throws(() => install.parseChecksums(`${h}  x\n${h}  x\n`, 'f'), /listed twice/);
  assert.throws(() => install.parseChecksums('deadbeef  x\n', 'f'), /not a/);
});

test('the download URL is https, or http on loopback only', () => {
  assert.equal(install.downloadBase({}), install.RELEASES_URL);
  assert.equal(install.downloadBase({ CLOUDSTUDIO_AZURE_DOWNLOAD_URL: 'https://mirror.example/r/' }), 'https://mirror.example/r');
  assert.equal(install.downloadBase({ CLOUDSTUDIO_AZURE_DOWNLOAD_URL: 'http://127.0.0.1:8080' }), 'http://127.0.0.1:8080');
  assert.throws(() => install.downloadBase({ CLOUDSTUDIO_AZURE_DOWNLOAD_URL: 'http://mirror.example' }), /must be https/);
  assert.throws(() => install.downloadBase({ CLOUDSTUDIO_AZURE_DOWNLOAD_URL: 'not a url' }), /not a URL/);
});

test('download retries 5xx and follows redirects; 404 is final', async (t) => {
  const srv = await releaseServer(t, {
    '/flaky': (req, res, n) => {
      if (n < 3) {
        res.writeHead(503);
        return res.end();
      }
      res.writeHead(302, { location: '/real' });
      return res.end();
    },
    '/real': Buffer.from('bytes'),
    '/down': 502,
  });
  const opts = { backoffMs: 5 };
  assert.equal((await install.download(`${srv.url}/flaky`, opts)).toString(), 'bytes');
  assert.equal(srv.hits['/flaky'], 3);
  await assert.rejects(install.download(`${srv.url}/missing`, opts), (e) => e.status === 404 && /answered HTTP 404/.test(e.message));
  assert.equal(srv.hits['/missing'], 1, '404 is not retried');
  await assert.rejects(install.download(`${srv.url}/down`, opts), /HTTP 502.*after 3 attempts/);
  await assert.rejects(install.download('http://127.0.0.1:9/closed', opts), /after 3 attempts/);
});

test('a download that does not answer in time fails', async (t) => {
  const srv = await releaseServer(t, { '/hang': () => {} });
  await assert.rejects(install.download(`${srv.url}/hang`, { attempts: 1, timeoutMs: 200 }), /no answer within 0.2 s/);
});

test('the build environment keeps no token, secret, input or runner file', () => {
  const env = install.buildEnv({
    PATH: '/bin',
    HOME: '/home/r',
    CARGO_HOME: '/c',
    RUSTFLAGS: '-D warnings',
    GH_TOKEN: 'x',
    GITHUB_TOKEN: 'x',
    'INPUT_CLIENT-SECRET': 'x',
    INPUT_CREDS: 'x',
    AZURE_CLIENT_SECRET: 'x',
    AZURE_CREDENTIALS: 'x',
    ARM_CLIENT_SECRET: 'x',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x',
    ACTIONS_RUNTIME_TOKEN: 'x',
    NPM_TOKEN: 'x',
    MY_API_KEY: 'x',
    GITHUB_ENV: '/f',
    GITHUB_PATH: '/f',
    GITHUB_OUTPUT: '/f',
    CLOUDSTUDIO_DRY_RUN: 'true',
    GITHUB_WORKSPACE: '/w',
  });
  assert.deepEqual(Object.keys(env).sort(), ['CARGO_HOME', 'GITHUB_WORKSPACE', 'HOME', 'PATH', 'RUSTFLAGS']);
});

/** A copy of the action (no source) with a test version and checksums. */
function actionCopy(t, version, sums) {
  const dir = tempDir(t);
  const actionDir = path.join(dir, 'action');
  fs.mkdirSync(path.join(actionDir, 'checksums'), { recursive: true });
  fs.writeFileSync(path.join(actionDir, 'VERSION'), `${version}\n`);
  for (const [v, lines] of Object.entries(sums)) {
    fs.writeFileSync(path.join(actionDir, 'checksums', `v${v}.sha256`), lines.map(([name, hash]) => `${hash}  ${name}\n`).join(''));
  }
  return { root: dir, actionDir };
}

const LINUX = install.assetName('x86_64-unknown-linux-musl');

test('install: download verified against the committed checksum, then the tool cache', async (t) => {
  const binary = Buffer.from('#!/bin/sh\necho released\n');
  const srv = await releaseServer(t, { [`/v9.9.9/${LINUX}`]: binary });
  const { root, actionDir } = actionCopy(t, '9.9.9', { '9.9.9': [[LINUX, install.sha256(binary)]] });
  const env = { RUNNER_TOOL_CACHE: path.join(root, 'tc'), CLOUDSTUDIO_AZURE_DOWNLOAD_URL: srv.url };
  const args = { env, actionDir, rootDir: root, platform: 'linux', arch: 'x64', requested: '' };

  const first = await install.install(args);
  assert.equal(first.how, 'download');
  assert.equal(first.bin, path.join(root, 'tc', 'cloudstudio-azure', '9.9.9', 'x64', 'cloudstudio-azure'));
  assert.deepEqual(fs.readFileSync(first.bin), binary);
  assert.equal(fs.statSync(first.bin).mode & 0o777, 0o755);
  assert.ok(fs.existsSync(path.join(root, 'tc', 'cloudstudio-azure', '9.9.9', 'x64.complete')));

  const second = await install.install(args);
  assert.equal(second.how, 'cache');
  assert.equal(srv.hits[`/v9.9.9/${LINUX}`], 1, 'a second use does not download');

  // A cached binary that changed is not run: downloaded again.
  fs.writeFileSync(first.bin, 'tampered');
  const { value: third, text } = await captureStdout(() => install.install(args));
  assert.equal(third.how, 'download');
  assert.match(text, /^::warning title=cloudstudio-azure%3A tool cache::the cached .* is not usable \(its SHA-256 is [0-9a-f]{64}, not [0-9a-f]{64}\); downloading again\n$/);
  assert.deepEqual(fs.readFileSync(third.bin), binary);
});

test('install: a tampered download is refused with both hashes, and not cached', async (t) => {
  const binary = Buffer.from('the released bytes');
  const tampered = Buffer.from('something else');
  const srv = await releaseServer(t, { [`/v9.9.9/${LINUX}`]: tampered });
  const { root, actionDir } = actionCopy(t, '9.9.9', { '9.9.9': [[LINUX, install.sha256(binary)]] });
  const env = { RUNNER_TOOL_CACHE: path.join(root, 'tc'), CLOUDSTUDIO_AZURE_DOWNLOAD_URL: srv.url };
  await assert.rejects(install.install({ env, actionDir, rootDir: root, platform: 'linux', arch: 'x64', requested: '' }), (e) => {
    assert.equal(e.title, 'checksum mismatch');
    assert.ok(e.message.includes(`expected SHA-256 ${install.sha256(binary)}`), e.message);
    assert.ok(e.message.includes(`got ${install.sha256(tampered)}`), e.message);
    assert.ok(e.message.includes('action/checksums/v9.9.9.sha256'), e.message);
    return true;
  });
  assert.equal(fs.existsSync(path.join(root, 'tc', 'cloudstudio-azure', '9.9.9')), false);
});

test('install: a missing release asset is one clear error', async (t) => {
  const srv = await releaseServer(t, {});
  const { root, actionDir } = actionCopy(t, '9.9.9', { '9.9.9': [[LINUX, 'c'.repeat(64)]] });
  const env = { RUNNER_TOOL_CACHE: path.join(root, 'tc'), CLOUDSTUDIO_AZURE_DOWNLOAD_URL: srv.url };
  await assert.rejects(
    install.install({ env, actionDir, rootDir: root, platform: 'linux', arch: 'x64', requested: '' }),
    (e) => e.title === 'no release' && /HTTP 404/.test(e.message) && e.message.includes(`/v9.9.9/${LINUX}`),
  );
});

test('install: the version input picks another committed release, or fails clearly', async (t) => {
  const old = Buffer.from('old release');
  const srv = await releaseServer(t, { [`/v1.0.0/${LINUX}`]: old });
  const { root, actionDir } = actionCopy(t, '2.0.0', { '1.0.0': [[LINUX, install.sha256(old)]] });
  const env = { RUNNER_TOOL_CACHE: path.join(root, 'tc'), CLOUDSTUDIO_AZURE_DOWNLOAD_URL: srv.url };
  const args = { env, actionDir, rootDir: root, platform: 'linux', arch: 'x64' };
  assert.equal((await install.install({ ...args, requested: '1.0.0' })).version, '1.0.0');
  await assert.rejects(install.install({ ...args, requested: '1.5.0' }), (e) => e.title === 'no release' && /no release v1.5.0 is known to this action/.test(e.message));
});

test('install: no committed checksums for its own version builds from source, with a notice and no token', async (t) => {
  const dir = tempDir(t);
  const exe = writeExecutable(path.join(dir, 'target', 'release', 'cloudstudio-azure'), '#!/bin/sh\n');
  const record = fakeCargo(path.join(dir, 'bin'), exe);
  const { root, actionDir } = actionCopy(t, '3.0.0', {});
  fs.writeFileSync(path.join(root, 'Cargo.toml'), '[package]\n');
  const env = { PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH}`, GH_TOKEN: 'ghs_secret', 'INPUT_CLIENT-SECRET': 'x' };

  const out = await captureStdout(() => install.install({ env, actionDir, rootDir: root, platform: 'linux', arch: 'x64', requested: '' }));
  assert.equal(out.value.how, 'source');
  assert.equal(out.value.bin, exe);
  const lines = out.text.trim().split('\n');
  assert.match(lines[0], /^::notice title=cloudstudio-azure%3A building from source::no release checksums for v3.0.0 in this action's tree/);
  // The build's own output (a `::error` from a build script) runs under stop-commands.
  const stop = lines.findIndex((l) => l.startsWith('::stop-commands::'));
  const token = lines[stop].slice('::stop-commands::'.length);
  const inner = lines.indexOf('::error::printed by a build script');
  assert.ok(stop >= 0 && inner > stop && lines.indexOf(`::${token}::`) > inner, out.text);

  const cargo = JSON.parse(fs.readFileSync(record, 'utf8'));
  assert.deepEqual(cargo.argv.slice(0, 5), ['build', '--locked', '--release', '--bin', 'cloudstudio-azure']);
  assert.equal(cargo.argv[6], path.join(root, 'Cargo.toml'));
  assert.equal(cargo.env.GH_TOKEN, undefined, 'GH_TOKEN does not reach build scripts');
  assert.equal(cargo.env['INPUT_CLIENT-SECRET'], undefined);
});

test('install: a platform without a release binary builds from source', async (t) => {
  const dir = tempDir(t);
  const exe = writeExecutable(path.join(dir, 'out', 'cloudstudio-azure'), '#!/bin/sh\n');
  fakeCargo(path.join(dir, 'bin'), exe);
  const { root, actionDir } = actionCopy(t, '9.9.9', { '9.9.9': [[LINUX, 'c'.repeat(64)]] });
  fs.writeFileSync(path.join(root, 'Cargo.toml'), '[package]\n');
  const env = { PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH}` };
  const out = await captureStdout(() => install.install({ env, actionDir, rootDir: root, platform: 'freebsd', arch: 'x64', requested: '' }));
  assert.equal(out.value.how, 'source');
  assert.match(out.text, /no release binary for freebsd-x64/);
});

test('install: a failed build and a missing cargo are errors naming the fix', async (t) => {
  const dir = tempDir(t);
  fakeCargo(path.join(dir, 'bin'), '/nonexistent');
  const { root, actionDir } = actionCopy(t, '3.0.0', {});
  fs.writeFileSync(path.join(root, 'Cargo.toml'), '[package]\n');
  const args = { actionDir, rootDir: root, platform: 'linux', arch: 'x64', requested: '' };
  const failing = { PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH}`, FAKE_CARGO_EXIT: '101' };
  await captureStdout(() =>
    assert.rejects(install.install({ ...args, env: failing }), (e) => e.title === 'cannot build from source' && /exit 101/.test(e.message)),
  );
  await captureStdout(() =>
    assert.rejects(install.install({ ...args, env: { PATH: path.join(dir, 'empty') } }), /cargo is not installed on this runner: install Rust/),
  );
});

/** Awaits fn() with process.stdout captured. */
async function captureStdout(fn) {
  const write = wf.sink.write;
  let text = '';
  wf.sink.write = (chunk) => {
    text += chunk;
  };
  try {
    return { value: await fn(), text };
  } finally {
    wf.sink.write = write;
  }
}
