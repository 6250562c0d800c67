import { describe, expect, it } from 'vitest';
import {
  MongoErrorLabel,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { classify, errorCodeOf, judge } from './classify.ts';
import { DriftlineError } from './driftline-error.ts';
import { errorCodes, type DriftlineErrorCode } from './code.ts';

/** A kafkajs-shaped error: kafkajs is duck-typed, never imported by the error kit. */
function kafkaError(retriable: boolean): Error {
  return Object.assign(new Error('kafka said no'), { name: 'KafkaJSProtocolError', retriable });
}

function serverError(code: number, errorLabels: string[] = []): MongoServerError {
  return new MongoServerError({ message: `server code ${code}`, code, errorLabels });
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

describe('classify', () => {
  const table: [string, unknown, ReturnType<typeof classify>, DriftlineErrorCode][] = [
    ['retryable DriftlineError', new DriftlineError('KAFKA_UNAVAILABLE', 'x'), 'retry', 'KAFKA_UNAVAILABLE'],
    [
      'bad input DriftlineError',
      new DriftlineError('QUANTITY_INVALID', 'x'),
      'dead-letter',
      'QUANTITY_INVALID',
    ],
    ['config DriftlineError', new DriftlineError('CONFIG_INVALID', 'x'), 'crash', 'CONFIG_INVALID'],
    [
      'retryable flag overrides the code default',
      new DriftlineError('TIMEOUT', 'x', { retryable: false }),
      'dead-letter',
      'TIMEOUT',
    ],
    [
      'non-retryable Mongo outage crashes',
      new DriftlineError('MONGO_UNAVAILABLE', 'x', { retryable: false }),
      'crash',
      'MONGO_UNAVAILABLE',
    ],
    ['TypeError', new TypeError('undefined is not a function'), 'crash', 'INTERNAL'],
    ['RangeError', new RangeError('bad length'), 'crash', 'INTERNAL'],
    ['SyntaxError', new SyntaxError('Unexpected token'), 'crash', 'INTERNAL'],
    ['ReferenceError', new ReferenceError('x is not defined'), 'crash', 'INTERNAL'],
    [
      'TypeError wrapped in a retryable error is still the wrapper',
      new DriftlineError('TIMEOUT', 'x', { cause: new TypeError('y') }),
      'retry',
      'TIMEOUT',
    ],
    ['thrown string', 'boom', 'crash', 'INTERNAL'],
    ['thrown undefined', undefined, 'crash', 'INTERNAL'],
    ['kafkajs retriable', kafkaError(true), 'retry', 'KAFKA_UNAVAILABLE'],
    ['kafkajs non-retriable', kafkaError(false), 'crash', 'KAFKA_FATAL'],
    ['Mongo network error', new MongoNetworkError('socket closed'), 'retry', 'MONGO_UNAVAILABLE'],
    ['Mongo network timeout', new MongoNetworkTimeoutError('timed out'), 'retry', 'MONGO_UNAVAILABLE'],
    [
      'Mongo server selection',
      new MongoServerSelectionError('no primary', {
        type: 'Unknown',
        servers: new Map(),
        stale: false,
        compatible: true,
        heartbeatFrequencyMS: 10000,
        localThresholdMS: 15,
        setName: null,
        maxElectionId: null,
        maxSetVersion: null,
        commonWireVersion: 0,
        logicalSessionTimeoutMinutes: null,
      } as never),
      'retry',
      'MONGO_UNAVAILABLE',
    ],
    ['Mongo 11600 InterruptedAtShutdown', serverError(11600), 'retry', 'MONGO_UNAVAILABLE'],
    ['Mongo 11602 InterruptedDueToReplStateChange', serverError(11602), 'retry', 'MONGO_UNAVAILABLE'],
    ['Mongo 189 PrimarySteppedDown', serverError(189), 'retry', 'MONGO_UNAVAILABLE'],
    ['Mongo 91 ShutdownInProgress', serverError(91), 'retry', 'MONGO_UNAVAILABLE'],
    ['Mongo 262 ExceededTimeLimit', serverError(262), 'retry', 'MONGO_UNAVAILABLE'],
    ['Mongo 10107 NotWritablePrimary', serverError(10107), 'retry', 'MONGO_UNAVAILABLE'],
    ['Mongo 112 WriteConflict', serverError(112), 'retry', 'MONGO_UNAVAILABLE'],
    [
      'Mongo RetryableWriteError label',
      serverError(2, [MongoErrorLabel.RetryableWriteError]),
      'retry',
      'MONGO_UNAVAILABLE',
    ],
    ['Mongo ResetPool label', serverError(2, [MongoErrorLabel.ResetPool]), 'retry', 'MONGO_UNAVAILABLE'],
    ['Mongo 18 AuthenticationFailed', serverError(18), 'crash', 'MONGO_AUTH'],
    ['Mongo 13 Unauthorized', serverError(13), 'crash', 'MONGO_AUTH'],
    ['Mongo 121 DocumentValidationFailure', serverError(121), 'dead-letter', 'MONGO_WRITE_REJECTED'],
    ['Mongo 11000 DuplicateKey', serverError(11000), 'dead-letter', 'MONGO_WRITE_REJECTED'],
    ['Mongo bad URL', new MongoParseError('Invalid scheme'), 'crash', 'INTERNAL'],
    ['Mongo API misuse', new MongoInvalidArgumentError('bad option'), 'crash', 'INTERNAL'],
    ['Mongo client closed', new MongoTopologyClosedError(), 'crash', 'INTERNAL'],
    ['ECONNRESET', systemError('ECONNRESET'), 'retry', 'NETWORK_UNAVAILABLE'],
    ['ECONNREFUSED', systemError('ECONNREFUSED'), 'retry', 'NETWORK_UNAVAILABLE'],
    [
      'ECONNREFUSED as a cause',
      new Error('request failed', { cause: systemError('ECONNREFUSED') }),
      'retry',
      'NETWORK_UNAVAILABLE',
    ],
    [
      'undici fetch failed (TypeError caused by a network error)',
      new TypeError('fetch failed', { cause: systemError('UND_ERR_CONNECT_TIMEOUT') }),
      'retry',
      'NETWORK_UNAVAILABLE',
    ],
    [
      'TypeError caused by a non-network error',
      new TypeError('x', { cause: new Error('y') }),
      'crash',
      'INTERNAL',
    ],
    ['unknown error', new Error('something odd'), 'dead-letter', 'INTERNAL'],
    ['unknown error with an unknown code', systemError('EWHATEVER'), 'dead-letter', 'INTERNAL'],
  ];

  it.each(table)('%s → %s', (_name, error, disposition, code) => {
    expect(classify(error)).toBe(disposition);
    expect(errorCodeOf(error)).toBe(code);
    expect(judge(error)).toEqual({ code, disposition });
  });

  it('never retries a programmer error, whatever flags it carries', () => {
    const sneaky = Object.assign(new TypeError('x'), { retriable: true, code: 'ECONNRESET' });
    expect(classify(new RangeError('x', { cause: systemError('ECONNRESET') }))).toBe('crash');
    expect(classify(sneaky)).toBe('crash');
  });

  it('decides every code by its catalogue entry', () => {
    for (const [code, entry] of Object.entries(errorCodes) as [
      DriftlineErrorCode,
      (typeof errorCodes)[DriftlineErrorCode],
    ][]) {
      const expected = entry.retryable ? 'retry' : entry.permanent;
      expect(classify(new DriftlineError(code, 'x')), code).toBe(expected);
    }
  });
});
