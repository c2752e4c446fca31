// Undoes what web pages and chat tools do to pasted logs: bullets, '?' or NBSP for spaces, line numbers.

/** How a pasted text was mangled, decided once from a sample at the start of the input. */
export interface PasteStyle {
  /** Spaces were turned into '?' (a web page showing NBSP in the wrong encoding). */
  questionSpaces: boolean;
  /** Every line carries an editor or chat line number: `12: `, `12 | `, `12\t`. */
  lineNumbers: boolean;
  /** List bullets that a code page turned into '?': one leading `? ` on every line is not the kernel's. */
  questionBullets?: boolean;
  /** Indentation or mail quoting common to every line of the region (`\t`, `    `, `> `), removed. */
  indent?: string;
}

const BULLET = /^[ \t]{0,8}[\u2022\u25cf\u25e6\u25aa\u2023\u00b7\u2219\u2043][ \t\u00a0]?/;
const LINE_NUMBER = /^[ \t]{0,6}(\d{1,7})(?:[ \t]{0,3}[|:][ \t]?|\t)/;
// Places where a '?' can only stand for a lost space: after a timestamp bracket,
// inside register dumps, before a crash `bt` frame number, in runs.
const QUESTION_SPACE_HINT = /\[\?+ {0,12}\d|\?\?|\?#\d|\]\?[ ?a-z_]/;

export function detectPasteStyle(sample: string[]): PasteStyle {
  let hinted = 0;
  let numbered = 0;
  let nonEmpty = 0;
  let lastNumber = -1;
  let ordered = 0;
  let tabular = 0;
  for (const raw of sample) {
    const line = stripBullet(raw.replace(/\u00a0/g, ' '));
    if (line.trim() === '') continue;
    nonEmpty++;
    if (QUESTION_SPACE_HINT.test(line)) hinted++;
    const m = LINE_NUMBER.exec(line);
    if (m) {
      numbered++;
      // `85:          3          0 IR-PCI-MSI-edge  eth4`: an interrupt table's rows (/proc/interrupts, crash irq -s), not line numbers.
      if (/^:? {2,24}\d/.test(line.slice(m.index + m[0].length - 1))) tabular++;
      const n = Number(m[1]);
      if (n > lastNumber) ordered++;
      lastNumber = n;
    }
  }
  const style: PasteStyle = {
    questionSpaces: hinted >= 2 && hinted * 10 >= nonEmpty,
    lineNumbers: nonEmpty >= 3 && numbered * 10 >= nonEmpty * 9 && ordered * 10 >= numbered * 9 && tabular * 2 < numbered && !looksLikeTimestamps(sample),
  };
  if (questionBulleted(sample)) style.questionBullets = true;
  const indent = commonIndent(sample);
  if (indent) style.indent = indent;
  return style;
}

// `? [  1.0] BUG: ...`, `? Call Trace:`: a `?` before something that is not a frame is no unreliable-frame mark.
const QUESTION_BULLET = /^[ \t]{0,4}\?[ \t]/;
const NOT_A_FRAME_AFTER_BULLET = /^[ \t]{0,4}\?[ \t]{1,4}(?:\[ {0,12}\d|[A-Z][\w ]{0,40}:|-{3}|<\/?[A-Z]{2,8}>)/;

function questionBulleted(sample: readonly string[]): boolean {
  let nonEmpty = 0;
  let bulleted = 0;
  let notFrames = 0;
  for (const line of sample) {
    if (line.trim() === '') continue;
    nonEmpty++;
    if (!QUESTION_BULLET.test(line)) continue;
    bulleted++;
    if (NOT_A_FRAME_AFTER_BULLET.test(line)) notFrames++;
  }
  return nonEmpty >= 2 && bulleted * 10 >= nonEmpty * 8 && notFrames >= Math.min(2, nonEmpty);
}

/** The run of whitespace and `>` quote marks that every non-blank line of the sample starts with. */
export function commonIndent(sample: readonly string[]): string {
  let common: string | null = null;
  for (const line of sample) {
    if (/^[\s>|]*$/.test(line)) continue;
    const m = /^[ \t>|]{0,16}/.exec(line);
    const lead = m ? m[0] : '';
    if (common === null) common = lead;
    else {
      let i = 0;
      while (i < common.length && i < lead.length && common[i] === lead[i]) i++;
      common = common.slice(0, i);
    }
    if (common === '') return '';
  }
  // Only quote marks and indentation count; a `|` alone may be a table border, kept.
  return common !== null && /^(?:[ \t]|> ?)+$/.test(common) ? common : '';
}

function looksLikeTimestamps(sample: string[]): boolean {
  // Plain `12345.678` uptime stamps are not line numbers.
  return sample.some((l) => /^\s*\d+\.\d+\s/.test(l));
}

function stripBullet(line: string): string {
  const m = BULLET.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/**
 * A '?' is a lost space when it is part of a run, or touches a non-space on one side;
 * a lone '?' between spaces is the kernel's own mark of an unreliable frame and stays.
 */
function restoreQuestionSpaces(line: string): string {
  if (line.indexOf('?') < 0) return line;
  let out = '';
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const c = line[i];
    if (c !== '?') {
      out += c;
      continue;
    }
    let j = i;
    while (j < n && line[j] === '?') j++;
    const run = j - i;
    const before = i === 0 ? ' ' : line[i - 1];
    const after = j >= n ? ' ' : line[j];
    if (run === 1 && before === ' ' && after === ' ') out += '?';
    else out += ' '.repeat(run);
    i = j - 1;
  }
  return out;
}

/** Cleans one physical line according to the detected style. */
export function cleanPastedLine(raw: string, style: PasteStyle): string {
  let line = raw;
  if (line.endsWith('\r')) line = line.slice(0, -1);
  if (line.indexOf('\u00a0') >= 0) line = line.replace(/\u00a0/g, ' ');
  if (line.indexOf('\u3000') >= 0) line = line.replace(/\u3000/g, ' ');
  if (style.indent && line.startsWith(style.indent)) line = line.slice(style.indent.length);
  else if (style.indent && /^[\s>]*$/.test(line)) line = '';
  line = stripBullet(line);
  if (style.questionBullets) line = line.replace(QUESTION_BULLET, '');
  if (style.lineNumbers) {
    const m = LINE_NUMBER.exec(line);
    if (m) line = line.slice(m[0].length);
  }
  if (style.questionSpaces) line = restoreQuestionSpaces(line);
  return line;
}

export const NO_PASTE_STYLE: PasteStyle = { questionSpaces: false, lineNumbers: false };
