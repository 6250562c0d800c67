import { z } from 'zod';
import { REQUEST_VERBS } from './faults.ts';
import { DEFECTS } from './kubedb-object.ts';

/** Validation of the control API's JSON bodies; each mirrors an in-process SimCluster argument. */

const limits = {
  count: z.number().int().positive().optional().describe('requests the fault applies to; absent = unlimited'),
  durationMs: z.number().int().positive().optional().describe('how long the fault stays active, ms'),
  verbs: z.array(z.enum(REQUEST_VERBS as [string, ...string[]])).optional(),
};

/** faultSpecSchema validates a FaultSpec. */
export const faultSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('throttle'), retryAfterSeconds: z.number().int().nonnegative(), ...limits }),
  z.object({
    type: z.literal('error'),
    statusCode: z.union([z.literal(500), z.literal(502), z.literal(503)]).optional(),
    ...limits,
  }),
  z.object({ type: z.literal('stall'), stallMs: z.number().int().positive().optional(), ...limits }),
  z.object({ type: z.literal('gone'), ...limits }),
  z.object({ type: z.literal('slow-list'), delayMsPerPage: z.number().int().nonnegative(), ...limits }),
  z.object({ type: z.literal('drop-watch'), afterEvents: z.number().int().nonnegative(), ...limits }),
]);

/** seedSchema validates SeedOptions. */
export const seedSchema = z.object({
  count: z.number().int().nonnegative().max(1_000_000),
  kinds: z.array(z.string()).nonempty().optional(),
  namespaces: z.array(z.string().min(1)).nonempty().optional(),
  namePrefix: z.string().min(1).optional(),
});

/** changeSchema validates a DatabaseChange (plus `converge`). */
export const changeSchema = z.object({
  version: z.string().optional(),
  replicas: z.number().int().nonnegative().optional(),
  storage: z.string().optional(),
  cpuRequest: z.string().optional(),
  cpuLimit: z.string().optional(),
  memoryRequest: z.string().optional(),
  memoryLimit: z.string().optional(),
  halted: z.boolean().optional(),
  converge: z.boolean().optional(),
});

/** statusSchema validates a DatabaseStatus. */
export const statusSchema = z.object({
  phase: z.enum(['Provisioning', 'Ready', 'Updating', 'Halted', 'NotReady', 'Critical']).optional(),
  observedGeneration: z.number().int().nonnegative().optional(),
});

/** createDatabaseSchema validates a control-API create. */
export const createDatabaseSchema = z.object({
  kind: z.string(),
  namespace: z.string().min(1),
  name: z.string().min(1),
  fields: changeSchema.omit({ converge: true }).optional(),
  status: statusSchema.optional(),
});

/** defectSchema validates a malform request. */
export const defectSchema = z.object({ defect: z.enum(DEFECTS as [string, ...string[]]) });

/** countSchema validates `{ count }` bodies (drift, add clusters). */
export const countSchema = z.object({ count: z.number().int().positive().max(100_000).default(1) });
