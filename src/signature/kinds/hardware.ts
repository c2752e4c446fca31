// Hardware errors reported by the CPU itself: a fatal machine check has no stack by nature.

import type { OopsKind } from '../types';
import { one } from '../patterns';

const r = String.raw;

export const hardwareKinds: OopsKind[] = [
  {
    // x86 mce_panic(): the record lines come first, the panic message (`Fatal machine check`) last.
    header: 'Machine Check Exception:',
    own: true,
    formats: [{ title: one(r`Machine Check Exception: `), fmt: 'machine check exception', noStackTrace: true }],
  },
];
