package de.bwaldvogel.mongo.oplog;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import de.bwaldvogel.mongo.backend.AbstractCursor;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;

/**
 * DriftlineOplogCursor is a change stream's cursor over DriftlineChangeStreamOplog (DEV/TEST ONLY).
 *
 * <p>Unlike upstream's OplogCursor, whose position only moves past the events it returns, it also
 * moves past the oplog entries it read and dropped (other namespaces, events the pipeline filtered
 * out) once a batch has drained everything there was: a stream on an idle collection next to a busy
 * one would otherwise re-read the busy collection's whole tail on every getMore. When the batch is
 * full, more may follow, so the position is the last returned event's, as upstream.
 */
public final class DriftlineOplogCursor extends AbstractCursor {

    /** Oplog is what the cursor reads: the entries after a position, and whether history was lost. */
    interface Oplog {
        /** entriesAfter streams the oplog entries after {@code position}, oldest first, lazily. */
        Stream<Document> entriesAfter(OplogPosition position);

        /** throwIfHistoryLost throws 286 ChangeStreamHistoryLost when entries after {@code position} were truncated. */
        void throwIfHistoryLost(OplogPosition position);
    }

    private final Oplog oplog;
    private final Function<Stream<Document>, Stream<Document>> toChangeEvents;
    private OplogPosition position;
    private BsonTimestamp lastRead;

    /**
     * @param toChangeEvents turns oplog entries into the stream's change events (namespace filter,
     *                       event shape, the pipeline's stages); it must stay lazy and preserve order
     */
    DriftlineOplogCursor(long cursorId, Oplog oplog, Function<Stream<Document>, Stream<Document>> toChangeEvents,
                         OplogPosition position) {
        super(cursorId);
        this.oplog = oplog;
        this.toChangeEvents = toChangeEvents;
        this.position = position;
    }

    @Override
    public boolean isEmpty() {
        return false;
    }

    @Override
    public synchronized List<Document> takeDocuments(int numberToReturn) {
        OplogPosition from = position;
        oplog.throwIfHistoryLost(from);
        lastRead = null;
        Stream<Document> events = toChangeEvents.apply(oplog.entriesAfter(from).peek(this::noteRead));
        if (numberToReturn > 0) {
            events = events.limit(numberToReturn);
        }
        List<Document> documents = events.collect(Collectors.toList());
        // Entries truncated while this batch was read would otherwise be skipped silently.
        oplog.throwIfHistoryLost(from);
        boolean full = numberToReturn > 0 && documents.size() == numberToReturn;
        if (full) {
            position = OplogPosition.fromDocument((Document) documents.get(documents.size() - 1).get(OplogDocumentFields.ID));
        } else if (lastRead != null) {
            // Drained: every entry up to lastRead was seen, and appends only ever add newer ones.
            position = new OplogPosition(lastRead);
        }
        return documents;
    }

    private void noteRead(Document entry) {
        lastRead = (BsonTimestamp) entry.get(OplogDocumentFields.TIMESTAMP);
    }
}
