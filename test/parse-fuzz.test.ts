// Random, truncated and endless input through every new reading path: it returns, in bounded time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linesFromBuffer, linesFromText } from '../src/ingest/lines';
import { normalizeStream, decodeBytes } from '../src/ingest/encoding';
import { parseDetails } from '../src/parse/details';
import { parseTraces } from '../src/parse/trace';
import { decodeA64 } from '../src/decode/a64';
import { decodeEsr } from '../src/decode/esr';
import { decodeAddr } from '../src/decode/addr';
import { realworldCases } from './support/realworld';

/** A small deterministic PRNG, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

const PIECES = [
  'pc : ', 'x29: ', 'x9 : ', 'Krnl PSW : ', 'Krnl GPRS: ', 'GPR00: ', 'NIP [', 'epc : ', 'EIP is at ', 'PC is at ', 'IAOQ[0]: ', '[exception RIP: ', 'RIP: 0033:',
  ' from [<c0', ') from ', '(inlined by) ', ' at mm/x.c:1', ' (lib/a.c:1 (discriminator 1))', '--- Exception: 300 at ', '<<EOE>>', '<>', '[<>] ', '[] ? ', '([<',
  'ESR = 0x96000045', 'Internal error: Oops: ', 'Tainted: G S', ' Not tainted ', '#PF: supervisor write access', 'Code: ', '(b9400000)', 'Instruction dump:',
  'Hardware name: x,', 'BIOS ', 'Modules linked in: ', '[xfs]', ', at:', 'WARNING: CPU: 1 PID: 1 at a.c:1', ' ', '  ', '\t', '> ', '? ', '0x', 'ffff', '0000', '+0x1/0x2', ':', '(', ')', '\n', '\r',
];

function junk(r: () => number, n: number): string {
  let s = '';
  while (s.length < n) {
    const p = r();
    if (p < 0.6) s += PIECES[Math.floor(r() * PIECES.length)];
    else if (p < 0.8) s += Math.floor(r() * 0xffffffff).toString(16);
    else s += String.fromCharCode(32 + Math.floor(r() * 95));
  }
  return s;
}

test('random text built from the new forms goes through ingest and parse without throwing', () => {
  const r = rng(12345);
  for (let i = 0; i < 300; i++) {
    const lines = linesFromText(junk(r, 200 + Math.floor(r() * 4000)));
    parseDetails(lines);
    parseTraces(lines);
  }
});

test('random bytes, UTF-16 and CR noise decode and normalise without throwing', async () => {
  const r = rng(777);
  for (let i = 0; i < 100; i++) {
    const buf = Buffer.alloc(1 + Math.floor(r() * 5000));
    for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(r() * 256);
    decodeBytes(buf);
    parseDetails(linesFromBuffer(buf));
    async function* gen(): AsyncGenerator<Buffer> {
      for (let k = 0; k < buf.length; k += 97) yield buf.subarray(k, k + 97);
    }
    for await (const chunk of normalizeStream(gen())) assert.ok(Buffer.isBuffer(chunk));
  }
});

test('every truncation of the real logs parses', { skip: realworldCases().length === 0 ? 'shared/cases/realworld is absent' : false }, () => {
  for (const c of realworldCases()) {
    const text = c.bytes.toString('utf8');
    for (let cut = 0; cut < text.length; cut += Math.max(1, Math.floor(text.length / 40))) {
      const lines = linesFromText(text.slice(0, cut));
      parseDetails(lines);
      parseTraces(lines);
    }
  }
});

test('a 10 MB line of each new form returns quickly and is cut', () => {
  for (const piece of ['x9 : ', 'GPR00: ffff ', '[<c0012465>] (f) from ', 'i (a.c:1 ', 'Tainted: G ', 'Code: d503233f ', '? ', '> ', 'ESR = 0x', '(&a){++++}']) {
    const started = Date.now();
    const lines = linesFromText(piece.repeat(Math.ceil(10_000_000 / piece.length)) + '\nCall Trace:\n f+0x1/0x2\n');
    parseDetails(lines);
    parseTraces(lines);
    assert.ok(Date.now() - started < 5000, `${piece}: ${Date.now() - started} ms`);
    assert.ok(lines[0].raw.length <= 64 * 1024);
  }
});

test('the A64 decoder, the ESR decoder and the arm64 layout accept any value', () => {
  const r = rng(4242);
  for (let i = 0; i < 20000; i++) {
    const w = Math.floor(r() * 0x100000000) >>> 0;
    const ins = decodeA64(w);
    assert.equal(typeof ins.text, 'string');
    decodeEsr(BigInt(w));
    const addr = (BigInt(w) << 32n) | BigInt(Math.floor(r() * 0x100000000));
    decodeAddr(addr, { release: '6.1.0-13-arm64' });
  }
});
