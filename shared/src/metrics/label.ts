import { scrubText } from '../logging/index.ts';

// Long label values are almost always a mistake (a message, a URL); keep series names sane.
const maxLabelLength = 128;

/**
 * safeLabel returns a label value that can be exported: a value carrying credentials (anything
 * `scrubText` would change) becomes `redacted`, an overlong one is cut. A defence in depth: labels
 * are meant to be identifiers in the first place.
 */
export function safeLabel(value: string | number): string {
  const text = String(value);
  if (scrubText(text) !== text) return 'redacted';
  return text.length > maxLabelLength ? text.slice(0, maxLabelLength) : text;
}
