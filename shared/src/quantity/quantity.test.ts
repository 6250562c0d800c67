import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../errors/index.ts';
import {
  MAX_QUANTITY_EXPONENT,
  compareQuantity,
  equalQuantity,
  formatCanonical,
  normalizeQuantity,
  parseQuantity,
  safeParseQuantity,
  type Quantity,
} from './quantity.ts';

const Ki = 1024n;

describe('parseQuantity: exact canonical values', () => {
  it.each([
    ['0', '0'],
    ['-0', '0'],
    ['+0.000m', '0'],
    ['1', '1'],
    ['+1', '1'],
    ['-1', '-1'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['0.5', '0.5'],
    ['500m', '0.5'],
    ['100m', '0.1'],
    ['0.1m', '0.0001'],
    ['1n', '0.000000001'],
    ['1u', '0.000001'],
    ['1k', '1000'],
    ['1e3', '1000'],
    ['1E3', '1000'],
    ['1e+3', '1000'],
    ['1e-3', '0.001'],
    ['1.5e-1', '0.15'],
    ['100M', '100000000'],
    ['1G', '1000000000'],
    ['1T', '1000000000000'],
    ['1P', '1000000000000000'],
    ['1E', '1000000000000000000'],
    ['1Ki', '1024'],
    ['1Mi', '1048576'],
    ['1Gi', '1073741824'],
    ['1024Mi', '1073741824'],
    ['1.5Ti', '1649267441664'],
    ['1Pi', (Ki ** 5n).toString()],
    ['1Ei', (Ki ** 6n).toString()],
    ['0.1Ki', '102.4'],
    ['-1.5Gi', '-1610612736'],
    ['1.G', '1000000000'],
    ['007', '7'],
    ['9223372036854775808', '9223372036854775808'],
    ['16Ei', (16n * Ki ** 6n).toString()],
    ['123456789012345678901234567890E', '123456789012345678901234567890000000000000000000'],
  ])('%s → %s', (text, canonical) => {
    expect(formatCanonical(parseQuantity(text))).toBe(canonical);
    expect(normalizeQuantity(text)).toBe(canonical);
  });

  it('keeps values beyond 2^63 exact', () => {
    const big = parseQuantity('9223372036854775807Ki');
    expect(big.unscaled).toBe(9223372036854775807n * 1024n);
    expect(compareQuantity(big, parseQuantity('9223372036854775806Ki'))).toBe(1);
  });

  it('records the suffix family', () => {
    expect(parseQuantity('1Gi').format).toBe('BinarySI');
    expect(parseQuantity('1G').format).toBe('DecimalSI');
    expect(parseQuantity('1').format).toBe('DecimalSI');
    expect(parseQuantity('1e9').format).toBe('DecimalExponent');
    expect(parseQuantity('1E').format).toBe('DecimalSI');
  });

  it('normalises its representation so equal values have equal fields', () => {
    expect(parseQuantity('1500m')).toMatchObject({ unscaled: 15n, scale: 1 });
    expect(parseQuantity('1.50')).toMatchObject({ unscaled: 15n, scale: 1 });
    expect(parseQuantity('1k')).toMatchObject({ unscaled: 1000n, scale: 0 });
  });
});

describe('parseQuantity: rejects what Kubernetes rejects, saying why', () => {
  it.each([
    ['', /empty string/],
    ['abc', /expected a number/],
    ['10 Gi', /whitespace at position 2/],
    [' 1', /whitespace at position 0/],
    ['1\t', /whitespace/],
    ['１Gi', /not ASCII/],
    ['1\u00a0Gi', /whitespace/],
    ['1\u0000', /control character at position 1/],
    ['1.2.3', /more than one decimal point/],
    ['1Gib', /Gi without the b/],
    ['1ki', /binary suffixes are written Ki/],
    ['1GI', /binary suffixes are written Gi/],
    ['1K', /kilo is a lowercase k/],
    ['e3', /expected a number/],
    ['1e', /exponent "e" has no digits/],
    ['1e+', /has no digits/],
    ['1e1.5', /exponent must be an integer/],
    ['.', /decimal point needs digits/],
    ['+', /expected a number/],
    ['-', /expected a number/],
    ['+-1', /expected a number/],
    ['1x', /unknown suffix "x"/],
    ['1Mm', /unknown suffix "Mm"/],
    ['1-', /unexpected "-"/],
    ['1e2000', /exponent beyond/],
    ['1e99999999999', /exponent beyond/],
    ['1'.repeat(5000), /longer than 4096/],
  ])('%j', (text, reason) => {
    let caught: unknown;
    try {
      parseQuantity(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DriftlineError);
    const error = caught as DriftlineError;
    expect(error.code).toBe('QUANTITY_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('invalid quantity');
  });

  it('accepts the largest allowed exponent', () => {
    expect(normalizeQuantity(`1e${MAX_QUANTITY_EXPONENT}`)).toBe(`1${'0'.repeat(MAX_QUANTITY_EXPONENT)}`);
  });

  it('safeParseQuantity returns the error instead of throwing', () => {
    const bad = safeParseQuantity('10 Gi');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('QUANTITY_INVALID');
    const good = safeParseQuantity('10Gi');
    expect(good.ok && formatCanonical(good.quantity)).toBe('10737418240');
  });
});

describe('compareQuantity / equalQuantity', () => {
  it.each([
    ['1Gi', '1024Mi', 0],
    ['0.5', '500m', 0],
    ['1e3', '1k', 0],
    ['1E', '1e18', 0],
    ['1Ki', '1k', 1],
    ['999m', '1', -1],
    ['-1', '1m', -1],
    ['1Ei', '1E', 1],
  ] as const)('%s vs %s → %d', (a, b, expected) => {
    expect(compareQuantity(parseQuantity(a), parseQuantity(b))).toBe(expected);
    expect(compareQuantity(parseQuantity(b), parseQuantity(a))).toBe(-expected || 0);
    expect(equalQuantity(parseQuantity(a), parseQuantity(b))).toBe(expected === 0);
  });

  it('copes with a hand-built, non-normalised quantity', () => {
    const q: Quantity = { unscaled: 500n, scale: 3, format: 'DecimalSI' };
    expect(formatCanonical(q)).toBe('0.5');
    expect(equalQuantity(q, parseQuantity('500m'))).toBe(true);
    expect(formatCanonical({ unscaled: 5n, scale: -2, format: 'DecimalSI' })).toBe('500');
  });
});

// Generators: a number written the Kubernetes way, with its exact value as a rational n / 10^s.
const digits = fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 1, maxLength: 25 });
const sign = fc.constantFrom('', '+', '-');
const number = fc
  .tuple(sign, fc.option(digits, { nil: undefined }), fc.option(digits, { nil: undefined }), fc.boolean())
  .filter(([, int, frac]) => int !== undefined || frac !== undefined)
  .map(([s, int, frac, dot]) => {
    const text = frac !== undefined ? `${s}${int ?? ''}.${frac}` : `${s}${int ?? ''}${dot ? '.' : ''}`;
    const magnitude = BigInt(`${int ?? ''}${frac ?? ''}` || '0');
    return { text, value: s === '-' ? -magnitude : magnitude, scale: frac?.length ?? 0 };
  });
const binarySuffixes = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const decimalSuffixes = [
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
] as const;
const suffix = fc.oneof(
  fc.constantFrom(...binarySuffixes),
  fc.constantFrom(...decimalSuffixes.map(([s]) => s)),
  fc
    .tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 40 }))
    .map(([e, s, n]) => `${e}${s}${n}`),
);
const quantityText = fc.tuple(number, suffix).map(([n, s]) => n.text + s);

/** decimalText writes value / 10^scale as a plain decimal number. */
function decimalText(value: bigint, scale: number): string {
  const abs = (value < 0n ? -value : value).toString().padStart(scale + 1, '0');
  const cut = abs.length - scale;
  return `${value < 0n ? '-' : ''}${abs.slice(0, cut)}${scale > 0 ? `.${abs.slice(cut)}` : ''}`;
}

/** Cross-multiplied comparison of the exact rationals a/10^sa and b/10^sb. */
function cmp(a: bigint, sa: number, b: bigint, sb: number): number {
  const x = a * 10n ** BigInt(sb);
  const y = b * 10n ** BigInt(sa);
  return x < y ? -1 : x > y ? 1 : 0;
}

describe('quantity properties', () => {
  it('formatCanonical output parses back to an equal quantity and is a fixed point', () => {
    fc.assert(
      fc.property(quantityText, (text) => {
        const q = parseQuantity(text);
        const canonical = formatCanonical(q);
        expect(canonical).toMatch(/^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/);
        const again = parseQuantity(canonical);
        expect(equalQuantity(again, q)).toBe(true);
        expect(formatCanonical(again)).toBe(canonical);
      }),
    );
  });

  it('n·1024^k with a binary suffix equals the same number of base units written in decimal', () => {
    fc.assert(
      fc.property(number, fc.integer({ min: 0, max: 5 }), ({ text, value, scale }, k) => {
        const binary = parseQuantity(`${text}${binarySuffixes[k]}`);
        // Exact value: value × 1024^(k+1) / 10^scale, written without a suffix.
        const exact = parseQuantity(decimalText(value * Ki ** BigInt(k + 1), scale));
        expect(equalQuantity(binary, exact)).toBe(true);
        expect(formatCanonical(binary)).toBe(formatCanonical(exact));
        // One step down the binary ladder is 1024 times the number: 1.5Gi = 1536Mi.
        if (k > 0) {
          const lower = parseQuantity(`${decimalText(value * Ki, scale)}${binarySuffixes[k - 1]}`);
          expect(equalQuantity(binary, lower)).toBe(true);
        }
      }),
    );
  });

  it('ordering agrees with exact rational comparison', () => {
    fc.assert(
      fc.property(number, number, (a, b) => {
        const qa = parseQuantity(a.text);
        const qb = parseQuantity(b.text);
        expect(compareQuantity(qa, qb)).toBe(cmp(a.value, a.scale, b.value, b.scale));
        expect(compareQuantity(qa, qb)).toBe(-compareQuantity(qb, qa) || 0);
        expect(equalQuantity(qa, qb)).toBe(cmp(a.value, a.scale, b.value, b.scale) === 0);
      }),
    );
  });

  it('ordering is consistent with bigint ordering for integers of any size', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
        fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
        (a, b) => {
          expect(compareQuantity(parseQuantity(a.toString()), parseQuantity(b.toString()))).toBe(
            a < b ? -1 : a > b ? 1 : 0,
          );
          expect(formatCanonical(parseQuantity(a.toString()))).toBe(a.toString());
        },
      ),
    );
  });

  it('scaling invariance: X with a decimal suffix equals X·10^p, and Xm equals X/1000', () => {
    fc.assert(
      fc.property(number, fc.constantFrom(...decimalSuffixes), ({ text, value, scale }, [s, p]) => {
        const scaled = parseQuantity(`${text}${s}`);
        expect(equalQuantity(scaled, parseQuantity(`${text}e${p}`))).toBe(true);
        expect(compareQuantity(scaled, parseQuantity(`${value}e${p - scale}`))).toBe(0);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (x) => {
        const milli = parseQuantity(`${x}m`);
        const abs = x < 0n ? -x : x;
        const whole = `${x < 0n ? '-' : ''}${abs / 1000n}.${(abs % 1000n).toString().padStart(3, '0')}`;
        expect(equalQuantity(milli, parseQuantity(whole))).toBe(true);
      }),
    );
  });

  it('rejects any valid quantity with whitespace inserted anywhere', () => {
    fc.assert(
      fc.property(
        quantityText,
        fc.nat(),
        fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u2003'),
        (text, at, space) => {
          const i = at % (text.length + 1);
          const spaced = text.slice(0, i) + space + text.slice(i);
          expect(safeParseQuantity(spaced).ok).toBe(false);
        },
      ),
    );
  });

  it('never throws anything but a QUANTITY_INVALID DriftlineError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const result = safeParseQuantity(text);
        if (!result.ok) expect(result.error.code).toBe('QUANTITY_INVALID');
      }),
    );
  });
});
