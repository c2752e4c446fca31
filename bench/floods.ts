// Generates logs full of reports from real ones (repeated, varied, interleaved with ordinary lines), for the bench and the tests.

import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../src/analyze/analyze';

/** Ordinary console lines of a busy machine, put between the reports. */
export const ORDINARY: readonly string[] = [
  'usb 1-1: new high-speed USB device number 2 using xhci_hcd',
  'EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null)',
  'audit: type=1400 audit(1700000000.123:42): apparmor="STATUS" operation="profile_load" name="/usr/sbin/cupsd" pid=812 comm="apparmor_parser"',
  'IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready',
  'systemd[1]: Started Journal Service.',
  'e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx',
  'sd 0:0:0:0: [sda] 976773168 512-byte logical blocks: (500 GB/466 GiB)',
  'device veth3a1b2c3 entered promiscuous mode',
  'docker0: port 2(veth3a1b2c3) entered forwarding state',
  'nf_conntrack: default automatic helper assignment has been turned off for security reasons',
  'random: crng init done',
  'loop0: detected capacity change from 0 to 8',
];

/** The message part of console lines: the `[ 12.345678]` stamp removed (it is written anew). */
function messages(lines: readonly string[]): string[] {
  return lines.map((l) => l.replace(/^\[ {0,12}\d{1,8}\.\d{1,9}\] ?/, ''));
}

/** The lines of each report in a real log, header to last line, without their timestamps. */
export async function reportBlocks(name: string, text: string): Promise<string[][]> {
  const a = await analyzeText(name, text);
  const lines = text.split('\n');
  return a.reports.map((r) => messages(lines.slice(r.startLine - 1, r.endLine)));
}

/** Report blocks of the syzkaller corpus files that hold exactly one uncorrupted report of at most `maxLines` lines. */
export async function corpusBlocks(corpusDir: string, maxLines: number): Promise<string[][]> {
  const dir = join(corpusDir, 'report');
  if (!existsSync(dir)) return [];
  const out: string[][] = [];
  for (const n of readdirSync(dir).sort()) {
    const b = readFileSync(join(dir, n), 'utf8');
    const body = b.slice(b.indexOf('\n\n') + 2);
    const a = await analyzeText(n, body);
    if (a.reports.length !== 1 || a.reports[0].corrupted) continue;
    const r = a.reports[0];
    if (r.endLine - r.startLine + 1 > maxLines) continue;
    out.push(messages(body.split('\n').slice(r.startLine - 1, r.endLine)));
  }
  return out;
}

export interface FloodSpec {
  /** The reports to repeat, used in turn. */
  blocks: readonly string[][];
  copies: number;
  /** Ordinary lines written between two reports. */
  between: number;
  /** Each copy runs on another CPU and task, as a flood on a real machine does. */
  vary: boolean;
}

export interface FloodStats {
  bytes: number;
  lines: number;
  reports: number;
}

/** Writes the flood to `path` in pieces (memory stays small whatever its size). */
export function writeFlood(path: string, spec: FloodSpec): FloodStats {
  const fd = openSync(path, 'w');
  let bytes = 0;
  let lines = 0;
  let t = 1;
  let buf: string[] = [];
  const put = (msg: string): void => {
    t += 0.000173;
    buf.push(`[${t.toFixed(6).padStart(12)}] ${msg}\n`);
    lines++;
    if (buf.length >= 8192) flush();
  };
  const flush = (): void => {
    const b = Buffer.from(buf.join(''));
    writeSync(fd, b);
    bytes += b.length;
    buf = [];
  };
  for (let k = 0; k < spec.copies; k++) {
    for (let i = 0; i < spec.between; i++) put(ORDINARY[(k * 5 + i) % ORDINARY.length]);
    const block = spec.blocks[k % spec.blocks.length];
    const cpu = k % 4;
    const pid = 1000 + (k % 37);
    for (const m of block) put(spec.vary ? m.replace(/\bCPU: \d{1,5} PID: \d{1,10} Comm: (\S{1,64})/, `CPU: ${cpu} PID: ${pid} Comm: $1`) : m);
  }
  flush();
  closeSync(fd);
  return { bytes, lines, reports: spec.copies };
}
