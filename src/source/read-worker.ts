// The worker thread of readSources(): reads its share of the files and hands each back, the tree's
// arrays moved rather than copied.

import { parentPort, workerData } from 'node:worker_threads';
import { cParse } from './parse';
import { readSource } from './read';

async function main(): Promise<void> {
  const { files, macros } = workerData as { files: string[]; macros: string[] };
  const parse = await cParse();
  const known = new Set(macros);
  for (const path of files) {
    const o = readSource(path, known, parse);
    if (o.kind === 'read') {
      const f = o.flat;
      parentPort?.postMessage(o, [f.types.buffer, f.starts.buffer, f.ends.buffer, f.parents.buffer, f.fields.buffer, f.flags.buffer] as ArrayBuffer[]);
    } else parentPort?.postMessage(o);
  }
  parentPort?.postMessage({ kind: 'done' });
}

void main();
