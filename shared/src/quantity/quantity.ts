import { DriftlineError } from '../errors/index.ts';

/**
 * QuantityFormat is the suffix family a quantity was written in, as Kubernetes tracks it:
 * `BinarySI` (Ki … Ei), `DecimalSI` (n … E, or no suffix), `DecimalExponent` (e3, E-2). It is
 * informative only: equality and ordering ignore it.
 */
export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

/**
 * Quantity is an exact Kubernetes resource quantity: its value is `unscaled × 10^-scale`, with
 * bigint arithmetic only (a quantity is always a terminating decimal: binary suffixes multiply by
 * powers of two, decimal ones by powers of ten). The representation is normalised — `scale` is the
 * smallest that is exact (no trailing zero in `unscaled` when `scale > 0`, zero has scale 0) — so
 * two equal values have equal fields.
 */
export interface Quantity {
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
}

/**
 * MAX_QUANTITY_LENGTH bounds the input text. Kubernetes has no such bound, but a quantity is read
 * from untrusted resources and bigint parsing is super-linear: a 1 MB digit string costs about a
 * second of CPU. 4096 characters is far beyond any real quantity (2^63 has 19 digits).
 */
export const MAX_QUANTITY_LENGTH = 4096;

/**
 * MAX_QUANTITY_EXPONENT bounds |e| in the decimalExponent form, for the same reason: `1e999999999`
 * would ask for a billion-digit number. Kubernetes itself caps values at 2^63-1; we stay exact far
 * beyond that.
 */
export const MAX_QUANTITY_EXPONENT = 1024;

const binarySI: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSI: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const exponentSuffix = /^[eE]([+-]?)([0-9]+)$/;
const suffixHelp =
  'expected one of Ki Mi Gi Ti Pi Ei, n u m k M G T P E, no suffix, or e/E with an integer exponent';

function invalid(text: string, reason: string): DriftlineError {
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return new DriftlineError('QUANTITY_INVALID', `invalid quantity ${JSON.stringify(shown)}: ${reason}`, {
    details: { quantity: shown, reason },
  });
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** describeBadCharacter explains the first character no quantity may contain, if any. */
function describeBadCharacter(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const shown = JSON.stringify(text[i]);
    if (/\s/.test(text[i] ?? '')) return `whitespace at position ${i} (a quantity contains no spaces)`;
    if (code < 0x20 || code === 0x7f) return `control character at position ${i}`;
    if (code > 0x7f) {
      return `character ${shown} at position ${i} is not ASCII (only ASCII digits 0-9 and suffix letters are allowed)`;
    }
  }
  return undefined;
}

function describeSuffix(suffix: string): string {
  if (suffix.startsWith('.')) return 'more than one decimal point';
  if (/^[eE][+-]?$/.test(suffix)) return `exponent ${JSON.stringify(suffix)} has no digits`;
  if (/^[eE][+-]?[0-9]*\./.test(suffix)) return 'the exponent must be an integer';
  const lower = suffix.toLowerCase();
  const binary = Object.keys(binarySI).find((s) => s.toLowerCase() === lower);
  if (binary !== undefined)
    return `unknown suffix ${JSON.stringify(suffix)}: binary suffixes are written ${binary}`;
  if (suffix === 'K') return 'unknown suffix "K": kilo is a lowercase k';
  if (/^[KMGTPE]ib$/i.test(suffix)) {
    return `unknown suffix ${JSON.stringify(suffix)}: Kubernetes writes ${suffix.slice(0, 2)} without the b`;
  }
  if (/[0-9+-]/.test(suffix)) return `unexpected ${JSON.stringify(suffix)} after the number (${suffixHelp})`;
  return `unknown suffix ${JSON.stringify(suffix)} (${suffixHelp})`;
}

function normalise(unscaled: bigint, scale: number, format: QuantityFormat): Quantity {
  if (unscaled === 0n) return { unscaled: 0n, scale: 0, format };
  let u = unscaled;
  let s = scale;
  if (s < 0) {
    u *= 10n ** BigInt(-s);
    s = 0;
  }
  while (s > 0 && u % 10n === 0n) {
    u /= 10n;
    s--;
  }
  return { unscaled: u, scale: s, format };
}

/**
 * parseQuantity reads a Kubernetes resource quantity by the Kubernetes grammar:
 * `<signedNumber><suffix>`, the number being `digits`, `digits.digits`, `digits.` or `.digits`;
 * the suffix a binarySI (Ki Mi Gi Ti Pi Ei), a decimalSI (n u m "" k M G T P E) or a
 * decimalExponent (e or E followed by a signed integer; a bare `E` is exa). The value is exact:
 * `1Gi` equals `1024Mi`, `0.5` equals `500m`, `0.1m` stays 0.0001 (the Kubernetes Go type would
 * round it up to 1m when serialising; drift compares what was written). Unlike the Go scanner, a
 * lone sign or `.` is rejected: the grammar requires digits.
 * Throws DriftlineError `QUANTITY_INVALID` (not retryable) whose message says what is wrong.
 */
export function parseQuantity(text: string): Quantity {
  if (typeof text !== 'string') throw invalid(String(text), 'not a string');
  if (text === '') throw invalid(text, 'empty string');
  if (text.length > MAX_QUANTITY_LENGTH) throw invalid(text, `longer than ${MAX_QUANTITY_LENGTH} characters`);
  const bad = describeBadCharacter(text);
  if (bad !== undefined) throw invalid(text, bad);

  let pos = 0;
  let negative = false;
  if (text[0] === '+' || text[0] === '-') {
    negative = text[0] === '-';
    pos = 1;
  }
  const intStart = pos;
  while (isDigit(text[pos])) pos++;
  const intDigits = text.slice(intStart, pos);
  let fracDigits = '';
  if (text[pos] === '.') {
    const fracStart = ++pos;
    while (isDigit(text[pos])) pos++;
    fracDigits = text.slice(fracStart, pos);
  }
  if (intDigits === '' && fracDigits === '') {
    throw invalid(
      text,
      pos > intStart ? 'a decimal point needs digits' : 'expected a number before the suffix',
    );
  }

  const suffix = text.slice(pos);
  let unscaled = BigInt(intDigits + fracDigits || '0');
  if (negative) unscaled = -unscaled;
  const scale = fracDigits.length;

  const bits = binarySI[suffix];
  if (bits !== undefined) return normalise(unscaled << BigInt(bits), scale, 'BinarySI');
  const power = decimalSI[suffix];
  if (power !== undefined) return normalise(unscaled, scale - power, 'DecimalSI');
  const exponent = exponentSuffix.exec(suffix);
  if (exponent !== null) {
    const digits = exponent[2] ?? '';
    const magnitude = digits.length > 6 ? Infinity : Number(digits);
    if (magnitude > MAX_QUANTITY_EXPONENT) {
      throw invalid(text, `exponent beyond ±${MAX_QUANTITY_EXPONENT}`);
    }
    const e = exponent[1] === '-' ? -magnitude : magnitude;
    return normalise(unscaled, scale - e, 'DecimalExponent');
  }
  throw invalid(text, describeSuffix(suffix));
}

/** SafeParseResult is parseQuantity's outcome without throwing. */
export type SafeParseResult = { ok: true; quantity: Quantity } | { ok: false; error: DriftlineError };

/**
 * safeParseQuantity is parseQuantity returning `{ ok: false, error }` instead of throwing; the
 * error is the same `QUANTITY_INVALID` DriftlineError.
 */
export function safeParseQuantity(text: string): SafeParseResult {
  try {
    return { ok: true, quantity: parseQuantity(text) };
  } catch (error) {
    if (error instanceof DriftlineError) return { ok: false, error };
    throw error;
  }
}

/**
 * compareQuantity orders two quantities by exact value: -1 when a < b, 0 when equal, 1 when
 * a > b. The written format does not matter (`1Gi` and `1073741824` compare equal).
 */
export function compareQuantity(left: Quantity, right: Quantity): -1 | 0 | 1 {
  const a = normalise(left.unscaled, left.scale, left.format);
  const b = normalise(right.unscaled, right.scale, right.format);
  const scale = Math.max(a.scale, b.scale);
  const x = a.unscaled * 10n ** BigInt(scale - a.scale);
  const y = b.unscaled * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** equalQuantity tells whether two quantities have the same exact value, whatever their format. */
export function equalQuantity(a: Quantity, b: Quantity): boolean {
  return compareQuantity(a, b) === 0;
}

/**
 * formatCanonical writes a quantity's exact value in base units as a plain decimal string: an
 * optional `-`, the integer part, and a fractional part only when needed, without trailing zeros
 * (`1Gi` and `1024Mi` → `1073741824`; `0.5` and `500m` → `0.5`; `0.1m` → `0.0001`; zero → `0`).
 * Equal values give equal strings, so this is the "normalised value" of drift events; the output
 * parses back to an equal quantity.
 */
export function formatCanonical(quantity: Quantity): string {
  const q = normalise(quantity.unscaled, quantity.scale, quantity.format);
  const negative = q.unscaled < 0n;
  const digits = (negative ? -q.unscaled : q.unscaled).toString();
  let text: string;
  if (q.scale === 0) {
    text = digits;
  } else {
    const padded = digits.padStart(q.scale + 1, '0');
    const cut = padded.length - q.scale;
    text = `${padded.slice(0, cut)}.${padded.slice(cut)}`;
  }
  return negative ? `-${text}` : text;
}

/**
 * normalizeQuantity is `formatCanonical(parseQuantity(text))`: the canonical value of a raw
 * quantity string. Throws DriftlineError `QUANTITY_INVALID` like parseQuantity.
 */
export function normalizeQuantity(text: string): string {
  return formatCanonical(parseQuantity(text));
}
