'use strict';
// Workflow commands and files of the GitHub Actions runner (what
// @actions/core does, without the dependency): annotations, masks, state.
//
// Everything that did not come from this action (paths, server replies,
// input values) goes through `clean` and the runner's escaping, so no text
// can end its line early and start a command of its own.

const crypto = require('node:crypto');
const fs = require('node:fs');

const TITLE = 'cloudstudio-azure';

// Control characters (C0 and C1, but not tab) and Unicode line/paragraph
// separators: a reply or a path could carry them.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Untrusted text for a log line: no control characters, bounded size. */
function clean(text, max = 2000) {
  let s = String(text).replace(/\r?\n/g, ' ').replace(CONTROL, '');
  if (s.length > max) s = `${s.slice(0, max)}…`;
  return s;
}

/** The runner's escaping for a command's message. */
function escapeData(s) {
  return String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The runner's escaping for a command's properties. */
function escapeProperty(s) {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(name, props, message) {
  const p = Object.entries(props || {})
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${name}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

/** Where this action's own lines go: the step's stdout (tests swap it). */
const sink = { write: (text) => process.stdout.write(text) };

function write(line) {
  sink.write(`${line}\n`);
}

/** One annotation: `::error title=cloudstudio-azure: <what>::<message>`. */
function error(what, message) {
  write(command('error', { title: `${TITLE}: ${what}` }, clean(message, 4000)));
}

function warning(what, message) {
  write(command('warning', { title: `${TITLE}: ${what}` }, clean(message, 4000)));
}

function notice(what, message) {
  write(command('notice', { title: `${TITLE}: ${what}` }, clean(message, 4000)));
}

function info(message) {
  write(clean(message, 4000));
}

/**
 * Masks a secret in everything the runner prints from now on. A value with
 * line breaks is masked line by line, as the runner matches lines.
 */
function addMask(value) {
  const parts = new Set(
    String(value || '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean),
  );
  for (const part of parts) write(command('add-mask', {}, part));
}

/**
 * A random token for `::stop-commands::`: while it is active, nothing
 * printed (a build's output, say) is taken as a workflow command.
 */
function stopCommands() {
  const token = `cloudstudio-${crypto.randomBytes(16).toString('hex')}`;
  write(`::stop-commands::${token}`);
  return () => write(`::${token}::`);
}

/** `NAME<<DELIM\nvalue\nDELIM\n` with a fresh delimiter not in the value. */
function fileBlock(name, value) {
  const v = String(value);
  for (;;) {
    const delim = `ghadelimiter_${crypto.randomUUID()}`;
    if (!v.includes(delim) && !name.includes(delim)) return `${name}<<${delim}\n${v}\n${delim}\n`;
  }
}

/** Saves a value for the post step (`STATE_<name>` there). */
function saveState(name, value, env = process.env) {
  const file = env.GITHUB_STATE;
  if (file) {
    fs.appendFileSync(file, fileBlock(name, value), { encoding: 'utf8' });
  } else {
    write(command('save-state', { name }, value));
  }
}

/**
 * Parses a `GITHUB_OUTPUT`/`GITHUB_ENV`-style file: `NAME=value` lines and
 * `NAME<<DELIM` blocks. Later values win, as for the runner.
 */
function parseFileCommands(text) {
  const out = {};
  const lines = String(text).split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i].replace(/\r$/, '');
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value = [];
      let j = i + 1;
      while (j < lines.length && lines[j].replace(/\r$/, '') !== delim) {
        value.push(lines[j]);
        j += 1;
      }
      if (j >= lines.length) throw new Error(`unterminated value for ${name}`);
      out[name] = value.join('\n');
      i = j;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

module.exports = {
  TITLE,
  addMask,
  clean,
  command,
  error,
  escapeData,
  escapeProperty,
  fileBlock,
  info,
  notice,
  parseFileCommands,
  saveState,
  sink,
  stopCommands,
  write,
  warning,
};
