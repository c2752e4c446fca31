// Reads the syzkaller-linux test corpus in place (never copied into the repo).

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CorpusFile {
  name: string;
  /** Header keys to their values; repeated keys (ALT) keep every value in order. */
  fields: Record<string, string[]>;
  /** The console log after the header's blank line, up to a `REPORT:` line. */
  logBytes: Buffer;
  /** The report syzkaller extracts, after a `REPORT:` line, when the file has one. */
  reportBytes: Buffer | null;
}

/** The corpus folder: $KTRIAGE_SYZ_CORPUS, else ../shared/corpus/syzkaller-linux beside the project. */
export function corpusRoot(): string {
  const env = process.env.KTRIAGE_SYZ_CORPUS;
  if (env) return env;
  return path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'syzkaller-linux');
}

export function corpusAvailable(sub: 'report' | 'guilty'): boolean {
  return fs.existsSync(path.join(corpusRoot(), sub));
}

function parseFile(name: string, buf: Buffer): CorpusFile {
  const fields: Record<string, string[]> = {};
  let pos = 0;
  for (;;) {
    const nl = buf.indexOf(10, pos);
    const end = nl < 0 ? buf.length : nl;
    const line = buf.subarray(pos, end).toString('utf8').replace(/\r$/, '');
    pos = nl < 0 ? buf.length : nl + 1;
    if (line === '') break;
    // `#` lines are comments on the test.
    const m = /^([A-Z_]+):\s?(.*)$/.exec(line);
    if (m) (fields[m[1]] ??= []).push(m[2]);
    if (nl < 0) break;
  }
  const rest = buf.subarray(pos);
  const marker = rest.indexOf('\nREPORT:\n');
  if (marker < 0) return { name, fields, logBytes: rest, reportBytes: null };
  return { name, fields, logBytes: rest.subarray(0, marker + 1), reportBytes: rest.subarray(marker + '\nREPORT:\n'.length) };
}

/** Every file of `report/` or `guilty/`, sorted by name; empty when the corpus is absent. */
export function readCorpus(sub: 'report' | 'guilty'): CorpusFile[] {
  const dir = path.join(corpusRoot(), sub);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => fs.statSync(path.join(dir, n)).isFile())
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((n) => parseFile(n, fs.readFileSync(path.join(dir, n))));
}
