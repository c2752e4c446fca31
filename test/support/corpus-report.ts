// Scores the signature layer on the corpus; shared by the corpus test and by `node dist/test/support/corpus-report.js`.

import { extractReports } from '../../src/signature';
import { linesFromBuffer } from '../../src/ingest/lines';
import { readCorpus } from './corpus';

export interface Mismatch {
  file: string;
  what: string;
  expected: string;
  got: string;
}

export interface Score {
  reportFiles: number;
  titled: number;
  titleOk: number;
  corruptedOk: number;
  altOk: number;
  typeOk: number;
  frameFiles: number;
  frameOk: number;
  executorFiles: number;
  executorOk: number;
  noCrashFiles: number;
  noCrashOk: number;
  guiltyFiles: number;
  guiltyOk: number;
  mismatches: Mismatch[];
}

export function scoreCorpus(): Score {
  const s: Score = {
    reportFiles: 0, titled: 0, titleOk: 0, corruptedOk: 0, altOk: 0, typeOk: 0, frameFiles: 0, frameOk: 0, executorFiles: 0, executorOk: 0,
    noCrashFiles: 0, noCrashOk: 0, guiltyFiles: 0, guiltyOk: 0, mismatches: [],
  };
  const miss = (file: string, what: string, expected: string, got: string): void => {
    s.mismatches.push({ file, what, expected, got });
  };
  for (const f of readCorpus('report')) {
    s.reportFiles++;
    const reps = extractReports(linesFromBuffer(f.logBytes));
    const want = f.fields.TITLE?.[0];
    if (want === undefined || want === '') {
      s.noCrashFiles++;
      if (reps.length === 0) s.noCrashOk++;
      else miss(f.name, 'no-crash', '(none)', reps[0].title);
      continue;
    }
    s.titled++;
    const r = reps[0];
    const got = r ? r.title : '(none)';
    if (got === want) s.titleOk++;
    else miss(f.name, 'title', want, got);
    const wantCorrupted = f.fields.CORRUPTED?.[0] === 'Y';
    if (r && r.corrupted === wantCorrupted) s.corruptedOk++;
    else miss(f.name, 'corrupted', String(wantCorrupted), r ? `${r.corrupted} (${r.corruptedReason ?? ''})` : '(none)');
    const wantAlt = [...(f.fields.ALT ?? [])].sort().join(' | ');
    const gotAlt = r ? [...r.altTitles].sort().join(' | ') : '';
    if (wantAlt === gotAlt) s.altOk++;
    else miss(f.name, 'alt', wantAlt, gotAlt);
    const wantType = f.fields.TYPE?.[0] ?? 'UNKNOWN';
    if (r && r.type === wantType) s.typeOk++;
    else miss(f.name, 'type', wantType, r ? r.type : '(none)');
    const wantFrame = f.fields.FRAME?.[0];
    if (wantFrame !== undefined) {
      s.frameFiles++;
      // syzkaller writes the frame of a corrupted report as `corrupted`; ours is null.
      const gotFrame = r ? (r.frame ?? (r.corrupted ? 'corrupted' : '(none)')) : '(none)';
      if (gotFrame === wantFrame) s.frameOk++;
      else miss(f.name, 'frame', wantFrame, gotFrame);
    }
    const wantSuppressed = f.fields.SUPPRESSED?.[0] === 'Y';
    if ((r?.suppressed ?? false) !== wantSuppressed) miss(f.name, 'suppressed', String(wantSuppressed), String(r?.suppressed ?? false));
    const wantExecutor = f.fields.EXECUTOR?.[0];
    if (wantExecutor !== undefined) {
      s.executorFiles++;
      const gotExecutor = r?.executor ? `proc=${r.executor.proc}, id=${r.executor.id}` : '(none)';
      if (gotExecutor === wantExecutor) s.executorOk++;
      else miss(f.name, 'executor', wantExecutor, gotExecutor);
    }
  }
  for (const f of readCorpus('guilty')) {
    s.guiltyFiles++;
    const want = f.fields.FILE?.[0] ?? '';
    const r = extractReports(linesFromBuffer(f.logBytes))[0];
    const got = r?.guiltyFile ?? '(none)';
    if (got === want) s.guiltyOk++;
    else miss(f.name, 'guilty', want, got);
  }
  return s;
}

export function rate(ok: number, total: number): string {
  return total === 0 ? 'n/a' : `${ok}/${total} = ${((100 * ok) / total).toFixed(1)}%`;
}

export function formatScore(s: Score, showMismatches = true): string {
  const out = [
    `exact title (reports[0]): ${rate(s.titleOk, s.titled)}`,
    `no-crash files without reports: ${rate(s.noCrashOk, s.noCrashFiles)}`,
    `corrupted flag: ${rate(s.corruptedOk, s.titled)}`,
    `alt titles: ${rate(s.altOk, s.titled)}`,
    `type: ${rate(s.typeOk, s.titled)}`,
    `frame (files with FRAME:): ${rate(s.frameOk, s.frameFiles)}`,
    `executor (files with EXECUTOR:): ${rate(s.executorOk, s.executorFiles)}`,
    `guilty file: ${rate(s.guiltyOk, s.guiltyFiles)}`,
  ];
  if (showMismatches) {
    for (const m of s.mismatches) out.push(`  [${m.what}] ${m.file}: expected ${JSON.stringify(m.expected)} got ${JSON.stringify(m.got)}`);
  }
  return out.join('\n');
}

if (require.main === module) {
  const only = process.argv[2];
  const s = scoreCorpus();
  if (only) s.mismatches = s.mismatches.filter((m) => m.what === only);
  console.log(formatScore(s));
}
