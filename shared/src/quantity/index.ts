export {
  MAX_QUANTITY_EXPONENT,
  MAX_QUANTITY_LENGTH,
  compareQuantity,
  equalQuantity,
  formatCanonical,
  normalizeQuantity,
  parseQuantity,
  safeParseQuantity,
} from './quantity.ts';
export type { Quantity, QuantityFormat, SafeParseResult } from './quantity.ts';
