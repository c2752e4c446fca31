// One C file read for the checks: its text, the text made parseable, and its tree as arrays. The
// same code runs in the main thread and in the worker that reads half of a large tree's files.

import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { prepareSource, type Prepared } from './prepare';
import type { CParse, FlatTree } from './parse';

/** A C file larger than this is not read (generated tables): said in a note. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export type ReadOutcome =
  | { kind: 'read'; path: string; text: string; prepared: Prepared; flat: FlatTree }
  | { kind: 'note'; path: string; note: string }
  | { kind: 'unreadable'; path: string; error: string };

export function readSource(path: string, macros: ReadonlySet<string>, parse: CParse): ReadOutcome {
  let buf: Buffer;
  try {
    const st = statSync(path);
    if (st.size > MAX_FILE_BYTES) return { kind: 'note', path, note: `${path}: ${st.size} bytes, more than a source file is read (${MAX_FILE_BYTES}): skipped` };
    buf = readFileSync(path);
  } catch (e) {
    return { kind: 'unreadable', path, error: (e as Error).message };
  }
  // Binary garbage is not C: a NUL byte says so.
  if (buf.includes(0)) return { kind: 'note', path, note: `${path}: not a text file: skipped` };
  const text = buf.toString('latin1');
  const prepared = prepareSource(text, macros);
  const flat = parse.flat(prepared.text);
  if (!flat) return { kind: 'note', path, note: `${path}: could not be parsed: skipped` };
  return { kind: 'read', path, text, prepared, flat };
}

/** Below this many bytes of source, a second thread costs more than it saves. */
const WORKER_MIN_BYTES = 1024 * 1024;

/**
 * Reads the files, in their order, with a worker thread reading a share of them while this thread
 * reads the rest, when the machine has a second core and the files are many. Each outcome is given
 * to `each` in file order.
 */
export async function readSources(files: readonly string[], sizes: readonly number[], macros: ReadonlySet<string>, parse: CParse, each: (o: ReadOutcome, i: number) => void): Promise<void> {
  const total = sizes.reduce((a, b) => a + b, 0);
  // KTRIAGE_CHECK_THREADS: 1 reads in this thread only, 2 always with a worker; unset, as the tree and the machine say.
  const threads = process.env.KTRIAGE_CHECK_THREADS;
  const two = threads === '2' || (threads !== '1' && total >= WORKER_MIN_BYTES && availableParallelism() > 1);
  const theirs = two && files.length > 1 ? share(sizes) : new Set<number>();
  const fromWorker = theirs.size > 0 ? startWorker(files.filter((_f, i) => theirs.has(i)), macros) : null;
  const got = new Map<number, ReadOutcome>();
  let next = 0;
  const flush = (): void => {
    while (got.has(next)) {
      each(got.get(next) as ReadOutcome, next);
      got.delete(next);
      next++;
    }
  };
  for (let i = 0; i < files.length; i++) {
    if (theirs.has(i)) continue;
    got.set(i, readSource(files[i], macros, parse));
    flush();
  }
  if (fromWorker) {
    const order = [...theirs].sort((a, b) => a - b);
    let outcomes: ReadOutcome[];
    try {
      outcomes = await fromWorker;
    } catch {
      // The worker could not run: this thread reads its share.
      outcomes = order.map((i) => readSource(files[i], macros, parse));
    }
    order.forEach((i, k) => got.set(i, outcomes[k] ?? readSource(files[i], macros, parse)));
  }
  flush();
}

/** The files a worker reads: about half the bytes, every other file by size. */
function share(sizes: readonly number[]): Set<number> {
  const bySize = sizes.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s);
  const out = new Set<number>();
  let mine = 0;
  let theirs = 0;
  for (const { s, i } of bySize) {
    // This thread also builds every tree and runs the checks: the worker takes a little more.
    if (theirs <= mine * 1.15) {
      out.add(i);
      theirs += s;
    } else mine += s;
  }
  return out;
}

function startWorker(files: readonly string[], macros: ReadonlySet<string>): Promise<ReadOutcome[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(join(__dirname, 'read-worker.js'), { workerData: { files, macros: [...macros] } });
    const out: ReadOutcome[] = [];
    w.on('message', (m: ReadOutcome | { kind: 'done' }) => {
      if (m.kind === 'done') resolve(out);
      else out.push(m);
    });
    w.on('error', reject);
    w.on('exit', (code) => {
      if (out.length < files.length) reject(new Error(`the reading thread stopped (${code})`));
    });
  });
}
