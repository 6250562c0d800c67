package dev.driftline.stack;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.DriftlineChangeStreamOplog;
import de.bwaldvogel.mongo.oplog.Oplog;

/**
 * ChangeStreamMemoryBackend is mongo-java-server's in-memory backend whose oplog produces change
 * events shaped like a real MongoDB's (see DriftlineChangeStreamOplog) and whose databases record
 * findAndModify in the oplog (see ChangeStreamMemoryDatabase). Same storage, same commands.
 * DEV/TEST ONLY.
 */
public final class ChangeStreamMemoryBackend extends MemoryBackend {
  @Override
  public ChangeStreamMemoryDatabase openOrCreateDatabase(String databaseName) {
    return new ChangeStreamMemoryDatabase(databaseName, getCursorRegistry());
  }

  @Override
  @SuppressWarnings("unchecked")
  protected Oplog createOplog() {
    MongoDatabase local = resolveDatabase("local");
    MongoCollection<Document> collection =
        (MongoCollection<Document>) local.resolveCollection(OPLOG_COLLECTION_NAME, false);
    if (collection == null) {
      collection = (MongoCollection<Document>) local.createCollectionOrThrowIfExists(OPLOG_COLLECTION_NAME);
    }
    return new DriftlineChangeStreamOplog(this, collection, getCursorRegistry());
  }
}
