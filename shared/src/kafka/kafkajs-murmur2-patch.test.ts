import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/**
 * kafkajs 2.2.4 hashes every keyed record's key with a murmur2 built on Long objects (several
 * allocations per 4 bytes of key: ~8 µs for a database key, 7–10 % of the desired snapshot's CPU).
 * `patches/kafkajs+2.2.4.patch` computes it with 32-bit `Math.imul` arithmetic (Java int
 * semantics, ~0.2 µs) and builds the available-partition list only for keyless records. The
 * placement must not change by a single key: every producer and the reconciler's co-partitioning
 * rely on it. The oracle below is the algorithm written out in BigInt arithmetic mod 2^32.
 */
const require = createRequire(import.meta.url);
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (
  key: Buffer | string,
) => number;

const MASK = 0xffffffffn;
const M = 0x5bd1e995n;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;

function oracle(data: Uint8Array): number {
  const byte = (i: number): bigint => BigInt(data[i] ?? 0);
  let h = (0x9747b28cn ^ BigInt(data.length)) & MASK;
  const whole = data.length - (data.length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = byte(i) | (byte(i + 1) << 8n) | (byte(i + 2) << 16n) | (byte(i + 3) << 24n);
    k = mul(k, M);
    k ^= k >> 24n;
    k = mul(k, M);
    h = mul(h, M) ^ k;
  }
  const rest = data.length % 4;
  if (rest >= 3) h ^= byte(whole + 2) << 16n;
  if (rest >= 2) h ^= byte(whole + 1) << 8n;
  if (rest >= 1) h = mul(h ^ byte(whole), M);
  h ^= h >> 13n;
  h = mul(h, M);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

describe('kafkajs murmur2 (patched)', () => {
  it('is computed with 32-bit integer arithmetic, not Long objects', () => {
    expect(String(murmur2)).toContain('Math.imul');
  });

  it('equals the murmur2 oracle on any bytes, as a Buffer or as a string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(murmur2(Buffer.from(bytes))).toBe(oracle(bytes));
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        expect(murmur2(text)).toBe(oracle(Buffer.from(text, 'utf8')));
      }),
      { numRuns: 1_000 },
    );
  });
});
