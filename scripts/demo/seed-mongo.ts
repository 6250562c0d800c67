import type { Db } from 'mongodb';
import type { DesiredSeed } from './desired-records.ts';

/**
 * seedMongo writes the demo's `providers` and `databases` documents into `db`, replacing any with
 * the same `_id` (so seeding twice is harmless), in unordered bulk writes of at most 1,000.
 * Providers go first: the watcher can only watch what it has credentials for.
 */
export async function seedMongo(db: Db, seed: DesiredSeed): Promise<void> {
  const write = async (collection: string, docs: readonly { _id: string }[]): Promise<void> => {
    for (let i = 0; i < docs.length; i += 1000) {
      const chunk = docs.slice(i, i + 1000);
      if (chunk.length === 0) continue;
      await db.collection<{ _id: string }>(collection).bulkWrite(
        chunk.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
        { ordered: false },
      );
    }
  };
  await write('providers', seed.providers);
  await write('databases', seed.databases);
}
