package dev.driftline.stack;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;

/**
 * UnsizedMemoryCollection is mongo-java-server's in-memory collection without data-size
 * bookkeeping. Upstream serialises every inserted, updated and removed document to BSON only to add
 * its length to a counter that collStats reports — for the oplog that is every entry twice (append
 * and roll-over), each holding a full copy of the document. Nothing in driftline reads collStats'
 * size, so it stays 0 here; counts, indexes and queries are unchanged. DEV/TEST ONLY.
 */
final class UnsizedMemoryCollection extends MemoryCollection {
  UnsizedMemoryCollection(
      MongoDatabase database, String collectionName, CollectionOptions options, CursorRegistry cursorRegistry) {
    super(database, collectionName, options, cursorRegistry);
  }

  @Override
  protected boolean tracksDataSize() {
    return false;
  }
}
