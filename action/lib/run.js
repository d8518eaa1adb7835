'use strict';
// Runs the binary with the step's streams passed through, and makes sure a
// failure ends with exactly one `::error`: the binary prints its own; when
// it could not (a usage error from the argument parser, a crash), this adds
// one naming the cause.

const { spawn } = require('node:child_process');
const wf = require('./workflow');
const { inputForFlag } = require('./inputs');

/**
 * Spawns `bin args` with `env`, forwarding stdout and stderr as they come
 * (or keeping them, with `capture`). Resolves to `{ code, signal, sawError,
 * usage, stdout, stderr }`: whether an `::error` line was printed, and the
 * argument parser's first `error:` line.
 */
function runBinary(bin, args, env, { capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let sawError = false;
    let usage = null;
    const captured = { stdout: '', stderr: '' };
    const watch = (stream, sink, name) => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        if (capture) captured[name] += chunk.slice(0, 1 << 20);
        else sink.write(chunk);
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        for (const line of lines) scan(line);
      });
      stream.on('end', () => scan(partial));
    };
    const scan = (line) => {
      if (line.startsWith('::error')) sawError = true;
      if (!usage && line.startsWith('error: ')) usage = line.slice('error: '.length);
    };
    watch(child.stdout, process.stdout, 'stdout');
    watch(child.stderr, process.stderr, 'stderr');
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, sawError, usage, ...captured }));
  });
}

/** What the CLI's exit codes mean (README, "Exit codes"). */
const EXIT_MEANING = {
  1: 'runtime failure',
  2: 'invalid input',
  3: 'access not sufficient',
};

/**
 * After a failed run: its exit code in the log, and the one `::error` if
 * the binary printed none itself.
 */
function reportFailure(result, command) {
  if (typeof result.code === 'number') {
    const meaning = EXIT_MEANING[result.code];
    wf.info(`cloudstudio-azure ${command} exited ${result.code}${meaning ? ` (${meaning})` : ''}`);
  }
  if (result.sawError) return;
  if (result.signal) {
    wf.error('failed', `cloudstudio-azure ${command} was killed by ${result.signal}`);
    return;
  }
  if (result.usage) {
    const flag = /'(--[a-z-]+)/.exec(result.usage);
    const input = flag && inputForFlag(flag[1]);
    const where = input ? ` (input \`${input}\`)` : '';
    wf.error('invalid input', `${result.usage}${where}`);
    return;
  }
  wf.error('failed', `cloudstudio-azure ${command} exited ${result.code}; its messages are above`);
}

/**
 * Runs an entry point (main or post): every failure ends as one `::error`
 * and an exit code, never as a stack trace alone.
 */
function entry(fn) {
  fn()
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e) => {
      if (e && e.name === 'InputError') wf.error('invalid input', e.message);
      else if (e && e.name === 'ActionError') wf.error(e.title, e.message);
      else wf.error('internal error', (e && e.stack) || String(e));
      process.exitCode = (e && e.exitCode) || 1;
    });
}

module.exports = { entry, reportFailure, runBinary };
