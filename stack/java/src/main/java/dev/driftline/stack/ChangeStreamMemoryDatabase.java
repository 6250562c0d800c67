package dev.driftline.stack;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import java.util.List;

/**
 * ChangeStreamMemoryDatabase is mongo-java-server's in-memory database that also records
 * findAndModify (the driver's findOneAndUpdate / findOneAndReplace / findOneAndDelete) in the oplog.
 * Upstream applies those writes without an oplog entry, so change streams silently missed them.
 * Its collections skip data-size bookkeeping (see UnsizedMemoryCollection). DEV/TEST ONLY.
 */
public final class ChangeStreamMemoryDatabase extends MemoryDatabase {
  private static final String ID = "_id";

  public ChangeStreamMemoryDatabase(String databaseName, CursorRegistry cursorRegistry) {
    super(databaseName, cursorRegistry);
  }

  @Override
  protected UnsizedMemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
    return new UnsizedMemoryCollection(this, collectionName, options, cursorRegistry);
  }

  @Override
  public Document handleCommand(
      Channel channel, String command, Document query, DatabaseResolver databaseResolver, Oplog oplog) {
    if (!command.equalsIgnoreCase("findAndModify")) {
      return super.handleCommand(channel, command, query, databaseResolver, oplog);
    }
    synchronized (this) {
      String collectionName = query.get(command).toString();
      String namespace = getDatabaseName() + "." + collectionName;
      Document selector = query.get("query") instanceof Document ? (Document) query.get("query") : new Document();
      Object targetId = firstMatchingId(collectionName, selector, query.get("sort"));

      Document result = super.handleCommand(channel, command, query, databaseResolver, oplog);

      if (Utils.isTrue(query.get("remove"))) {
        if (targetId != null) {
          oplog.handleDelete(namespace, selector, List.of(targetId));
        }
      } else if (targetId != null) {
        Document update = (Document) query.get("update");
        oplog.handleUpdate(namespace, selector, update, List.of(targetId));
      } else if (Utils.isTrue(query.get("upsert"))) {
        Document inserted = firstMatching(collectionName, selector, null);
        if (inserted != null) {
          oplog.handleInsert(namespace, List.of(inserted));
        }
      }
      return result;
    }
  }

  private Document firstMatching(String collectionName, Document selector, Object sort) {
    MongoCollection<?> collection = resolveCollection(collectionName, false);
    if (collection == null) {
      return null;
    }
    Document queryObject = new Document("query", selector);
    if (sort != null) {
      queryObject.put("orderby", sort);
    }
    for (Document document : collection.handleQuery(queryObject, 0, 1)) {
      return document;
    }
    return null;
  }

  private Object firstMatchingId(String collectionName, Document selector, Object sort) {
    Document document = firstMatching(collectionName, selector, sort);
    return document == null ? null : document.get(ID);
  }
}
