'use strict';
// Installs the binary for this runner, whatever reference the action was
// used at (`@vX.Y.Z`, `@vX`, a commit SHA, a branch, `uses: ./`):
//
// - the version is the action's own, from action/VERSION in its tree (or
//   the `version` input), never the ref;
// - a release binary is accepted only if its SHA-256 equals the value
//   committed in this tree (action/checksums/vX.Y.Z.sha256), so a SHA-pinned
//   action runs exactly the bytes that SHA names;
// - it is kept in the runner's tool cache (as @actions/tool-cache lays it
//   out), checked again on every use;
// - with no committed checksums for this version (an unreleased commit, a
//   fork) or no binary for this platform, it is built from source.

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const wf = require('./workflow');

const TOOL = 'cloudstudio-azure';

/** Where releases are published (the release workflow's repository). */
const RELEASES_URL = 'https://github.com/cloudstudio/cloudstudio-azure/releases/download';

/**
 * A mirror of the releases, same layout (`<url>/v<version>/<asset>`): for
 * GitHub Enterprise Server, air-gapped runners and this repository's own
 * tests. The checksums committed in the action still decide what runs.
 */
const DOWNLOAD_URL_VAR = 'CLOUDSTUDIO_AZURE_DOWNLOAD_URL';

/** Release downloads larger than this are abandoned (the binary is ~7 MiB). */
const MAX_DOWNLOAD = 100 * 1024 * 1024;

/** A failure with the title of its one `::error`. */
class ActionError extends Error {
  constructor(title, message, exitCode = 1) {
    super(message);
    this.name = 'ActionError';
    this.title = title;
    this.exitCode = exitCode;
  }
}

/** The release target for a Node platform and arch, or null. */
function targetFor(platform, arch) {
  const targets = {
    'linux-x64': 'x86_64-unknown-linux-musl',
    'linux-arm64': 'aarch64-unknown-linux-musl',
    'darwin-x64': 'x86_64-apple-darwin',
    'darwin-arm64': 'aarch64-apple-darwin',
    'win32-x64': 'x86_64-pc-windows-msvc',
    // Windows on Arm runs x64 programs (emulated); no separate build.
    'win32-arm64': 'x86_64-pc-windows-msvc',
  };
  return targets[`${platform}-${arch}`] || null;
}

function assetName(target) {
  return `${TOOL}-${target}${target.includes('windows') ? '.exe' : ''}`;
}

/** The action's own version: action/VERSION, kept equal to the crate's. */
function ownVersion(actionDir) {
  const file = path.join(actionDir, 'VERSION');
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(text)) {
    throw new ActionError('broken action', `${file} does not hold a version (got "${wf.clean(text, 80)}")`);
  }
  return text;
}

function checksumsFile(actionDir, version) {
  return path.join(actionDir, 'checksums', `v${version}.sha256`);
}

/**
 * The committed checksums for a version (`sha256sum` format), as a Map
 * from asset name to hex digest; null when this tree has none.
 */
function readChecksums(actionDir, version) {
  const file = checksumsFile(actionDir, version);
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
  return parseChecksums(text, file);
}

function parseChecksums(text, file) {
  const sums = new Map();
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const m = /^([0-9a-f]{64}) [ *]([A-Za-z0-9._-]+)$/.exec(line.replace(/\r$/, ''));
    if (!m) throw new ActionError('broken action', `${file}:${i + 1}: not a "<sha256>  <asset>" line`);
    if (sums.has(m[2])) throw new ActionError('broken action', `${file}:${i + 1}: ${m[2]} is listed twice`);
    sums.set(m[2], m[1]);
  }
  return sums;
}

function sha256(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** @actions/tool-cache's layout: <root>/<tool>/<version>/<arch>[.complete]. */
function toolCache(env, version, arch, exe) {
  const root = env.RUNNER_TOOL_CACHE || env.RUNNER_TEMP || os.tmpdir();
  const dir = path.join(root, TOOL, version, arch);
  return { dir, bin: path.join(dir, exe), marker: `${dir}.complete` };
}

/** The cached binary if it is complete and still has the committed hash. */
function fromCache(cache, expected) {
  if (!fs.existsSync(cache.marker)) return { hit: false };
  let bytes;
  try {
    bytes = fs.readFileSync(cache.bin);
  } catch {
    return { hit: false, stale: 'the marker is there but the binary is not' };
  }
  const actual = sha256(bytes);
  if (actual !== expected) return { hit: false, stale: `its SHA-256 is ${actual}, not ${expected}` };
  return { hit: true, bytes: bytes.length };
}

function toCache(cache, bytes) {
  fs.rmSync(cache.marker, { force: true });
  fs.rmSync(cache.dir, { recursive: true, force: true });
  fs.mkdirSync(cache.dir, { recursive: true });
  const tmp = path.join(cache.dir, `.${path.basename(cache.bin)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o755);
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, cache.bin);
  fs.writeFileSync(cache.marker, '');
}

/** The base URL for downloads: the releases, or a mirror named in the env. */
function downloadBase(env) {
  const base = (env[DOWNLOAD_URL_VAR] || '').trim() || RELEASES_URL;
  let url;
  try {
    url = new URL(base);
  } catch {
    throw new ActionError('bad download URL', `${DOWNLOAD_URL_VAR} is not a URL: "${base}"`, 2);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ActionError('bad download URL', `${DOWNLOAD_URL_VAR} must be https:// (http:// only on 127.0.0.1): "${base}"`, 2);
  }
  return base.replace(/\/+$/, '');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * GETs a URL into memory: redirects followed, a timeout per attempt, at
 * most `attempts` tries (retrying network errors, 408, 429 and 5xx, with
 * backoff; a Retry-After up to 30 s is honoured), a size cap.
 */
async function download(url, { attempts = 3, timeoutMs = 120000, backoffMs = 1000 } = {}) {
  let last;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let res;
    try {
      res = await fetch(url, {
        redirect: 'follow',
        headers: { 'user-agent': 'cloudstudio-azure-action', accept: 'application/octet-stream' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      last = `${e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause && e.cause.code) || e.message}`;
      if (attempt < attempts) await sleep(backoffMs * 2 ** (attempt - 1));
      continue;
    }
    if (res.ok) {
      const declared = Number(res.headers.get('content-length') || 0);
      if (declared > MAX_DOWNLOAD) throw new ActionError('download failed', `${url}: ${declared} bytes, more than the ${MAX_DOWNLOAD} allowed`);
      const chunks = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > MAX_DOWNLOAD) throw new ActionError('download failed', `${url}: more than the ${MAX_DOWNLOAD} bytes allowed`);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    }
    await res.body?.cancel().catch(() => {});
    last = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    if (!retryable) {
      const e = new ActionError('download failed', `${url} answered ${last}`);
      e.status = res.status;
      throw e;
    }
    if (attempt < attempts) {
      const after = Number(res.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 30) break;
      await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : backoffMs * 2 ** (attempt - 1));
    }
  }
  throw new ActionError('download failed', `${url}: ${last} (after ${attempts} attempts)`);
}

/**
 * The environment for `cargo build`: the job's, less anything a build
 * script must not see or touch (tokens, secrets, the action's inputs, the
 * runner's command files).
 */
function buildEnv(base) {
  const drop = /^(INPUT_|ACTIONS_|AZURE_|ARM_|GH_|STATE_|CLOUDSTUDIO_)/;
  const secretish = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY/i;
  const runnerFiles = new Set(['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_PATH', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']);
  const env = {};
  for (const [k, v] of Object.entries(base)) {
    if (drop.test(k) || secretish.test(k) || runnerFiles.has(k)) continue;
    env[k] = v;
  }
  return env;
}

/**
 * `cargo build --release` of this tree; the binary's path is read from
 * cargo's own JSON messages, so a workspace layout or CARGO_TARGET_DIR
 * does not matter. Nothing the build prints can run a workflow command.
 */
async function buildFromSource(rootDir, env) {
  const manifest = path.join(rootDir, 'Cargo.toml');
  if (!fs.existsSync(manifest)) {
    throw new ActionError('cannot build from source', `${manifest} is missing: this copy of the action has no source to build`);
  }
  const cenv = buildEnv(env);
  const probe = spawnSync('cargo', ['--version'], { env: cenv, encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new ActionError(
      'cannot build from source',
      'cargo is not installed on this runner: install Rust (https://rustup.rs) in an earlier step, or use the action at a released version (@vX.Y.Z or its commit SHA)',
    );
  }
  const args = ['build', '--locked', '--release', '--bin', TOOL, '--manifest-path', manifest, '--message-format=json-render-diagnostics'];
  wf.info(`${probe.stdout.trim()}: cargo ${args.join(' ')}`);
  const resume = wf.stopCommands();
  let exe = null;
  const code = await new Promise((resolve, reject) => {
    const child = spawn('cargo', args, { env: cenv, stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg = null;
        try {
          msg = JSON.parse(line);
        } catch {
          wf.write(line);
        }
        if (msg && msg.reason === 'compiler-artifact' && msg.executable && msg.target && msg.target.name === TOOL) {
          exe = msg.executable;
        }
      }
    });
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(signal ? `signal ${signal}` : c));
  });
  resume();
  if (code !== 0) throw new ActionError('cannot build from source', `cargo build failed (${typeof code === 'number' ? `exit ${code}` : code}); its messages are above`);
  if (!exe) throw new ActionError('cannot build from source', 'cargo build succeeded but named no cloudstudio-azure executable');
  return exe;
}

/**
 * Installs the binary. Returns `{ bin, version, how, target, sha256, bytes }`
 * where `how` is `cache`, `download` or `source`.
 */
async function install({ env, actionDir, rootDir, platform, arch, requested, buildFromSource: forceSource, downloadOptions }) {
  const own = ownVersion(actionDir);
  const version = requested || own;
  const target = targetFor(platform, arch);
  const source = async (why) => {
    if (version !== own) {
      throw new ActionError(
        'no release',
        `no release v${version} is known to this action (${why}), and its source is v${own}: pin the action to v${version} instead of setting \`version\``,
      );
    }
    if (why) wf.notice('building from source', `${why}: building v${own} from this action's source with cargo (a few minutes)`);
    const bin = await buildFromSource(rootDir, env);
    return { bin, version, how: 'source', target: null };
  };

  if (forceSource) return source('');
  const sums = readChecksums(actionDir, version);
  if (!sums) {
    return source(`no release checksums for v${version} in this action's tree (an unreleased commit or a fork)`);
  }
  if (!target) return source(`no release binary for ${platform}-${arch}`);
  const asset = assetName(target);
  const expected = sums.get(asset);
  if (!expected) return source(`the v${version} release has no ${asset}`);

  const cache = toolCache(env, version, arch, target.includes('windows') ? `${TOOL}.exe` : TOOL);
  const cached = fromCache(cache, expected);
  if (cached.hit) {
    return { bin: cache.bin, version, how: 'cache', target, sha256: expected, bytes: cached.bytes };
  }
  if (cached.stale) wf.warning('tool cache', `the cached ${cache.bin} is not usable (${cached.stale}); downloading again`);

  const url = `${downloadBase(env)}/v${version}/${asset}`;
  let bytes;
  try {
    bytes = await download(url, downloadOptions);
  } catch (e) {
    if (e.status === 404) {
      throw new ActionError('no release', `no release asset ${asset} for v${version}: ${url} answered HTTP 404`);
    }
    throw e;
  }
  const actual = sha256(bytes);
  if (actual !== expected) {
    throw new ActionError(
      'checksum mismatch',
      `${asset} from ${url} is not the released binary: expected SHA-256 ${expected} (committed in ${path.relative(rootDir, checksumsFile(actionDir, version))}), got ${actual}; it was not run`,
    );
  }
  toCache(cache, bytes);
  return { bin: cache.bin, version, how: 'download', target, sha256: actual, bytes: bytes.length, url };
}

module.exports = {
  ActionError,
  DOWNLOAD_URL_VAR,
  RELEASES_URL,
  assetName,
  buildEnv,
  buildFromSource,
  checksumsFile,
  download,
  downloadBase,
  fromCache,
  install,
  ownVersion,
  parseChecksums,
  readChecksums,
  sha256,
  targetFor,
  toolCache,
};
