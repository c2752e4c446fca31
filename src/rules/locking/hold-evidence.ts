// What each kind of evidence for a lock's holder says, in words a finding quotes.

import type { HoldEvidence } from '../../machine';
import type { L10n } from '../types';

export const HOLD_EVIDENCE: Readonly<Record<HoldEvidence, L10n>> = {
  'same-address': { en: 'the lock\'s address is in its registers', zh: '寄存器中有该锁的地址' },
  'holder-function': { en: 'it runs a function known to hold it', zh: '它正在运行已知持有该锁的函数' },
  'same-owner': { en: 'it runs code of the same owner', zh: '它正在运行同一模块的代码' },
  'lockdep-held': { en: 'lockdep lists it as held', zh: 'lockdep 列出它持有该锁' },
  'owner-field': { en: 'the lock\'s owner field names it', zh: '锁的 owner 字段指向它' },
  'stack-word': { en: 'the lock\'s address is on its stack', zh: '它的栈上有该锁的地址' },
  'rcu-stall': { en: 'the RCU stall report names it', zh: 'RCU 停滞报告指出了它' },
};

/** The evidence of a holder as one phrase. */
export function holdEvidenceText(evidence: readonly HoldEvidence[]): L10n {
  const parts = evidence.map((e) => HOLD_EVIDENCE[e]);
  return { en: parts.map((p) => p.en).join(', '), zh: parts.map((p) => p.zh).join('，') };
}
