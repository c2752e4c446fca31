// Kernel release strings ("3.10.0-514.26.2.el7.x86_64", "6.1.0-13-amd64"...) parsed into versions, and version-range matching for knowledge tables.

export type Distro = 'rhel' | 'debian' | 'ubuntu' | 'suse' | 'fedora' | null;

export interface KernelRelease {
  raw: string;
  major: number;
  minor: number;
  patch: number;
  /** -rcN of an upstream release candidate, else null. */
  rc: number | null;
  distro: Distro;
  /** The distro's own release marker: "el7", "el8uek", "13" (Debian ABI), "91" (Ubuntu ABI), "fc39", "150400.24.46"... */
  distroRelease: string | null;
  /** RHEL/Fedora major (7 for el7, 39 for fc39), else null. */
  distroMajor: number | null;
  /** RHEL build numbers: [514, 26, 2] for 3.10.0-514.26.2.el7; [] otherwise. */
  distroBuild: number[];
  /** Flavour suffix: generic, amd64, cloud-amd64, default, debug, uek, rt... */
  flavour: string | null;
  /** x86_64, i686, aarch64, ppc64le, s390x...; null when the string does not say. */
  arch: string | null;
  /** A debug build (RHEL kernel-debug "+debug"/".debug"): DEBUG_ATOMIC_SLEEP and friends are on. */
  debug: boolean;
}

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'x86_64', amd64: 'x86_64', i686: 'i686', i586: 'i686', '686': 'i686', '686-pae': 'i686',
  aarch64: 'aarch64', arm64: 'aarch64', 'arm64-16k': 'aarch64', riscv64: 'riscv64', i386: 'i686', i486: 'i686', ppc64le: 'ppc64le', ppc64el: 'ppc64le', ppc64: 'ppc64', s390x: 's390x', armmp: 'arm', 'armmp-lpae': 'arm', powerpc64le: 'ppc64le', loong64: 'loongarch64',
};

const UBUNTU_FLAVOURS = /^(generic|lowlatency|aws|azure|gcp|gke|kvm|oracle|raspi|ibm|nvidia|oem|virtual|intel-iotg|realtime|generic-64k|generic-lpae|nvidia-tegra|xilinx-zynqmp)$/;
const DEBIAN_FLAVOURS = /^(?:(?:cloud|rt)-)?(amd64|arm64|arm64-16k|686|686-pae|armmp|armmp-lpae|ppc64el|s390x|marvell|rpi|4kc-malta|5kc-malta|octeon|loongson-3|powerpc64le|mips64r2el|riscv64|loong64)$/;

/**
 * Architecture from the tokens of a release's tail when no distro rule said it: distro arch
 * suffixes and board vendors' kernels (Armbian's rockchip64/meson64/sunxi64, Raspberry Pi's v8/v7l,
 * NVIDIA's tegra, Android's GKI...). Matched as whole tokens between `-`, `.`, `+` or `_`.
 */
const ARCH_TOKENS: ReadonlyArray<{ re: RegExp; arch: string }> = [
  { re: /(?:^|[-.+_])(x86_64|amd64)(?=$|[-.+_])/, arch: 'x86_64' },
  { re: /(?:^|[-.+_])(i[3-6]86|686-pae|686)(?=$|[-.+_])/, arch: 'i686' },
  { re: /(?:^|[-.+_])(aarch64|arm64|arm64-16k|generic-64k)(?=$|[-.+_])/, arch: 'aarch64' },
  // Armbian and vendor BSP kernels for 64-bit SoCs: `5.15.93-rockchip64`, `6.1.11-meson64`, `6.6.16-current-sunxi64`, `5.10.160-legacy-rk35xx`.
  { re: /(?:^|[-.+_])(?:rockchip64|meson64|sunxi64|mvebu64|bcm2711|bcm2712|rk3399|rk356x|rk3568|rk3588|rk35xx|rockchip-rk3588|imx8\w{0,8}|tegra|nvidia-tegra|qcom|msm-\w{1,16}|android\d{1,2}(?:-\d{1,3})?|raspi|rpi-v8|rpi-2712|v8|v8-16k|2712|ampere|xilinx-zynqmp|zynqmp)(?=$|[-.+_])/, arch: 'aarch64' },
  { re: /(?:^|[-.+_])(?:armmp|armmp-lpae|armv7l?|armhf|v7l?|v6|rpi-v7l?|sunxi|odroidxu4|bcm2709|bcm2835|omap2?|imx6\w{0,4}|exynos\w{0,4})(?=$|[-.+_])/, arch: 'arm' },
  { re: /(?:^|[-.+_])(riscv64)(?=$|[-.+_])/, arch: 'riscv64' },
  { re: /(?:^|[-.+_])(ppc64le|ppc64el|powerpc64le)(?=$|[-.+_])/, arch: 'ppc64le' },
  { re: /(?:^|[-.+_])(ppc64)(?=$|[-.+_])/, arch: 'ppc64' },
  { re: /(?:^|[-.+_])(s390x)(?=$|[-.+_])/, arch: 's390x' },
  { re: /(?:^|[-.+_])(loong64|loongarch64)(?=$|[-.+_])/, arch: 'loongarch64' },
];

/** Parses a kernel release; null when the string does not start with a version. */
export function parseRelease(input: string): KernelRelease | null {
  const raw = input.trim();
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(.*)$/.exec(raw);
  if (!m) return null;
  const rest = m[4] ?? '';
  const rel: KernelRelease = {
    raw, major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]), rc: null,
    distro: null, distroRelease: null, distroMajor: null, distroBuild: [], flavour: null, arch: null, debug: false,
  };
  const rc = /^-rc(\d+)/.exec(rest);
  if (rc) rel.rc = Number(rc[1]);
  if (/(?:[.+]debug|-debug)\b/.test(rest)) rel.debug = true;

  const el = /-((?:\d+\.)*\d+)\.(el(\d+)(?:_\d+)?(uek)?)/.exec(rest);
  const fc = /-((?:\d+\.)*\d+)\.(fc(\d+))/.exec(rest);
  const suse = /^-((?:lp)?\d+(?:\.\d+)+)-(default|azure|rt|kvmsmall|64kb|preempt)$/.exec(rest);
  const deb = /^-(\d+)-([\w-]+)$/.exec(rest);
  if (el) {
    rel.distro = 'rhel';
    rel.distroRelease = el[2] + (el[4] ?? '');
    rel.distroMajor = Number(el[3]);
    rel.distroBuild = el[1].split('.').map(Number);
    if (el[4]) rel.flavour = 'uek';
  } else if (fc) {
    rel.distro = 'fedora';
    rel.distroRelease = fc[2];
    rel.distroMajor = Number(fc[3]);
    rel.distroBuild = fc[1].split('.').map(Number);
  } else if (suse) {
    rel.distro = 'suse';
    rel.distroRelease = suse[1];
    rel.flavour = suse[2];
  } else if (deb) {
    const flavour = deb[2];
    if (UBUNTU_FLAVOURS.test(flavour)) rel.distro = 'ubuntu';
    else if (DEBIAN_FLAVOURS.test(flavour)) rel.distro = 'debian';
    if (rel.distro) {
      rel.distroRelease = deb[1];
      rel.flavour = flavour;
      const archPart = DEBIAN_FLAVOURS.exec(flavour)?.[1];
      if (archPart && ARCH_ALIASES[archPart]) rel.arch = ARCH_ALIASES[archPart];
    }
  }
  if (!rel.arch) {
    const a = /[.-](x86_64|amd64|i[3-6]86|aarch64|arm64|ppc64le|ppc64|s390x|riscv64)(?:[.+]debug|\+64k|\+)?$/.exec(rest);
    if (a) rel.arch = ARCH_ALIASES[a[1]] ?? a[1];
  }
  if (!rel.arch) {
    // Skip the version's own `-rc4`, `-next-20240216` and git-describe parts (`-00456-gc29b353f383b`).
    const tail = rest.replace(/-rc\d{1,3}|-next-\d{8}|-\d{1,6}-g[0-9a-f]{7,40}|-g[0-9a-f]{7,40}|-dirty/g, '');
    const row = ARCH_TOKENS.find((r) => r.re.test(tail));
    if (row) rel.arch = row.arch;
  }
  if (rel.debug && !rel.flavour) rel.flavour = 'debug';
  return rel;
}

/** A kernel version as three numbers, for comparisons. */
export type Version = readonly [number, number, number];

export function parseVersion(v: string): Version {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) throw new Error(`not a kernel version: ${v}`);
  return [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])];
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** [since, before): upstream versions where a knowledge row applies; either end may be open. */
export interface VersionRange {
  since?: string;
  before?: string;
}

export function versionOf(rel: KernelRelease): Version {
  return [rel.major, rel.minor, rel.patch];
}

export function inRange(v: Version, range: VersionRange): boolean {
  if (range.since && compareVersions(v, parseVersion(range.since)) < 0) return false;
  if (range.before && compareVersions(v, parseVersion(range.before)) >= 0) return false;
  return true;
}

/** A selector for distro-specific rows: a distro, optionally one of its majors (RHEL 7, Fedora 39). */
export interface DistroMatch {
  distro: Exclude<Distro, null>;
  /** RHEL/Fedora majors this row covers (inclusive range). */
  majors?: readonly [number, number];
  /** Upstream base versions this row covers, for distros without majors in the release (Debian, Ubuntu, SUSE). */
  range?: VersionRange;
}

export function matchesDistro(rel: KernelRelease, sel: DistroMatch): boolean {
  if (rel.distro !== sel.distro) return false;
  if (sel.majors) {
    if (rel.distroMajor === null || rel.distroMajor < sel.majors[0] || rel.distroMajor > sel.majors[1]) return false;
  }
  if (sel.range && !inRange(versionOf(rel), sel.range)) return false;
  return true;
}

/** The first row whose range contains the version (rows are written oldest first, non-overlapping). */
export function pickByVersion<T extends { range: VersionRange }>(rows: readonly T[], v: Version): T | null {
  for (const row of rows) if (inRange(v, row.range)) return row;
  return null;
}

/** "3.14" .. "4.3" for messages. */
export function rangeLabel(range: VersionRange): string {
  if (range.since && range.before) return `${range.since} – <${range.before}`;
  if (range.since) return `≥ ${range.since}`;
  if (range.before) return `< ${range.before}`;
  return 'all versions';
}
