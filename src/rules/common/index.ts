// Rules for the common crash kinds (NULL dereference, KASAN, lockdep, lockups...), one file each.

import type { Rule } from '../types';

export const COMMON_RULES: readonly Rule[] = [];
