package dev.driftline.stack;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * MongoServerLauncher runs de.bwaldvogel:mongo-java-server for driftline's local stack (DEV/TEST ONLY).
 *
 * <p>Contract: binds only the given host (127.0.0.1 by default) and port, keeps everything in memory
 * (a restart starts empty), enables the oplog so that {@code collection.watch()} change streams and
 * resume tokens work (through ChangeStreamMemoryBackend, so events are shaped like a real MongoDB's),
 * and reports MongoDB 4.4 (wire version 9): the Node.js driver 7.x refuses servers
 * below wire version 9, and mongo-java-server's own newest constant (ServerVersion.MONGO_5_0) still
 * reports wire version 8. The reported version is only what `hello` answers — the server's behaviour
 * does not depend on it — so we report the lowest version driver 7 accepts, which keeps the driver
 * from using protocol features of newer servers. Prints one line
 * starting with {@code READY} once it accepts connections; SIGTERM shuts it down.
 *
 * <p>Arguments: {@code --host <h> --port <p> [--oplog-max-entries <n>] [--marker <text>]};
 * {@code --oplog-max-entries} caps the oplog (0 = unbounded, see DriftlineChangeStreamOplog). The marker is ignored: it only makes
 * the process recognisable in /proc/&lt;pid&gt;/cmdline so `stack down` stops its own process only.
 */
public final class MongoServerLauncher {
  private MongoServerLauncher() {}

  /** WORKER_THREADS is the netty worker count; threads are cheap, a shared waiting one is not. */
  static final int WORKER_THREADS = 32;

  /** REPORTED_VERSION is MongoDB 4.4.0, wire version 9: the minimum the Node.js driver 7.x accepts. */
  static final MongoVersion REPORTED_VERSION =
      new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
          return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
          return 9;
        }
      };

  public static void main(String[] args) throws InterruptedException {
    String host = "127.0.0.1";
    int port = 27017;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--host" -> host = args[i + 1];
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--oplog-max-entries" -> System.setProperty("driftline.oplog.maxEntries", args[i + 1]);
        case "--marker" -> {
          // identification only
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }

    MongoServer server = new MongoServer(new ChangeStreamMemoryBackend().version(REPORTED_VERSION));
    server.enableOplog();
    // Many worker threads: a getMore on an idle change stream waits briefly on its thread (see
    // ChangeStreamMemoryBackend.MAX_AWAIT_MS), so fewer connections share a waiting thread.
    server.bind(new InetSocketAddress(host, port), 1, WORKER_THREADS);

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdownNow();
                  stopped.countDown();
                },
                "mongo-server-shutdown"));
    System.out.println("READY mongo-java-server listening on " + host + ":" + port);
    System.out.flush();
    stopped.await();
  }
}
