// A crash `foreach bt` of thousands of tasks, made of the real task listings of test/fixtures/dumps, and the same tasks as a console log.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The task blocks (`PID: ...` header and its frames) of every committed `foreach bt`. */
export function taskBlocks(dumps: string): string[][] {
  if (!existsSync(dumps)) return [];
  const out: string[][] = [];
  for (const d of readdirSync(dumps).sort()) {
    const f = join(dumps, d, 'foreach-bt.txt');
    if (!existsSync(f)) continue;
    let cur: string[] | null = null;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (/^PID: +\d+ +TASK: /.test(line)) {
        if (cur) out.push(cur);
        cur = [line];
      } else if (cur && line.trim() !== '') cur.push(line);
    }
    if (cur) out.push(cur);
  }
  return out;
}

/** Writes `count` tasks in turn from `blocks`, each with its own pid and task address, as `crash> foreach bt` prints them. */
export function writeForeachBt(path: string, blocks: readonly string[][], count: number): number {
  const parts: string[] = ['crash> foreach bt'];
  for (let i = 0; i < count; i++) {
    const b = blocks[i % blocks.length];
    const pid = 1000 + i;
    parts.push(
      b[0]
        .replace(/^PID: +\d+ */, (m) => `PID: ${String(pid).padEnd(m.length - 5)}`)
        .replace(/TASK: ([0-9a-f]{16})/, (_m, t: string) => `TASK: ${(BigInt(`0x${t}`) + BigInt(i) * 0x4000n).toString(16).padStart(16, '0').slice(-16)}`),
      ...b.slice(1),
      '',
    );
  }
  const text = parts.join('\n');
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

/** The same tasks as a console prints them for sysrq t: a task line, then `Call Trace:` and its frames, timestamped. */
export function writeConsoleTasks(path: string, blocks: readonly string[][], count: number): number {
  const parts: string[] = [];
  let t = 100;
  const ts = (): string => `[${(t += 0.000013).toFixed(6).padStart(12)}] `;
  for (let i = 0; i < count; i++) {
    const b = blocks[i % blocks.length];
    const comm = /COMMAND: "([^"]{0,64})"/.exec(b[0])?.[1] ?? 'task';
    parts.push(`${ts()}task:${comm.padEnd(15)} state:S stack:0     pid:${1000 + i}  ppid:2      flags:0x00004000`, `${ts()}Call Trace:`, `${ts()} <TASK>`);
    for (const l of b.slice(1)) {
      const f = /^ {0,2}#\d+ \[[0-9a-f]+\] (\S+) at ([0-9a-f]+)(?: \[(\S+)\])?/.exec(l);
      if (f) parts.push(`${ts()} ${f[1]}+0x${(Number.parseInt(f[2].slice(-3), 16) % 0x400).toString(16)}/0x400${f[3] ? ` [${f[3]}]` : ''}`);
    }
    parts.push(`${ts()} </TASK>`);
  }
  const text = `${parts.join('\n')}\n`;
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}
