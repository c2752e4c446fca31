// ANSI colour, only when writing to a terminal and NO_COLOR is not set.

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const id = (s: string): string => s;

export const PLAIN: Paint = { bold: id, dim: id, red: id, yellow: id, cyan: id };
export const ANSI: Paint = { bold: wrap('1'), dim: wrap('2'), red: wrap('31'), yellow: wrap('33'), cyan: wrap('36') };

/** `--color`: auto (a terminal, unless NO_COLOR is set), always, never. */
export type ColorWhen = 'auto' | 'always' | 'never';

export function pickPaint(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env, when: ColorWhen = 'auto'): Paint {
  if (when === 'always') return ANSI;
  if (when === 'never') return PLAIN;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return PLAIN;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return ANSI;
  return stream.isTTY ? ANSI : PLAIN;
}
