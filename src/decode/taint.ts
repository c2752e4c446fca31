// Decodes a taint: the "Tainted: G           OE" string, a /proc/sys/kernel/tainted number, or per-module letters like lwconn(OE).

import { DISTRO_TAINTS, GPL_LETTER, MODULE_STATE_CHARS, UPSTREAM_TAINTS, type DistroTaintTable, type TaintFlag } from '../knowledge/taint-letters';
import { inRange, matchesDistro, versionOf, type KernelRelease } from '../knowledge/release';
import { note, tx, type Note, type Text, type TextLang } from '../knowledge/text';
import { DecodeInputError, releaseOption } from './common';

export interface TaintOptions {
  release?: string | KernelRelease | null;
}

export interface TaintEntry {
  letter: string;
  bit: number;
  name: string;
  meaning: Text;
  triage: Text | null;
  /** "RHEL 7" for a distro-specific flag, null for upstream. */
  distro: string | null;
  /** false when upstream had no such flag in the given release (a backport, or a different meaning). null: no release. */
  knownInEra: boolean | null;
}

export interface ModuleTaint {
  name: string;
  flags: TaintEntry[];
  /** '+' being loaded, '-' being unloaded. */
  state: '+' | '-' | null;
  stateMeaning: Text | null;
  /** Letters we could not map. */
  unknown: string[];
}

export interface TaintDecode {
  kind: 'taint';
  input: string;
  release: string | null;
  /** Taint bit mask when known (numeric input, or a positional Tainted: string), else null. */
  mask: number | null;
  /** Bit 0 reads G (all modules GPL) rather than P. */
  gpl: boolean | null;
  flags: TaintEntry[];
  /** Set letters, in bit order (what contract.md's taint.flags lists). */
  letters: string[];
  /** Decoded character by character position (spaces intact), so absent letters are known clear. */
  positional: boolean;
  /** The distro whose extra flags were read ("RHEL 7"), else null. */
  distro: string | null;
  modules: ModuleTaint[];
  lastUnloaded: string | null;
  unknown: string[];
  notes: Note[];
  summary: Text;
}

function entry(f: TaintFlag, distro: string | null, rel: KernelRelease | null, table: DistroTaintTable | null): TaintEntry {
  let knownInEra: boolean | null = null;
  if (rel) knownInEra = distro !== null || inRange(versionOf(rel), f.range) || (table?.upstreamBits.includes(f.bit) ?? false);
  return { letter: f.letter, bit: f.bit, name: f.name, meaning: f.meaning, triage: f.triage ?? null, distro, knownInEra };
}

function distroTableFor(rel: KernelRelease | null, text: string | null): DistroTaintTable | null {
  if (rel) {
    const t = DISTRO_TAINTS.find((d) => matchesDistro(rel, d.match));
    if (t) return t;
  }
  if (text) {
    // No release: recognise RHEL's marker runs by their length (12 dashes RHEL 7, 9 dashes RHEL 8+).
    const run = /-+/.exec(text)?.[0].length ?? 0;
    if (run >= 12) return DISTRO_TAINTS[0];
    if (run >= 9) return DISTRO_TAINTS[1];
  }
  return null;
}

/** Upstream letter, with T resolved for the era: RHEL 7 T is tech preview (handled by the distro table). */
function upstreamByLetter(letter: string): TaintFlag | undefined {
  return UPSTREAM_TAINTS.find((f) => f.letter === letter);
}

function normalise(s: string): string {
  return s.replace(/[?\u00a0\u3000\t]/g, ' ').replace(/\r/g, '');
}

/** Decodes a Tainted: string, a number, a letter list, or a module list. */
export function decodeTaint(input: string | number, opts: TaintOptions = {}): TaintDecode {
  const rel = releaseOption(opts.release);
  const raw = String(input);
  const notes: Note[] = [];
  const result: TaintDecode = {
    kind: 'taint', input: raw, release: rel?.raw ?? null, mask: null, gpl: null, flags: [], letters: [], positional: false,
    distro: null, modules: [], lastUnloaded: null, unknown: [], notes, summary: tx('', ''),
  };
  let text = normalise(raw).replace(/^.*?\bTainted:\s?/, '').replace(/^\s*Not tainted\b.*$/, '');
  // Cut the release and what follows ("   3.10.0-514.el7.x86_64 #1").
  text = text.replace(/\s+\d+\.\d+[\w.+-]*\s*(?:#.*)?$/, '');

  if (typeof input === 'number' || /^\s*(?:0x[0-9a-f]+|\d+)\s*$/i.test(text) && !/^\s*[A-Z]/.test(text)) {
    const n = typeof input === 'number' ? input : Number(text.trim());
    if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new DecodeInputError(`cannot read taint mask "${raw}"`);
    decodeMask(n >>> 0, rel, result);
  } else if (/\w\([A-Za-z+\-]*\)|Modules linked in:|\[last unloaded:/.test(text)) {
    decodeModules(text, rel, result);
  } else {
    decodeString(text, rel, result);
  }
  result.flags.sort((a, b) => a.bit - b.bit);
  result.letters = result.flags.map((f) => f.letter);
  for (const f of result.flags) {
    if (f.knownInEra === false) {
      notes.push(note(`era-${f.letter}`, `${f.letter} (${f.name}) did not exist upstream in ${rel!.major}.${rel!.minor}: a distro backport or another meaning`, `${rel!.major}.${rel!.minor} 的上游内核还没有 ${f.letter}（${f.name}）：可能是发行版回移植，或者含义不同`));
    }
  }
  if (result.flags.some((f) => f.letter === 'T' && f.distro === null) && !rel) {
    notes.push(note('t-ambiguous', 'T is randstruct upstream (4.13+) but Technology Preview on RHEL 7: give --kernel to be sure', '上游的 T 表示 randstruct（4.13 起），而 RHEL 7 的 T 表示技术预览：请用 --kernel 指定内核版本'));
  }
  if (result.modules.some((m) => m.state === '-')) {
    const names = result.modules.filter((m) => m.state === '-').map((m) => m.name).join(', ');
    notes.push(note('unloading', `${names} was being unloaded when this was printed`, `打印时 ${names} 正在被卸载`));
  }
  if (result.lastUnloaded) {
    notes.push(note('last-unloaded', `${result.lastUnloaded} was the last module unloaded: a timer, work item or callback it left behind can fire after it is gone`, `${result.lastUnloaded} 是最后一个被卸载的模块：它遗留的定时器、工作项或回调可能在卸载后仍被执行`));
  }
  result.summary = summarize(result);
  return result;
}

function decodeMask(n: number, rel: KernelRelease | null, r: TaintDecode): void {
  r.mask = n;
  r.positional = true;
  r.gpl = (n & 1) === 0;
  const table = distroTableFor(rel, null);
  r.distro = table?.name ?? null;
  for (let bit = 0; bit < 32; bit++) {
    if (((n >>> bit) & 1) === 0) continue;
    const d = table?.flags.find((f) => f.bit === bit);
    const u = UPSTREAM_TAINTS.find((f) => f.bit === bit);
    if (d) r.flags.push(entry(d, table!.name, rel, table));
    else if (u) r.flags.push(entry(u, null, rel, table));
    else r.unknown.push(`bit ${bit}`);
  }
}

function decodeString(text: string, rel: KernelRelease | null, r: TaintDecode): void {
  const table = distroTableFor(rel, /-{6,}/.test(text) ? text : null);
  const dash = text.search(/-{3,}/);
  const upstreamPart = (dash >= 0 ? text.slice(0, dash) : text).replace(/\s+$/, '');
  const distroPart = dash >= 0 ? text.slice(dash) : '';
  if (!/\S/.test(upstreamPart) && !distroPart) throw new DecodeInputError(`no taint letters in "${r.input}"`);

  // Positional when every letter sits at its own bit's index ("G           OE").
  const chars = [...upstreamPart];
  const positional = chars.length > 1 && chars.every((c, i) => c === ' ' || (i === 0 && (c === 'G' || c === 'P')) || UPSTREAM_TAINTS.find((f) => f.bit === i)?.letter === c);
  let mask = 0;
  if (positional) {
    r.positional = true;
    chars.forEach((c, i) => {
      if (c === ' ' || c === GPL_LETTER) return;
      const f = UPSTREAM_TAINTS.find((x) => x.bit === i)!;
      r.flags.push(entry(f, null, rel, table));
      mask |= 1 << i;
    });
  } else {
    for (const c of upstreamPart.replace(/\s+/g, '')) {
      if (c === GPL_LETTER) continue;
      const f = upstreamByLetter(c);
      if (f) {
        r.flags.push(entry(f, null, rel, table));
        mask |= 1 << f.bit;
      } else r.unknown.push(c);
    }
  }
  r.gpl = /^\s*G/.test(upstreamPart) ? true : /^\s*P/.test(upstreamPart) ? false : null;

  if (distroPart) {
    if (!table) {
      r.unknown.push(...[...distroPart].filter((c) => /[A-Za-z]/.test(c)));
    } else {
      r.distro = table.name;
      // Positions are trustworthy only when the upstream part was; else go by letter.
      const firstBit = positional ? dash : -1;
      [...distroPart].forEach((c, i) => {
        if (c === ' ' || c === '-') return;
        const byPos = firstBit >= 0 ? table.flags.find((f) => f.bit === firstBit + i && f.letter === c) : undefined;
        const f = byPos ?? table.flags.find((x) => x.letter === c);
        if (f) {
          r.flags.push(entry(f, table.name, rel, table));
          mask |= (1 << f.bit) >>> 0;
        } else r.unknown.push(c);
      });
    }
  }
  if (r.positional) r.mask = mask >>> 0;
}

function decodeModules(text: string, rel: KernelRelease | null, r: TaintDecode): void {
  const table = distroTableFor(rel, null);
  r.distro = table?.name ?? null;
  const last = /\[last unloaded:\s*([\w-]+)(?:\([A-Z+-]*\))?\]/.exec(text);
  if (last) r.lastUnloaded = last[1];
  const body = text.replace(/^.*Modules linked in:\s*/, '').replace(/\[last unloaded:[^\]]*\]/, '');
  const seen = new Map<string, TaintEntry>();
  for (const m of body.matchAll(/([\w-]+)(?:\(([A-Za-z+\-]*)\))?/g)) {
    const name = m[1];
    const letters = m[2] ?? '';
    const mod: ModuleTaint = { name, flags: [], state: null, stateMeaning: null, unknown: [] };
    for (const c of letters) {
      if (c === '+' || c === '-') {
        mod.state = c;
        mod.stateMeaning = MODULE_STATE_CHARS[c];
        continue;
      }
      const d = table?.flags.find((f) => f.letter === c && f.module);
      const u = UPSTREAM_TAINTS.find((f) => f.letter === c && f.module);
      const f = d ?? u;
      if (!f) {
        mod.unknown.push(c);
        continue;
      }
      const e = entry(f, d ? table!.name : null, rel, table);
      mod.flags.push(e);
      if (!seen.has(e.name)) seen.set(e.name, e);
    }
    if (letters || m[2] !== undefined) r.modules.push(mod);
  }
  r.flags.push(...seen.values());
}

function summarize(r: TaintDecode): Text {
  if (r.modules.length) {
    const list = r.modules.map((m) => `${m.name}(${m.flags.map((f) => f.letter).join('')}${m.state ?? ''})`).join(' ');
    return tx(`modules with taint letters: ${list}`, `带污染标记的模块：${list}`);
  }
  if (!r.flags.length) return r.gpl === false ? tx('proprietary module loaded (P)', '加载了专有模块（P）') : tx('no taint flags set', '没有置位任何污染标记');
  const letters = r.letters.join('');
  return tx(`tainted ${letters}: ${r.flags.map((f) => f.meaning.en.split(/[;(]/)[0].trim()).join('; ')}`, `污染标记 ${letters}：${r.flags.map((f) => f.meaning.zh.split(/[；（]/)[0].trim()).join('；')}`);
}

export function taintLines(r: TaintDecode, lang: TextLang): string[] {
  const zh = lang === 'zh';
  const out: string[] = [r.summary[lang]];
  if (r.mask !== null) out.push(`  mask ${'0x' + r.mask.toString(16)} (${r.mask})`);
  if (r.gpl !== null) out.push(`  ${r.gpl ? 'G' : 'P'}  ${r.gpl ? (zh ? '所有模块都是 GPL 许可' : 'all modules GPL') : UPSTREAM_TAINTS[0].meaning[lang]}`);
  const flagLine = (f: TaintEntry, indent: string): string[] => {
    const era = f.knownInEra === false ? (zh ? '（该版本上游尚无此位）' : ' (not upstream in this release)') : '';
    const distro = f.distro ? ` [${f.distro}]` : '';
    const lines = [`${indent}${f.letter}  ${f.name}${distro}${zh ? '：' : ': '}${f.meaning[lang]}${era}`];
    if (f.triage) lines.push(`${indent}   → ${f.triage[lang]}`);
    return lines;
  };
  if (r.modules.length) {
    for (const m of r.modules) {
      out.push(`  ${m.name}`);
      for (const f of m.flags) out.push(...flagLine(f, '    '));
      if (m.stateMeaning) out.push(`    ${m.state}  ${m.stateMeaning[lang]}`);
      if (m.unknown.length) out.push(`    ${zh ? '未知字母' : 'unknown letters'}: ${m.unknown.join(' ')}`);
    }
  } else {
    for (const f of r.flags) out.push(...flagLine(f, '  '));
  }
  if (r.unknown.length) out.push(`  ${zh ? '无法识别' : 'not recognised'}: ${r.unknown.join(' ')}`);
  for (const n of r.notes) out.push('→ ' + n[lang]);
  return out;
}
