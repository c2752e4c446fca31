// Benchmarks: throughput on a large quiet log against grep, peak memory, batch rate, start-up time.
// Usage: npm run bench   (KTRIAGE_BENCH_MB=1024 sets the large log's size; it is generated, not committed)

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { headerTriggers } from '../src/signature';

const REPO = resolve(__dirname, '..', '..');
const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const CORPUS = process.env.KTRIAGE_SYZ_CORPUS ?? resolve(REPO, '..', 'shared', 'corpus', 'syzkaller-linux');

const ORDINARY = [
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

function corpusLogs(): Buffer[] {
  const dir = join(CORPUS, 'report');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((n) => {
    const b = readFileSync(join(dir, n));
    const sep = b.indexOf('\n\n');
    return sep < 0 ? b : b.subarray(sep + 2);
  });
}

/** Writes `mb` MiB of ordinary kernel lines with a corpus report every ~`every` MiB. */
function generate(path: string, mb: number, every: number): number {
  const reports = corpusLogs();
  const fd = openSync(path, 'w');
  let written = 0;
  let t = 0;
  let r = 0;
  let nextReport = every * 1024 * 1024;
  const target = mb * 1024 * 1024;
  while (written < target) {
    const parts: string[] = [];
    for (let i = 0; i < 20000; i++) {
      t += 0.000731;
      parts.push(`[${t.toFixed(6).padStart(12)}] ${ORDINARY[(i * 7 + r) % ORDINARY.length]}\n`);
    }
    let chunk = Buffer.from(parts.join(''));
    if (written + chunk.length >= nextReport && reports.length > 0) {
      chunk = Buffer.concat([chunk, reports[r++ % reports.length], Buffer.from('\n')]);
      nextReport += every * 1024 * 1024;
    }
    writeSync(fd, chunk);
    written += chunk.length;
  }
  closeSync(fd);
  return r;
}

interface Run {
  seconds: number;
  maxRssMb: number;
  stdout: string;
}

function runCli(args: string[]): Run {
  const script = `const m=require(${JSON.stringify(CLI)});const a=process.argv.slice(1);` +
    `m.main(['node','ktriage',...a]).then(()=>{process.stderr.write('\\nBENCH_RSS '+process.resourceUsage().maxRSS+'\\n')})`;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', script, ...args], { maxBuffer: 1 << 30, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /BENCH_RSS (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 && r.status !== 2) throw new Error(`ktriage failed: ${r.stderr}`);
  return { seconds, maxRssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

function grepRate(path: string, bytes: number): number {
  const pattern = headerTriggers.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('grep', ['-c', '-E', pattern, path], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) return NaN;
  return bytes / 1e6 / s;
}

function main(): void {
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  const sizeMb = Number(process.env.KTRIAGE_BENCH_MB ?? 1024);
  const dir = join(tmpdir(), `ktriage-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const rows: string[] = [];
  try {
    // Throughput and memory at two sizes: flat memory means the second RSS stays near the first.
    for (const mb of [Math.max(64, Math.round(sizeMb / 4)), sizeMb]) {
      const path = join(dir, `quiet-${mb}.log`);
      process.stderr.write(`generating ${mb} MiB log...\n`);
      const inserted = generate(path, mb, 50);
      const bytes = statSync(path).size;
      spawnSync('cat', [path], { stdio: 'ignore' }); // warm the page cache for both tools alike
      const run = runCli(['analyze', '--format', 'json', path]);
      const found = (JSON.parse(run.stdout) as { reports: unknown[] }).reports.length;
      const grep = grepRate(path, bytes);
      rows.push(
        `large quiet log ${(bytes / 1e6).toFixed(0)} MB (${inserted} reports inserted, ${found} found): ` +
          `ktriage ${(bytes / 1e6 / run.seconds).toFixed(0)} MB/s, peak RSS ${run.maxRssMb.toFixed(0)} MB; ` +
          `grep -c -E same triggers ${grep.toFixed(0)} MB/s`,
      );
      rmSync(path);
    }
    // Batch: the whole corpus in one jsonl call.
    const reportDir = join(CORPUS, 'report');
    if (existsSync(reportDir)) {
      const files = readdirSync(reportDir).map((n) => join(reportDir, n));
      const run = runCli(['analyze', '--format', 'jsonl', ...files]);
      rows.push(`batch: ${files.length} corpus files in one jsonl call: ${(files.length / run.seconds).toFixed(0)} files/s (${run.seconds.toFixed(2)} s, peak RSS ${run.maxRssMb.toFixed(0)} MB)`);
    }
    // Start-up: one small file through the real executable.
    const small = join(dir, 'small.log');
    generate(small, 0.01, 1000);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = process.hrtime.bigint();
      spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', small], { stdio: 'ignore' });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    rows.push(`start-up: analyze of one small file: median ${times[3].toFixed(0)} ms wall (min ${times[0].toFixed(0)} ms, 7 runs)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(rows.map((r) => `- ${r}`).join('\n') + '\n');
}

main();
