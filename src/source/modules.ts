// Which kernel module a source file is built into, from its directory's Makefile: `foo-objs := a.o b.o`,
// `foo-y += c.o`. The files of one composite module are one program (an ops table in one file, the probe in another).

import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Kbuild's own lists, not modules: `obj-y` (built-in objects, each its own), `ccflags-y`, `subdir-y`... */
const NOT_MODULES = new Set(['obj', 'lib', 'subdir', 'ccflags', 'cflags', 'asflags', 'ldflags', 'always', 'targets', 'extra', 'hostprogs', 'userprogs', 'clean', 'header', 'hostccflags', 'userccflags']);

const makefiles = new Map<string, Map<string, Set<string>>>();

/** A module's name as the kernel prints it: `-` becomes `_`. */
export function moduleName(m: string): string {
  return m.replace(/-/g, '_');
}

/** Each directory's composite modules, by object: `i2c-core-objs := i2c-core-base.o ...` puts i2c-core-base in i2c_core. */
function compositesIn(dir: string): Map<string, Set<string>> {
  const known = makefiles.get(dir);
  if (known) return known;
  const out = new Map<string, Set<string>>();
  let text = '';
  try {
    text = readFileSync(join(dir, 'Makefile'), 'utf8').slice(0, 1 << 20).replace(/\\\r?\n/g, ' ');
  } catch {
    // No Makefile: each file is its own module.
  }
  for (const m of text.matchAll(/^[ \t]*([\w-]{1,64})-(?:objs|y)[ \t]*[:+]?=([^\n]{0,4000})$/gm)) {
    if (NOT_MODULES.has(m[1])) continue;
    for (const o of m[2].matchAll(/([\w-]{1,64})\.o\b/g)) {
      const set = out.get(o[1]) ?? new Set<string>();
      set.add(moduleName(m[1]));
      out.set(o[1], set);
    }
  }
  if (makefiles.size > 4096) makefiles.clear();
  makefiles.set(dir, out);
  return out;
}

/** The modules a source file is built into: its own name, and the composites its directory's Makefile puts it in. */
export function modulesOfFile(path: string): Set<string> {
  const stem = basename(path).replace(/\.[ch]$/, '');
  return new Set([moduleName(stem), ...(compositesIn(dirname(path)).get(stem) ?? [])]);
}

/** Whether two files of one directory are built into one composite module. */
export function sameComposite(a: string, b: string): boolean {
  if (dirname(a) !== dirname(b)) return false;
  const ca = compositesIn(dirname(a));
  const ma = ca.get(basename(a).replace(/\.[ch]$/, ''));
  const mb = ca.get(basename(b).replace(/\.[ch]$/, ''));
  return ma !== undefined && mb !== undefined && [...ma].some((m) => mb.has(m));
}
