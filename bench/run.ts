// Benchmarks: logs full of reports, throughput on a large quiet log against grep, peak memory, batch rate, start-up time.
// Usage: npm run bench   (KTRIAGE_BENCH_MB=1024 sets the large log's size; KTRIAGE_BENCH_FLOODS=0 skips the floods,
// KTRIAGE_BENCH_ONLY=floods (or =tasks, =vmcores, =check) runs only them; every log is generated in the temporary folder, not committed)

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { headerTriggers } from '../src/signature';
import { corpusBlocks, reportBlocks, writeFlood, type FloodSpec, ORDINARY } from './floods';
import { taskBlocks, writeConsoleTasks, writeForeachBt } from './tasks';
import { literalPattern } from '../src/parse/literals';

const REPO = resolve(__dirname, '..', '..');
const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
/** The node flags bin/ktriage runs with (its `#!/usr/bin/env -S node ...` line): measured as users run it. */
const NODE_FLAGS = (/^#!.*\bnode((?: --?[\w-]+(?:=\S+)?)*)\s*$/m.exec(readFileSync(join(REPO, 'bin', 'ktriage'), 'utf8').split('\n')[0])?.[1] ?? '').split(' ').filter(Boolean);
const CORPUS = process.env.KTRIAGE_SYZ_CORPUS ?? resolve(REPO, '..', 'shared', 'corpus', 'syzkaller-linux');


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
    // The last chunk ends at the line where the target size is reached: a yardstick as large as what it is held against.
    if (written + chunk.length > target) {
      const end = chunk.lastIndexOf(10, target - written - 1);
      chunk = chunk.subarray(0, (end >= 0 ? end : chunk.indexOf(10)) + 1);
    }
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

function runCli(args: string[], keepStdout = true): Run {
  const script = `const m=require(${JSON.stringify(CLI)});const a=process.argv.slice(1);` +
    `m.main(['node','ktriage',...a]).then(()=>{process.stderr.write('\\nBENCH_RSS '+process.resourceUsage().maxRSS+'\\n')})`;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...NODE_FLAGS, '-e', script, ...args], { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /BENCH_RSS (\d+)/.exec(r.stderr ?? '');
  // `check` exits 1 when it finds something.
  const fine = r.status === 0 || r.status === 2 || (args[0] === 'check' && r.status === 1);
  if (!fine) throw new Error(`ktriage failed: ${r.stderr}`);
  return { seconds, maxRssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout ?? '' };
}

/** Seconds `grep -c` takes on the same file: the yardstick of a plain pass over it. */
function grepSeconds(path: string, pattern: string): number {
  const t0 = process.hrtime.bigint();
  spawnSync('grep', ['-c', pattern, path], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Logs full of reports: time and peak RSS of the text and JSON forms, with grep -c as the yardstick. */
async function floodRows(dir: string): Promise<string[]> {
  const rows: string[] = [];
  const fixtures = join(REPO, 'test', 'fixtures', 'qemu');
  const cases: Array<{ name: string; spec: FloodSpec | null }> = [];
  const bh = await reportBlocks('bhleak', readFileSync(join(fixtures, 'bhleak.log'), 'utf8'));
  cases.push({ name: '20,000 copies of one report (qemu bhleak)', spec: { blocks: bh, copies: 20_000, between: 0, vary: true } });
  const small = await corpusBlocks(CORPUS, 12);
  const warnings = (await corpusBlocks(CORPUS, 60)).filter((b) => b[0].includes('WARNING:') && b.length >= 20);
  if (warnings.length > 0) cases.push({ name: 'identical WARNINGs (a corpus report) among ordinary lines', spec: { blocks: [warnings[0]], copies: 20_000, between: 3, vary: true } });
  if (small.length > 0) cases.push({ name: `80,000 small oopses (${small.length} corpus reports of at most 12 lines, in turn)`, spec: { blocks: small, copies: 80_000, between: 1, vary: true } });
  for (const c of cases) {
    if (!c.spec) continue;
    const path = join(dir, 'flood.log');
    process.stderr.write(`generating ${c.name}...\n`);
    const st = writeFlood(path, c.spec);
    spawnSync('cat', [path], { stdio: 'ignore' });
    const text = runCli(['analyze', '--format', 'text', path]);
    const total = /^Report [\d,]+ of ([\d,]+): /m.exec(text.stdout)?.[1] ?? '?';
    const groups = (text.stdout.match(/^\d+\. \[/gm) ?? []).length;
    const json = runCli(['analyze', '--format', 'json', path], false);
    const grep = grepSeconds(path, 'BUG\\|WARNING\\|Oops');
    rows.push(
      `${c.name}: ${(st.bytes / 1e6).toFixed(1)} MB, ${st.lines.toLocaleString('en-US')} lines, ${total} reports, ${groups} findings; ` +
        `text ${text.seconds.toFixed(1)} s (peak RSS ${text.maxRssMb.toFixed(0)} MB), json ${json.seconds.toFixed(1)} s (peak RSS ${json.maxRssMb.toFixed(0)} MB); grep -c ${grep.toFixed(2)} s`,
    );
    rmSync(path);
  }
  return rows;
}

/** A crash `foreach bt` of 5,000 and 20,000 tasks against the same tasks as a console log: the crash reader must not be the slow path. */
function taskRows(dir: string): string[] {
  const blocks = taskBlocks(join(REPO, 'test', 'fixtures', 'dumps'));
  if (blocks.length === 0) return [];
  const rows: string[] = [];
  for (const count of [5_000, 20_000]) {
    const bt = join(dir, `foreach-${count}.txt`);
    const con = join(dir, `console-${count}.log`);
    const btBytes = writeForeachBt(bt, blocks, count);
    const conBytes = writeConsoleTasks(con, blocks, count);
    // The yardstick: a plain log of ordinary kernel lines, as large, scanned in the same run.
    const plain = join(dir, `plain-${count}.log`);
    generate(plain, btBytes / (1024 * 1024), 1 << 20);
    const plainBytes = statSync(plain).size;
    spawnSync('cat', [bt, con, plain], { stdio: 'ignore' });
    // Three runs of each, in turn, the median kept: one run is at the mercy of whatever else the machine does.
    const runs: Run[][] = [[], [], []];
    for (let k = 0; k < 3; k++) [bt, con, plain].forEach((f, i) => runs[i].push(runCli(['analyze', '--format', 'json', f], false)));
    const [a, b, p] = runs.map((rs) => [...rs].sort((x, y) => x.seconds - y.seconds)[1]);
    const rate = (bytes: number, r: Run): number => bytes / 1e6 / r.seconds;
    rows.push(
      `crash foreach bt of ${count.toLocaleString('en-US')} tasks (${blocks.length} real task listings of test/fixtures/dumps in turn, distinct pids; ${(btBytes / 1e6).toFixed(1)} MB): ` +
        `${(count / a.seconds).toFixed(0)} tasks/s, ${rate(btBytes, a).toFixed(2)} MB/s, peak RSS ${a.maxRssMb.toFixed(0)} MB; ` +
        `the same tasks as a console (sysrq t) log (${(conBytes / 1e6).toFixed(1)} MB): ${(count / b.seconds).toFixed(0)} tasks/s, ${rate(conBytes, b).toFixed(2)} MB/s, peak RSS ${b.maxRssMb.toFixed(0)} MB; ` +
        `crash/console MB/s ratio ${(rate(btBytes, a) / rate(conBytes, b)).toFixed(2)}; ` +
        `a plain log of ordinary lines (${(plainBytes / 1e6).toFixed(1)} MB): ${rate(plainBytes, p).toFixed(2)} MB/s, peak RSS ${p.maxRssMb.toFixed(0)} MB; crash/plain MB/s ratio ${(rate(btBytes, a) / rate(plainBytes, p)).toFixed(2)}`,
    );
    rmSync(plain);
    rmSync(bt);
    rmSync(con);
  }
  return rows;
}

/**
 * The kernel log of whole vmcores (KTRIAGE_BENCH_VMCORES: a folder of them, default the dump lab): ktriage dmesg, beside
 * crash's `log` with the dump's debug vmlinux and makedumpfile --dump-dmesg on the same dump, in the same run.
 */
function vmcoreRows(): string[] {
  const dir = process.env.KTRIAGE_BENCH_VMCORES ?? join(process.env.KT_QEMU_LAB ?? '/work/qemu-lab', 'dumps');
  if (!existsSync(dir)) return [`vmcores: none at ${dir} (set KTRIAGE_BENCH_VMCORES): skipped`];
  // One dump of each format when the lab has them (the fixture generator names them NAME-FORMAT-NCPU), else the first three.
  const all = readdirSync(dir).filter((n) => n.endsWith('.vmcore')).sort();
  const tagged = all.filter((n) => /-(?:elf|kdump-zlib)-\d+cpu(?:\.plain)?\.vmcore$/.test(n));
  // And one that makedumpfile wrote itself in the guest's capture kernel (-d 31): the one kind it reads.
  const filtered = all.filter((n) => /-makedumpfile-\w+-\d+cpu\.vmcore$/.test(n)).slice(0, 1);
  const dumps = [...(tagged.length > 0 ? tagged : all).slice(0, 3), ...filtered].map((n) => join(dir, n));
  const rows: string[] = [];
  const timed = (cmd: string, args: string[], input?: string): { seconds: number; status: number | null; out: string; rss: number } => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', 'BENCH_RSS %M', cmd, ...args], { input, encoding: 'latin1', maxBuffer: 1 << 28 });
    const rss = Number(/BENCH_RSS (\d+)/.exec(r.stderr ?? '')?.[1] ?? NaN) / 1024;
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, status: r.status, out: r.stdout ?? '', rss };
  };
  for (const d of dumps) {
    const size = statSync(d).size;
    spawnSync('cat', [d], { stdio: 'ignore' });
    const k = timed(join(REPO, 'bin', 'ktriage'), ['dmesg', d]);
    const lines = k.out.split('\n').length - 1;
    let row = `${d.split('/').pop()} (${(size / 1e6).toFixed(0)} MB): ktriage dmesg ${k.seconds.toFixed(2)} s, ${lines} lines, peak RSS ${k.rss.toFixed(0)} MB`;
    const release = /^\[ *0\.0+\] Linux version (\S+)/m.exec(k.out)?.[1];
    const vmlinux = release ? [`/usr/lib/debug/boot/vmlinux-${release}`, `/usr/lib/debug/lib/modules/${release}/vmlinux`].find((p) => existsSync(p)) : undefined;
    if (vmlinux && spawnSync('crash', ['--version']).status === 0) {
      const c = timed('crash', ['-s', '--no_panic', vmlinux, d], 'log\nquit\n');
      const same = c.out.split('\n').filter((l) => l.startsWith('[')).join('\n') === k.out.split('\n').filter((l) => l.startsWith('[')).join('\n');
      row += `; crash log ${c.seconds.toFixed(2)} s, peak RSS ${c.rss.toFixed(0)} MB (${same ? 'the same lines' : 'DIFFERENT lines'})`;
    } else row += '; crash log: no crash or debug vmlinux here';
    // makedumpfile creates its output file (O_EXCL): a new path, not /dev/stdout.
    const out = join(tmpdir(), `ktriage-bench-dmesg-${process.pid}.txt`);
    rmSync(out, { force: true });
    const m = timed('makedumpfile', ['--dump-dmesg', d, out]);
    if (m.status === 0 && existsSync(out)) m.out = readFileSync(out, 'latin1');
    rmSync(out, { force: true });
    const stamped = (text: string): string => text.split('\n').filter((l) => l.startsWith('[')).join('\n');
    const mine = m.status === 0 ? spawnSync(join(REPO, 'bin', 'ktriage'), ['dmesg', '--style', 'makedumpfile', d], { encoding: 'latin1', maxBuffer: 1 << 28 }).stdout : '';
    row += m.status === 0 ? `; makedumpfile --dump-dmesg ${m.seconds.toFixed(2)} s, peak RSS ${m.rss.toFixed(0)} MB (${stamped(m.out) === stamped(mine) ? 'the same lines as ktriage dmesg --style makedumpfile' : 'DIFFERENT lines'})` : `; makedumpfile --dump-dmesg: fails on this dump (status ${m.status ?? 'not installed'}, ${m.seconds.toFixed(2)} s)`;
    rows.push(row);
  }
  return rows;
}

/**
 * `ktriage check` on kernel trees of Debian's linux-source (KTRIAGE_BENCH_KSRC: an unpacked tree, else the
 * tarball /usr/src/linux-source-*.tar.xz, unpacked in the temporary folder), beside sparse when installed.
 */
function checkRows(dir: string): string[] {
  const trees = ['drivers/net/ethernet/intel', 'fs/xfs', 'drivers/usb', 'sound'];
  /** The tree the yardsticks (sparse, Coccinelle's lock scripts) run on too. */
  const yardstick = 'drivers/net/ethernet/intel';
  let root = process.env.KTRIAGE_BENCH_KSRC ?? '';
  if (!root) {
    const tar = existsSync('/usr/src') ? readdirSync('/usr/src').find((n) => /^linux-source-[\d.]+\.tar\.xz$/.test(n)) : undefined;
    if (!tar) return ['check: no kernel source (apt-get install linux-source-6.1, or set KTRIAGE_BENCH_KSRC): skipped'];
    const top = tar.replace(/\.tar\.xz$/, '');
    const r = spawnSync('tar', ['-xJf', join('/usr/src', tar), '-C', dir, ...trees.map((t) => `${top}/${t}`), `${top}/scripts/coccinelle/locks`, `${top}/include`, `${top}/arch/x86/include`], { stdio: 'ignore' });
    if (r.status !== 0) return [`check: could not unpack ${tar}: skipped`];
    root = join(dir, top);
  }
  const rows: string[] = [];
  for (const t of trees) {
    const path = join(root, t);
    if (!existsSync(path)) continue;
    const lines = Number(spawnSync('sh', ['-c', `find "${path}" -name '*.[ch]' -print0 | xargs -0 cat | wc -l`], { encoding: 'utf8' }).stdout.trim());
    const run = runCli(['check', '--format', 'json', path]);
    const j = JSON.parse(run.stdout) as { files: number; functions: number; skippedFunctions: unknown[]; findings: Array<{ rule: string }> };
    const by = new Map<string, number>();
    for (const f of j.findings) by.set(f.rule, (by.get(f.rule) ?? 0) + 1);
    let row = `check ${t} (${lines.toLocaleString('en-US')} lines, ${j.files} files, ${j.functions} functions): ${run.seconds.toFixed(1)} s, ${(lines / run.seconds / 1000).toFixed(0)}k lines/s, peak RSS ${run.maxRssMb.toFixed(0)} MB; ` +
      `${((100 * j.skippedFunctions.length) / Math.max(1, j.functions)).toFixed(1)}% of functions not parsed; findings: ${[...by].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`;
    if (t !== yardstick) {
      rows.push(row);
      continue;
    }
    if (spawnSync('sparse', ['--version']).status === 0) row += `; ${sparseRun(root, path, dir)}`;
    else row += '; sparse: not installed';
    row += `; ${coccinelleLocks(root, path)}`;
    rows.push(row);
  }
  return rows;
}

/**
 * What an unconfigured tree lacks for sparse to read its headers: the few generated headers, with the
 * options of an x86_64 SMP kernel; the other generated ones empty, asm-generic standing in for the rest.
 */
const SPARSE_STUBS: Record<string, string> = {
  'generated/autoconf.h': ['X86_64', 'X86', '64BIT', 'SMP', 'TREE_RCU', 'PREEMPT_NONE', 'HZ_250', 'NET', 'PCI', 'FLATMEM'].map((c) => `#define CONFIG_${c} 1`).join('\n') +
    '\n#define CONFIG_NR_CPUS 64\n#define CONFIG_HZ 250\n#define CONFIG_NODES_SHIFT 6\n#define CONFIG_BASE_SMALL 0\n#define CONFIG_X86_L1_CACHE_SHIFT 6\n' +
    '#define CONFIG_X86_INTERNODE_CACHE_SHIFT 6\n#define CONFIG_LOG_BUF_SHIFT 17\n#define CONFIG_PAGE_OFFSET 0\n#define CONFIG_PHYSICAL_START 0x1000000\n#define CONFIG_PHYSICAL_ALIGN 0x200000\n' +
    '#define CONFIG_ILLEGAL_POINTER_VALUE 0xdead000000000000\n',
  'generated/bounds.h': '#define NR_PAGEFLAGS 24\n#define MAX_NR_ZONES 4\n#define NR_CPUS_BITS 6\n#define SPINLOCK_SIZE 4\n',
  'generated/timeconst.h': [['HZ_TO_MSEC', 4, 1], ['MSEC_TO_HZ', 1, 4], ['HZ_TO_USEC', 4000, 1], ['USEC_TO_HZ', 1, 4000], ['HZ_TO_NSEC', 4000000, 1], ['NSEC_TO_HZ', 1, 4000000]]
    .map(([n, num, den]) => `#define ${n}_NUM ${num}\n#define ${n}_DEN ${den}\n#define ${n}_MUL32 0x80000000\n#define ${n}_ADJ32 0x0\n#define ${n}_SHR32 29\n`).join(''),
  'generated/utsrelease.h': '#define UTS_RELEASE "6.1.0"\n',
  'asm/unistd_64.h': '', 'asm/unistd_32.h': '', 'asm/unistd_x32.h': '', 'asm/unistd_32_ia32.h': '', 'asm/unistd_64_x32.h': '', 'asm/syscalls_64.h': '',
};

/** sparse on the tree's C files, 20 a process, one process a core, with the stub headers above. */
function sparseRun(root: string, path: string, dir: string): string {
  if (!existsSync(join(root, 'include', 'linux', 'kconfig.h'))) return `sparse: no include/ in ${root}: skipped`;
  const stub = join(dir, 'sparse-stub');
  for (const [name, text] of Object.entries(SPARSE_STUBS)) {
    mkdirSync(join(stub, name, '..'), { recursive: true });
    writeFileSync(join(stub, name), text);
  }
  const generic = join(dir, 'sparse-generic');
  mkdirSync(generic, { recursive: true });
  if (!existsSync(join(generic, 'asm'))) symlinkSync(join(root, 'include', 'asm-generic'), join(generic, 'asm'));
  const flags = ['-D__KERNEL__', '-DKBUILD_MODNAME="x"', '-DKBUILD_BASENAME="x"', '-DKBUILD_MODFILE="x"', `-I${stub}`, `-I${root}/arch/x86/include`, `-I${root}/arch/x86/include/uapi`,
    `-I${root}/include`, `-I${root}/include/uapi`, `-I${generic}`, '-include', `${root}/include/linux/kconfig.h`];
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `find "$1" -name '*.c' -print0 | xargs -0 -n 20 -P ${availableParallelism()} sparse ${flags.map((f) => `'${f}'`).join(' ')} 2>&1`, 'sh', path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const out = (r.stdout ?? '').split('\n');
  const errors = out.filter((l) => / error: /.test(l)).length;
  const warnings = out.filter((l) => / warning: /.test(l)).length;
  return `sparse on the same files (no kernel config: stub headers; ${availableParallelism()} processes): ${seconds.toFixed(1)} s, ${warnings} warnings, ${errors} errors`;
}

/** Coccinelle's four lock scripts (scripts/coccinelle/locks) in report mode on the tree, one spatch job a core. */
function coccinelleLocks(root: string, path: string): string {
  if (spawnSync('spatch', ['--version']).status !== 0) return 'Coccinelle: not installed (apt-get install coccinelle)';
  const dir = join(root, 'scripts', 'coccinelle', 'locks');
  const scripts = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.cocci')).sort() : [];
  if (scripts.length === 0) return `Coccinelle: no lock scripts in ${dir}`;
  const t0 = process.hrtime.bigint();
  let found = 0;
  for (const s of scripts) {
    const r = spawnSync('spatch', ['-D', 'report', '--very-quiet', '--no-includes', '--include-headers', '-j', String(availableParallelism()), '--sp-file', join(dir, s), '--dir', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    found += (r.stdout ?? '').split('\n').filter((l) => /^\S+\.[ch]:\d+/.test(l)).length;
  }
  return `Coccinelle's ${scripts.length} lock scripts: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s, ${found} findings`;
}

function grepRate(path: string, bytes: number): number {
  const pattern = literalPattern(headerTriggers).source;
  const t0 = process.hrtime.bigint();
  const r = spawnSync('grep', ['-c', '-E', pattern, path], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) return NaN;
  return bytes / 1e6 / s;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  const sizeMb = Number(process.env.KTRIAGE_BENCH_MB ?? 1024);
  const dir = join(tmpdir(), `ktriage-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const rows: string[] = [];
  try {
    const only = process.env.KTRIAGE_BENCH_ONLY;
    if (only === 'vmcores') return void process.stdout.write(vmcoreRows().map((r) => `- ${r}`).join('\n') + '\n');
    if (only === 'check') return void process.stdout.write(checkRows(dir).map((r) => `- ${r}`).join('\n') + '\n');
    if (process.env.KTRIAGE_BENCH_FLOODS !== '0' && only !== 'tasks') rows.push(...(await floodRows(dir)));
    if (only !== 'floods') rows.push(...taskRows(dir));
    if (only === 'floods' || only === 'tasks') return void process.stdout.write(rows.map((r) => `- ${r}`).join('\n') + '\n');
    rows.push(...vmcoreRows());
    rows.push(...checkRows(dir));
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

main().catch((e) => {
  process.stderr.write(String((e as Error).stack ?? e));
  process.exitCode = 1;
});
