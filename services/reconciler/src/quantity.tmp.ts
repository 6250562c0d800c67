// TEMPORARY stand-in for @driftline/shared/quantity until it lands; deleted afterwards.
export interface Quantity {
  num: bigint;
  den: bigint;
}
const SUFFIX: Record<string, [bigint, bigint]> = {
  '': [1n, 1n],
  n: [1n, 1_000_000_000n],
  u: [1n, 1_000_000n],
  m: [1n, 1000n],
  k: [1000n, 1n],
  M: [1_000_000n, 1n],
  G: [1_000_000_000n, 1n],
  T: [1_000_000_000_000n, 1n],
  Ki: [1024n, 1n],
  Mi: [1024n ** 2n, 1n],
  Gi: [1024n ** 3n, 1n],
  Ti: [1024n ** 4n, 1n],
};
function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}
export function parseQuantity(raw: string): Quantity {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?(n|u|m|k|M|G|T|Ki|Mi|Gi|Ti|)$/.exec(raw);
  if (!m) throw new Error(`invalid quantity ${raw}`);
  const frac = m[3] ?? '';
  const [mul, div] = SUFFIX[m[4] ?? ''] ?? [1n, 1n];
  let num = BigInt((m[2] ?? '0') + frac) * mul * (m[1] === '-' ? -1n : 1n);
  let den = 10n ** BigInt(frac.length) * div;
  const g = gcd(num, den) || 1n;
  num /= g;
  den /= g;
  return { num, den };
}
export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}
export function formatCanonical(q: Quantity): string {
  return q.den === 1n ? String(q.num) : `${q.num}/${q.den}`;
}
