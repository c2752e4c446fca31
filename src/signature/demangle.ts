// Demangles Rust symbols of the v0 scheme (`_R...`), the one the kernel's Rust code is built with.

/** Bounds that keep a hostile symbol from expanding through back-references without end. */
const MAX_DEPTH = 64;
const MAX_OUTPUT = 1024;

const BASIC_TYPES: Record<string, string> = {
  a: 'i8', b: 'bool', c: 'char', d: 'f64', e: 'str', f: 'f32', h: 'u8', i: 'isize', j: 'usize', l: 'i32', m: 'u32',
  n: 'i128', o: 'u128', s: 'i16', t: 'u16', u: '()', v: '...', x: 'i64', y: 'u64', z: '!', p: '_',
};

const SIGNED = new Set(['a', 'l', 'n', 's', 'x', 'i']);
const UNSIGNED = new Set(['h', 'm', 'o', 't', 'y', 'j']);

class Fail extends Error {}

class Demangler {
  private pos = 0;
  private out = '';
  private depth = 0;

  /** `s` is the symbol without its `_R`; back-references count from there. */
  constructor(private readonly s: string) {}

  run(): string {
    if (this.peek() >= '0' && this.peek() <= '9') this.decimal();
    this.path(true);
    // An instantiating crate may follow; it is not part of the name.
    if (this.pos < this.s.length && this.peek() !== '.' && this.peek() !== '$') {
      const saved = this.out;
      this.path(false);
      this.out = saved;
    }
    if (this.pos < this.s.length && this.peek() !== '.' && this.peek() !== '$') throw new Fail();
    return this.out;
  }

  private peek(): string {
    return this.s[this.pos] ?? '';
  }

  private next(): string {
    if (this.pos >= this.s.length) throw new Fail();
    return this.s[this.pos++];
  }

  private eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }

  private write(text: string): void {
    this.out += text;
    if (this.out.length > MAX_OUTPUT) throw new Fail();
  }

  private enter<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new Fail();
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private decimal(): number {
    const start = this.pos;
    while (this.peek() >= '0' && this.peek() <= '9') this.pos++;
    if (this.pos === start || (this.s[start] === '0' && this.pos - start > 1)) throw new Fail();
    const n = Number(this.s.slice(start, this.pos));
    if (!Number.isSafeInteger(n)) throw new Fail();
    return n;
  }

  /** `_` is 0, `<digits>_` is the base-62 value plus one. */
  private base62(): number {
    if (this.eat('_')) return 0;
    let n = 0;
    for (;;) {
      const ch = this.next();
      if (ch === '_') return n + 1;
      let d: number;
      if (ch >= '0' && ch <= '9') d = ch.charCodeAt(0) - 48;
      else if (ch >= 'a' && ch <= 'z') d = ch.charCodeAt(0) - 97 + 10;
      else if (ch >= 'A' && ch <= 'Z') d = ch.charCodeAt(0) - 65 + 36;
      else throw new Fail();
      // Crate disambiguators are 64-bit hashes: only small values (back-references) are used exactly.
      n = Math.min(n * 62 + d, Number.MAX_SAFE_INTEGER);
    }
  }

  private disambiguator(): number {
    return this.eat('s') ? this.base62() + 1 : 0;
  }

  private identifier(): { dis: number; name: string } {
    const dis = this.disambiguator();
    return { dis, name: this.undisambiguatedIdentifier() };
  }

  private undisambiguatedIdentifier(): string {
    const punycode = this.eat('u');
    const len = this.decimal();
    this.eat('_');
    if (this.pos + len > this.s.length) throw new Fail();
    const name = this.s.slice(this.pos, this.pos + len);
    this.pos += len;
    // Punycode names are left encoded: the kernel has none, and they stay readable enough.
    return punycode ? `punycode{${name}}` : name;
  }

  private backref(f: () => void): void {
    const start = this.pos - 1;
    const target = this.base62();
    if (target >= start) throw new Fail();
    const saved = this.pos;
    this.pos = target;
    this.enter(f);
    this.pos = saved;
  }

  private path(valueNs: boolean): void {
    this.enter(() => {
      const tag = this.next();
      switch (tag) {
        case 'C': {
          this.write(this.identifier().name);
          break;
        }
        case 'M':
        case 'X': {
          this.disambiguator();
          const saved = this.out;
          this.path(false);
          this.out = saved;
          this.write('<');
          this.type();
          if (tag === 'X') {
            this.write(' as ');
            this.path(false);
          }
          this.write('>');
          break;
        }
        case 'Y': {
          this.write('<');
          this.type();
          this.write(' as ');
          this.path(false);
          this.write('>');
          break;
        }
        case 'N': {
          const ns = this.next();
          if (!/[a-zA-Z]/.test(ns)) throw new Fail();
          this.path(valueNs);
          const { dis, name } = this.identifier();
          if (ns >= 'A' && ns <= 'Z') {
            const kind = ns === 'C' ? 'closure' : ns === 'S' ? 'shim' : ns;
            this.write(`::{${kind}${name ? `:${name}` : ''}#${dis}}`);
          } else {
            this.write(`::${name}`);
          }
          break;
        }
        case 'I': {
          this.path(valueNs);
          this.write(valueNs ? '::<' : '<');
          this.genericArgs();
          this.write('>');
          break;
        }
        case 'B':
          this.backref(() => this.path(valueNs));
          break;
        default:
          throw new Fail();
      }
    });
  }

  private genericArgs(): void {
    let first = true;
    while (!this.eat('E')) {
      if (!first) this.write(', ');
      first = false;
      if (this.eat('L')) {
        this.lifetime(this.base62());
      } else if (this.eat('K')) {
        this.constant();
      } else {
        this.type();
      }
    }
  }

  private lifetime(n: number): void {
    this.write(n === 0 ? "'_" : `'${n <= 26 ? String.fromCharCode(96 + n) : `_${n}`}`);
  }

  private type(): void {
    this.enter(() => {
      const tag = this.next();
      const basic = BASIC_TYPES[tag];
      if (basic !== undefined) {
        this.write(basic);
        return;
      }
      switch (tag) {
        case 'A':
          this.write('[');
          this.type();
          this.write('; ');
          this.constant();
          this.write(']');
          break;
        case 'S':
          this.write('[');
          this.type();
          this.write(']');
          break;
        case 'R':
        case 'Q': {
          this.write('&');
          if (this.eat('L')) {
            const n = this.base62();
            if (n !== 0) {
              this.lifetime(n);
              this.write(' ');
            }
          }
          if (tag === 'Q') this.write('mut ');
          this.type();
          break;
        }
        case 'P':
          this.write('*const ');
          this.type();
          break;
        case 'O':
          this.write('*mut ');
          this.type();
          break;
        case 'F':
          this.fnSig();
          break;
        case 'D':
          this.dynBounds();
          break;
        case 'T': {
          this.write('(');
          let n = 0;
          while (!this.eat('E')) {
            if (n > 0) this.write(', ');
            this.type();
            n++;
          }
          if (n === 1) this.write(',');
          this.write(')');
          break;
        }
        case 'B':
          this.backref(() => this.type());
          break;
        default:
          this.pos--;
          this.path(false);
      }
    });
  }

  private fnSig(): void {
    if (this.eat('G')) this.base62();
    if (this.eat('U')) this.write('unsafe ');
    if (this.eat('K')) {
      const abi = this.eat('C') ? 'C' : this.undisambiguatedIdentifier().replace(/_/g, '-');
      this.write(`extern "${abi}" `);
    }
    this.write('fn(');
    let n = 0;
    while (!this.eat('E')) {
      if (n++ > 0) this.write(', ');
      this.type();
    }
    this.write(')');
    if (this.peek() === 'u') {
      this.pos++;
    } else {
      this.write(' -> ');
      this.type();
    }
  }

  private dynBounds(): void {
    if (this.eat('G')) this.base62();
    this.write('dyn ');
    let n = 0;
    while (!this.eat('E')) {
      if (n++ > 0) this.write(' + ');
      this.dynTrait();
    }
    // The object lifetime bound.
    if (!this.eat('L')) throw new Fail();
    this.base62();
  }

  private dynTrait(): void {
    // A trait with associated-type bindings prints them inside its generic list.
    const start = this.out.length;
    this.path(false);
    let open = false;
    while (this.eat('p')) {
      if (!open) {
        if (this.out.endsWith('>')) {
          this.out = this.out.slice(0, -1);
          this.write(', ');
        } else {
          this.write('<');
        }
        open = true;
      } else {
        this.write(', ');
      }
      this.write(`${this.undisambiguatedIdentifier()} = `);
      this.type();
    }
    if (open) this.write('>');
    if (this.out.length < start) throw new Fail();
  }

  private constant(): void {
    this.enter(() => {
      if (this.eat('B')) {
        this.backref(() => this.constant());
        return;
      }
      if (this.eat('p')) {
        this.write('_');
        return;
      }
      const ty = this.next();
      const negative = this.eat('n');
      const start = this.pos;
      while (/[0-9a-f]/.test(this.peek())) this.pos++;
      const hex = this.s.slice(start, this.pos);
      if (!this.eat('_')) throw new Fail();
      const value = hex === '' ? 0n : BigInt(`0x${hex}`);
      if (ty === 'b') {
        this.write(value === 0n ? 'false' : 'true');
      } else if (ty === 'c') {
        this.write(`'${String.fromCodePoint(Number(value))}'`);
      } else if (SIGNED.has(ty) || UNSIGNED.has(ty)) {
        this.write(`${negative ? '-' : ''}${value.toString()}`);
      } else {
        throw new Fail();
      }
    });
  }
}

/** The readable name of a mangled Rust symbol; any other name is returned as it is. */
export function demangle(name: string): string {
  if (!name.startsWith('_R')) return name;
  try {
    return new Demangler(name.slice(2)).run();
  } catch (e) {
    if (e instanceof Fail || e instanceof RangeError) return name;
    throw e;
  }
}
