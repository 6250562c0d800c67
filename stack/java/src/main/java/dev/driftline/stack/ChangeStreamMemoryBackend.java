package dev.driftline.stack;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.Cursor;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.CursorNotFoundException;
import de.bwaldvogel.mongo.oplog.DriftlineChangeStreamOplog;
import de.bwaldvogel.mongo.oplog.DriftlineOplogCursor;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.List;

/**
 * ChangeStreamMemoryBackend is mongo-java-server's in-memory backend whose oplog produces change
 * events shaped like a real MongoDB's (see DriftlineChangeStreamOplog) and whose databases record
 * findAndModify in the oplog (see ChangeStreamMemoryDatabase). Same storage, same commands.
 * DEV/TEST ONLY.
 */
public final class ChangeStreamMemoryBackend extends MemoryBackend {
  /**
   * MAX_AWAIT_MS bounds how long a getMore on an idle change stream waits for new oplog entries.
   * MongoDB waits up to maxAwaitTimeMS (1 s by default); upstream answers at once, so every idle
   * stream became a getMore busy loop (hundreds per second, a core's worth of CPU between driver
   * and server). The wait blocks a netty worker thread, which would also stall other connections
   * served by that thread, so it stays short (the launcher also binds many worker threads).
   */
  static final long MAX_AWAIT_MS = 50;

  private static final String OPLOG_TS_INDEX = "ts_1";

  private volatile DriftlineChangeStreamOplog changeStreamOplog;

  @Override
  protected Document handleGetMore(String databaseName, String command, Document query) {
    Document response = super.handleGetMore(databaseName, command, query);
    DriftlineChangeStreamOplog oplog = changeStreamOplog;
    if (oplog == null || !isEmptyBatch(response) || !isOplogCursor(((Number) query.get(command)).longValue())) {
      return response;
    }
    try {
      oplog.awaitAppend(MAX_AWAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return response;
    }
    return super.handleGetMore(databaseName, command, query);
  }

  private boolean isOplogCursor(long cursorId) {
    try {
      Cursor cursor = getCursorRegistry().getCursor(cursorId);
      return cursor instanceof DriftlineOplogCursor;
    } catch (CursorNotFoundException e) {
      return false;
    }
  }

  private static boolean isEmptyBatch(Document response) {
    Object cursor = response.get("cursor");
    if (!(cursor instanceof Document)) {
      return false;
    }
    Object batch = ((Document) cursor).get("nextBatch");
    return batch instanceof List && ((List<?>) batch).isEmpty();
  }

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
    // Roll-over removes the oldest entries one by one; without an index the in-memory collection
    // finds each by a linear equals scan (O(N) per entry). A unique index on ts makes that a lookup.
    // (A real oplog has no such index: listIndexes on local.oplog.rs shows one more than MongoDB.)
    ((MongoCollection<Integer>) (MongoCollection<?>) collection)
        .addIndex(new MemoryUniqueIndex(OPLOG_TS_INDEX, List.of(new IndexKey("ts", true)), false));
    DriftlineChangeStreamOplog oplog = new DriftlineChangeStreamOplog(this, collection, getCursorRegistry());
    changeStreamOplog = oplog;
    return oplog;
  }
}
