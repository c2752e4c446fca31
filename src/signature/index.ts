// Public entry of the signature layer: find reports in log lines and title them as syzkaller does.

export { extractReports, headerTriggers } from './extract';
export type { OopsKind, OopsFormat, StackFmt, Step } from './types';
