export { errorCodes, isDriftlineErrorCode } from './code.ts';
export type { DriftlineErrorCode } from './code.ts';
export { DriftlineError } from './driftline-error.ts';
export type { DriftlineErrorDetails, DriftlineErrorOptions } from './driftline-error.ts';
export { classify, errorCodeOf, judge } from './classify.ts';
export type { Disposition, ErrorVerdict } from './classify.ts';
