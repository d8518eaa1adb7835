'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const wf = require('../lib/workflow');

/** Runs fn with process.stdout captured; returns what it printed. */
function printed(fn) {
  const write = wf.sink.write;
  let out = '';
  wf.sink.write = (chunk) => {
    out += chunk;
  };
  try {
    fn();
  } finally {
    wf.sink.write = write;
  }
  return out;
}

test('messages are escaped so they cannot start another command', () => {
  const line = printed(() => wf.error('download failed', 'line1\n::add-mask::x\r\n100%'));
  assert.equal(line, '::error title=cloudstudio-azure%3A download failed::line1 ::add-mask::x 100%25\n');
  assert.equal(line.split('\n').length, 2, 'one line');
});

test('properties escape colons and commas', () => {
  assert.equal(wf.command('notice', { title: 'a:b,c' }, 'm'), '::notice title=a%3Ab%2Cc::m');
  assert.equal(wf.command('add-mask', {}, 's'), '::add-mask::s');
});

test('clean strips control characters and caps the size', () => {
  assert.equal(wf.clean('a\u0007b\u001b[31mc\u2028d\te'), 'ab[31mcd\te');
  assert.equal(wf.clean('x'.repeat(50), 10), `${'x'.repeat(10)}…`);
});

test('addMask masks each line of a multi-line secret, trimmed', () => {
  const out = printed(() => wf.addMask('  s3cret-one \r\nsecond-line\n\n'));
  assert.deepEqual(out.trim().split('\n'), ['::add-mask::s3cret-one', '::add-mask::second-line']);
  assert.equal(printed(() => wf.addMask('   ')), '');
});

test('stop-commands brackets with a random token', () => {
  let resume;
  const out = printed(() => {
    resume = wf.stopCommands();
    resume();
  });
  const [start, end] = out.trim().split('\n');
  const token = /^::stop-commands::(cloudstudio-[0-9a-f]{32})$/.exec(start)[1];
  assert.equal(end, `::${token}::`);
});

test('file blocks round-trip through the parser, whatever the value', () => {
  const values = { a: 'plain', b: 'multi\nline\nvalue', c: 'x=y', d: '', e: 'ghadelimiter_fake\nEOF' };
  const text = Object.entries(values)
    .map(([k, v]) => wf.fileBlock(k, v))
    .join('');
  assert.deepEqual(wf.parseFileCommands(`${text}f=simple\n`), { ...values, f: 'simple' });
  assert.throws(() => wf.parseFileCommands('x<<EOF\nnever ends\n'), /unterminated/);
});

test('saveState appends to GITHUB_STATE', (t) => {
  const fs = require('node:fs');
  const path = require('node:path');
  const os = require('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csa-state-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'state');
  wf.saveState('export', '{"credential":"ci-prod"}', { GITHUB_STATE: file });
  assert.deepEqual(wf.parseFileCommands(fs.readFileSync(file, 'utf8')), { export: '{"credential":"ci-prod"}' });
});
