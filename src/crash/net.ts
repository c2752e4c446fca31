// Reads `net`: the network devices with their addresses.

import type { CrashNetDevice } from './types';
import { MAX_ENTRIES, type CrashReader } from './reader';

const HEADER = /^ {0,8}NET_DEVICE {1,8}NAME {1,8}IP ADDRESS\(ES\)\s*$/;
// `ffff8b819af04000  lo     127.0.0.1`, `f7e5a800  eth0   10.0.0.2, fe80::1`
const ROW = /^ {0,8}([0-9a-f]{8,16}) {1,8}(\S{1,32})(?: {1,16}(\S.{0,1000}?))?\s*$/;

/** Reads `net` device tables. */
export class NetReader implements CrashReader {
  readonly devices: CrashNetDevice[] = [];
  private open = false;

  take(line: string, no: number): boolean {
    if (HEADER.test(line)) {
      this.open = true;
      return true;
    }
    if (!this.open) return false;
    const m = ROW.exec(line);
    if (!m) return false;
    if (this.devices.length < MAX_ENTRIES) this.devices.push({ device: m[1], name: m[2], addresses: m[3] ? m[3].split(/, {0,2}| {1,4}/).filter((x) => x !== '') : [], line: no });
    return true;
  }

  close(): void {
    this.open = false;
  }
}
