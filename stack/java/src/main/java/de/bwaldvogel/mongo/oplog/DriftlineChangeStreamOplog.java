/*
 * Derived from de.bwaldvogel.mongo.oplog.CollectionBackedOplog of mongo-java-server 1.47.0
 * (https://github.com/bwaldvogel/mongo-java-server), Copyright (c) Benedikt Waldvogel,
 * distributed under the BSD License (https://opensource.org/licenses/BSD-3-Clause):
 * redistribution and use in source and binary forms, with or without modification, are permitted
 * provided the copyright notice, this list of conditions and the disclaimer are retained.
 * THIS SOFTWARE IS PROVIDED "AS IS" WITHOUT ANY WARRANTY.
 *
 * driftline's changes (DEV/TEST ONLY), so that change events look like a real MongoDB's to the
 * official Node.js driver:
 *  - update events carry documentKey {_id} (upstream put the update operators there) and an
 *    updateDescription {updatedFields ($set), removedFields ($unset), truncatedArrays []};
 *  - a replacement (update without $-operators) is reported as operationType "replace" with the new
 *    document as fullDocument;
 *  - fullDocument is absent on update events unless fullDocument: "updateLookup" was asked for,
 *    and null when the document no longer exists at lookup time (upstream returned the $set delta);
 *  - delete events have no fullDocument field;
 *  - every CRUD event carries ns {db, coll};
 *  - namespaces with dots in the collection name are split correctly;
 *  - the oplog is also kept in an ordered in-memory index (by timestamp), so a poll reads only the
 *    entries after its cursor's position (O(log N + k) instead of a scan and sort of all N), and a
 *    cursor moves past entries it read but did not return (see DriftlineOplogCursor);
 *  - optional oplog roll-over (-Ddriftline.oplog.maxEntries): resuming from a truncated position
 *    fails with 286 ChangeStreamHistoryLost.
 * It lives in upstream's package only to reach its package-private helpers (OplogClock,
 * InvalidateOplogCursor).
 */
package de.bwaldvogel.mongo.oplog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Cursor;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;

/** DriftlineChangeStreamOplog is CollectionBackedOplog with real-MongoDB-shaped change events (see above). */
public class DriftlineChangeStreamOplog implements Oplog, DriftlineOplogCursor.Oplog {

    private static final long ELECTION_TERM = 1L;
    private static final String START_AT_OPERATION_TIME = "startAtOperationTime";
    private static final String FULL_DOCUMENT = "fullDocument";
    private static final String START_AFTER = "startAfter";
    private static final String RESUME_AFTER = "resumeAfter";
    private static final String OPERATION_TYPE = "operationType";
    private static final String CLUSTER_TIME = "clusterTime";
    private static final String DOCUMENT_KEY = "documentKey";

    private final OplogClock oplogClock;
    private final MongoCollection<Document> collection;
    private final MongoBackend backend;
    private final CursorRegistry cursorRegistry;
    private final UUID ui = UUID.randomUUID();

    // The oplog collection's entries by timestamp (BsonTimestamp's unsigned order), mirrored on
    // append and truncation: the collection stays the queryable local.oplog.rs, this is what change
    // streams read. Appends reach it in timestamp order (see addDocuments), so a reader that has
    // drained the map up to some entry can never find an older one added behind it later.
    private final ConcurrentNavigableMap<Long, Document> entries = new ConcurrentSkipListMap<>(Long::compareUnsigned);
    // The command ($cmd) entries among them: the resume-after-a-drop check reads these few only.
    private final ConcurrentNavigableMap<Long, Document> commandEntries = new ConcurrentSkipListMap<>(Long::compareUnsigned);
    // entries.size() walks the whole skip list; truncation needs the count on every append.
    private final AtomicLong entryCount = new AtomicLong();

    public DriftlineChangeStreamOplog(MongoBackend backend, MongoCollection<Document> collection, CursorRegistry cursorRegistry) {
        this.oplogClock = new OplogClock(backend.getClock());
        this.collection = collection;
        this.backend = backend;
        this.cursorRegistry = cursorRegistry;
    }

    @Override
    public void handleInsert(String namespace, List<Document> documents) {
        if (isOplogCollection(namespace)) {
            return;
        }
        Stream<Document> oplogInsertDocuments = documents.stream()
            .map(document -> toOplogInsertDocument(namespace, document));
        addDocuments(oplogInsertDocuments);
    }

    @Override
    public void handleUpdate(String namespace, Document selector, Document query, List<Object> modifiedIds) {
        if (isOplogCollection(namespace)) {
            return;
        }
        Stream<Document> oplogUpdateDocuments = modifiedIds.stream()
            .map(id -> toOplogUpdateDocument(namespace, query, id));
        addDocuments(oplogUpdateDocuments);
    }

    @Override
    public void handleDelete(String namespace, Document query, List<Object> deletedIds) {
        if (isOplogCollection(namespace)) {
            return;
        }
        Stream<Document> oplogDeleteDocuments = deletedIds.stream()
            .map(id -> toOplogDeleteDocument(namespace, id));
        addDocuments(oplogDeleteDocuments);
    }

    // Every append goes through here, and the stream is lazy: each entry's timestamp is drawn
    // (toOplogDocument) while the oplog collection's lock is held by addDocuments, so entries are
    // timestamped, indexed and stored in timestamp order.
    private void addDocuments(Stream<Document> oplogDocuments) {
        collection.addDocuments(oplogDocuments.peek(this::noteAppended));
        truncateIfOverCap();
    }

    // Appends are signalled on their own monitor, never on `this`: noteAppended runs inside the
    // oplog collection's lock (from the addDocuments stream), while truncateIfOverCap holds `this`
    // and then takes the collection's lock — sharing one monitor deadlocked the server under load.
    private final Object appendSignal = new Object();

    private void noteAppended(Document oplogDocument) {
        long key = getOplogTimestamp(oplogDocument).getValue();
        entries.put(key, oplogDocument);
        if (isCommand(oplogDocument)) {
            commandEntries.put(key, oplogDocument);
        }
        entryCount.incrementAndGet();
        synchronized (appendSignal) {
            appendSignal.notifyAll();
        }
    }

    /** awaitAppend blocks until an oplog entry is appended or {@code millis} pass. */
    public void awaitAppend(long millis) throws InterruptedException {
        synchronized (appendSignal) {
            appendSignal.wait(millis);
        }
    }

    // Oplog roll-over: with -Ddriftline.oplog.maxEntries=N (> 0) the oplog keeps about the newest N
    // entries, like MongoDB's capped oplog, so that resuming from a token whose entries were
    // truncated fails with 286 ChangeStreamHistoryLost, as on a real replica set. 0 = unbounded.
    private final int maxEntries = Integer.getInteger("driftline.oplog.maxEntries", 0);
    private volatile BsonTimestamp newestTruncated;

    private void truncateIfOverCap() {
        if (maxEntries <= 0) {
            return;
        }
        // Truncate in steps of 10%, as before the index (a step is cheap now: the oldest entries are
        // the index's head, and the collection finds each by its ts index, see ChangeStreamMemoryBackend).
        long slack = Math.max(1, maxEntries / 10);
        if (entryCount.get() <= maxEntries + slack) {
            return;
        }
        synchronized (this) {
            while (entryCount.get() > maxEntries) {
                Map.Entry<Long, Document> oldest = entries.firstEntry();
                if (oldest == null) {
                    return;
                }
                // Declared lost before it disappears, so that a reader never misses it silently.
                newestTruncated = getOplogTimestamp(oldest.getValue());
                entries.remove(oldest.getKey());
                commandEntries.remove(oldest.getKey());
                entryCount.decrementAndGet();
                collection.removeDocument(oldest.getValue());
            }
        }
    }

    @Override
    public void throwIfHistoryLost(OplogPosition position) {
        BsonTimestamp truncated = newestTruncated;
        if (truncated != null && new OplogPosition(truncated).isAfter(position)) {
            throw new MongoServerError(286, "ChangeStreamHistoryLost",
                "Resume of change stream was not possible, as the resume point may no longer be in the oplog.");
        }
    }

    @Override
    public void handleDropCollection(String namespace) {
        if (isOplogCollection(namespace)) {
            return;
        }
        final String databaseName = Utils.getDatabaseNameFromFullName(namespace);
        final String collectionName = Utils.getCollectionNameFromFullName(namespace);
        // Lazily, like every append, so its timestamp is drawn under the collection's lock.
        addDocuments(Stream.of(namespace).map(ignored -> toOplogDropCollection(databaseName, collectionName)));
    }

    @Override
    public Stream<Document> entriesAfter(OplogPosition position) {
        // The position's own entry is the only one tailMap's inclusive bound can add too many.
        long key = Long.parseUnsignedLong(position.toHexString(), 16);
        return entries.tailMap(key, true).values().stream()
            .filter(document -> new OplogPosition(getOplogTimestamp(document)).isAfter(position));
    }

    private Stream<Document> toChangeEvents(Stream<Document> oplogEntries, Document changeStreamDocument,
                                            Aggregation aggregation, String namespace) {
        return aggregation.runStagesAsStream(oplogEntries
            .filter(document -> filterNamespace(document, namespace))
            .map(document -> toChangeStreamResponseDocument(document, changeStreamDocument)));
    }

    private static boolean filterNamespace(Document document, String namespace) {
        String docNS = (String) document.get(OplogDocumentFields.NAMESPACE);
        if (docNS.equals(namespace)) {
            return true;
        }
        return Utils.getDatabaseNameFromFullName(namespace).equals(Utils.getDatabaseNameFromFullName(docNS))
            && Utils.getCollectionNameFromFullName(docNS).equals("$cmd");
    }

    @Override
    public Cursor createCursor(Document changeStreamDocument, String namespace, Aggregation aggregation) {
        Document startAfter = (Document) changeStreamDocument.get(START_AFTER);
        Document resumeAfter = (Document) changeStreamDocument.get(RESUME_AFTER);
        BsonTimestamp startAtOperationTime = (BsonTimestamp) changeStreamDocument.get(START_AT_OPERATION_TIME);
        final OplogPosition initialOplogPosition;
        if (startAfter != null) {
            initialOplogPosition = OplogPosition.fromDocument(startAfter);
        } else if (resumeAfter != null) {
            initialOplogPosition = OplogPosition.fromDocument(resumeAfter);
            String databaseName = Utils.getDatabaseNameFromFullName(namespace);
            String collectionName = Utils.getCollectionNameFromFullName(namespace);
            long resumeKey = Long.parseUnsignedLong(initialOplogPosition.toHexString(), 16);
            boolean resumeAfterTerminalEvent = commandEntries.headMap(resumeKey, true).values().stream()
                .anyMatch(document -> document.get(OplogDocumentFields.NAMESPACE).equals(String.format("%s.$cmd", databaseName))
                    && document.get(OplogDocumentFields.O).equals(new Document("drop", collectionName))
                );

            if (resumeAfterTerminalEvent) {
                return new InvalidateOplogCursor(initialOplogPosition);
            }
        } else if (startAtOperationTime != null) {
            initialOplogPosition = new OplogPosition(startAtOperationTime).inclusive();
        } else {
            initialOplogPosition = new OplogPosition(oplogClock.now());
        }

        throwIfHistoryLost(initialOplogPosition);
        DriftlineOplogCursor cursor = new DriftlineOplogCursor(cursorRegistry.generateCursorId(), this,
            oplogEntries -> toChangeEvents(oplogEntries, changeStreamDocument, aggregation, namespace),
            initialOplogPosition);
        cursorRegistry.add(cursor);
        return cursor;
    }

    private Document toOplogDocument(OperationType operationType, String namespace) {
        return new Document()
            .append(OplogDocumentFields.TIMESTAMP, oplogClock.incrementAndGet())
            .append("t", ELECTION_TERM)
            .append("h", 0L)
            .append("v", 2L)
            .append("op", operationType.getCode())
            .append(OplogDocumentFields.NAMESPACE, namespace)
            .append("ui", ui)
            .append("wall", oplogClock.instant());
    }

    private Document toOplogInsertDocument(String namespace, Document document) {
        return toOplogDocument(OperationType.INSERT, namespace)
            .append(OplogDocumentFields.O, document.cloneDeeply());
    }

    private Document toOplogUpdateDocument(String namespace, Document query, Object id) {
        return toOplogDocument(OperationType.UPDATE, namespace)
            .append(OplogDocumentFields.O, query)
            .append(OplogDocumentFields.O2, new Document(OplogDocumentFields.ID, id));
    }

    private Document toOplogDeleteDocument(String namespace, Object deletedDocumentId) {
        return toOplogDocument(OperationType.DELETE, namespace)
            .append(OplogDocumentFields.O, new Document(OplogDocumentFields.ID, deletedDocumentId));
    }

    private Document toOplogDropCollection(String databaseName, String collectionName) {
        return toOplogDocument(OperationType.COMMAND, String.format("%s.$cmd", databaseName))
            .append(OplogDocumentFields.O, new Document("drop", collectionName));
    }

    private static boolean isCommand(Document oplogDocument) {
        return OperationType.COMMAND.getCode().equals(oplogDocument.get(OplogDocumentFields.OPERATION_TYPE));
    }

    private boolean isOplogCollection(String namespace) {
        return collection.getFullName().equals(namespace);
    }

    private static boolean isReplacement(Document updateDocument) {
        return updateDocument.keySet().stream().noneMatch(key -> key.startsWith("$"));
    }

    private boolean wantsUpdateLookup(Document changeStreamDocument) {
        return "updateLookup".equals(changeStreamDocument.get(FULL_DOCUMENT));
    }

    private Document lookUpCurrentDocument(String namespace, Object id) {
        String databaseName = Utils.getDatabaseNameFromFullName(namespace);
        String collectionName = Utils.getCollectionNameFromFullName(namespace);
        MongoCollection<?> target = backend.resolveDatabase(databaseName).resolveCollection(collectionName, false);
        if (target == null) {
            return null;
        }
        return target.handleQueryAsStream(new Document(OplogDocumentFields.ID, id)).findFirst().orElse(null);
    }

    private static Document updateDescription(Document updateDocument) {
        Document updatedFields = new Document();
        List<String> removedFields = new ArrayList<>();
        Object set = updateDocument.get("$set");
        if (set instanceof Document) {
            updatedFields.appendAll((Document) set);
        }
        Object unset = updateDocument.get("$unset");
        if (unset instanceof Document) {
            removedFields.addAll(((Document) unset).keySet());
        }
        return new Document()
            .append("updatedFields", updatedFields)
            .append("removedFields", removedFields)
            .append("truncatedArrays", new ArrayList<>());
    }

    private Document toChangeStreamResponseDocument(Document oplogDocument, Document changeStreamDocument) {
        OperationType operationType = OperationType.fromCode(oplogDocument.get(OplogDocumentFields.OPERATION_TYPE).toString());
        Document document = getUpdateDocument(oplogDocument);
        BsonTimestamp timestamp = getOplogTimestamp(oplogDocument);
        OplogPosition oplogPosition = new OplogPosition(timestamp);
        if (operationType == OperationType.COMMAND) {
            return toChangeStreamCommandResponseDocument(oplogDocument, oplogPosition, timestamp);
        }
        String namespace = (String) oplogDocument.get(OplogDocumentFields.NAMESPACE);
        Document event = new Document()
            .append(OplogDocumentFields.ID, new Document(OplogDocumentFields.ID_DATA_KEY, oplogPosition.toHexString()));
        Document ns = new Document()
            .append("db", Utils.getDatabaseNameFromFullName(namespace))
            .append("coll", Utils.getCollectionNameFromFullName(namespace));
        switch (operationType) {
            case INSERT:
                return event.append(OPERATION_TYPE, "insert")
                    .append(CLUSTER_TIME, timestamp)
                    .append(FULL_DOCUMENT, document)
                    .append("ns", ns)
                    .append(DOCUMENT_KEY, new Document(OplogDocumentFields.ID, document.get(OplogDocumentFields.ID)));
            case DELETE:
                return event.append(OPERATION_TYPE, "delete")
                    .append(CLUSTER_TIME, timestamp)
                    .append("ns", ns)
                    .append(DOCUMENT_KEY, new Document(OplogDocumentFields.ID, document.get(OplogDocumentFields.ID)));
            case UPDATE: {
                Object id = ((Document) oplogDocument.get(OplogDocumentFields.O2)).get(OplogDocumentFields.ID);
                Document documentKey = new Document(OplogDocumentFields.ID, id);
                if (isReplacement(document)) {
                    Document replacement = new Document(OplogDocumentFields.ID, id);
                    for (Map.Entry<String, Object> entry : document.entrySet()) {
                        if (!entry.getKey().equals(OplogDocumentFields.ID)) {
                            replacement.append(entry.getKey(), entry.getValue());
                        }
                    }
                    return event.append(OPERATION_TYPE, "replace")
                        .append(CLUSTER_TIME, timestamp)
                        .append(FULL_DOCUMENT, replacement)
                        .append("ns", ns)
                        .append(DOCUMENT_KEY, documentKey);
                }
                event.append(OPERATION_TYPE, "update").append(CLUSTER_TIME, timestamp);
                if (wantsUpdateLookup(changeStreamDocument)) {
                    event.append(FULL_DOCUMENT, lookUpCurrentDocument(namespace, id));
                }
                return event.append("ns", ns)
                    .append(DOCUMENT_KEY, documentKey)
                    .append("updateDescription", updateDescription(document));
            }
            default:
                throw new IllegalArgumentException("Unexpected operation type: " + operationType);
        }
    }

    private Document toChangeStreamCommandResponseDocument(Document oplogDocument, OplogPosition oplogPosition, BsonTimestamp timestamp) {
        Document document = getUpdateDocument(oplogDocument);
        String operationType = document.keySet().stream().findFirst().orElseThrow(
            () -> new MongoServerException("Unspecified command operation type")
        );

        return new Document()
            .append(OplogDocumentFields.ID, new Document(OplogDocumentFields.ID_DATA_KEY, oplogPosition.toHexString()))
            .append(OPERATION_TYPE, operationType)
            .append(CLUSTER_TIME, timestamp);
    }

    private static BsonTimestamp getOplogTimestamp(Document document) {
        return (BsonTimestamp) document.get(OplogDocumentFields.TIMESTAMP);
    }

    private static Document getUpdateDocument(Document document) {
        return (Document) document.get(OplogDocumentFields.O);
    }

}
