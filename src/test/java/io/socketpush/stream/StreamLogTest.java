package io.socketpush.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.config.StreamRules;
import io.socketpush.testing.Await;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The owner's offsets, on the local history map. */
class StreamLogTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void afterARingChangeAnOwnerNeverGivesOutAnOffsetAgainEvenWhenTheMetaItReadsIsOlder() {
    StreamStore store = Await.result(StreamStore.open(vertx));
    StreamLog log = new StreamLog(store, StreamRules::defaults, "t");
    String stream = "channel.o";
    Position p3 = null;
    for (int i = 1; i <= 3; i++) {
      p3 = Await.result(log.append(stream, "m"));
    }
    assertEquals(3, p3.offset());
    // the meta as a copy the last writes had not reached would answer it after a ring change (RoleFaultsIT lost 75
    // acknowledged messages in a row, with no log line, around a ring change)
    Await.result(store.write(stream, StreamRules.DEFAULT, p3.epoch(), List.of(), 1));
    log.reset();
    Position next = Await.result(log.append(stream, "m"));
    assertEquals(p3.epoch(), next.epoch());
    assertEquals(4, next.offset(), "offsets 2 and 3 were given out already: not again");
  }

  /** A grid in memory whose next putAll can fail: after landing the first {@code land} of its entries, or at once. */
  static final class FlakyGrid implements StreamGrid {
    final java.util.Map<String, String> data = new java.util.TreeMap<>();
    /** The next putAll that carries a meta key fails (-1: none); how many of its entries land first. */
    int failMetaPutLanding = -1;
    /** The next putAll without a meta key fails (-1: none); how many of its entries land first. */
    int failEntriesPutLanding = -1;

    @Override
    public io.vertx.core.Future<String> get(String key) {
      return io.vertx.core.Future.succeededFuture(data.get(key));
    }

    @Override
    public io.vertx.core.Future<java.util.Map<String, String>> getAll(java.util.Collection<String> keys) {
      java.util.Map<String, String> out = new java.util.HashMap<>();
      keys.forEach(k -> {
        if (data.containsKey(k)) {
          out.put(k, data.get(k));
        }
      });
      return io.vertx.core.Future.succeededFuture(out);
    }

    @Override
    public io.vertx.core.Future<Void> put(String key, String value, long ttlMs) {
      data.put(key, value);
      return io.vertx.core.Future.succeededFuture();
    }

    @Override
    public io.vertx.core.Future<Void> putAll(java.util.Map<String, String> entries, long ttlMs) {
      boolean meta = entries.keySet().stream().anyMatch(k -> k.startsWith("m|"));
      int land = meta ? failMetaPutLanding : failEntriesPutLanding;
      if (land < 0) {
        data.putAll(entries);
        return io.vertx.core.Future.succeededFuture();
      }
      if (meta) {
        failMetaPutLanding = -1;
      } else {
        failEntriesPutLanding = -1;
      }
      entries.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).limit(land).forEach(e -> data.put(e.getKey(), e.getValue()));
      return io.vertx.core.Future.failedFuture("ISPN000427: Timeout waiting for acks (injected)");
    }

    @Override
    public io.vertx.core.Future<String> putIfAbsent(String key, String value, long ttlMs) {
      return io.vertx.core.Future.succeededFuture(data.putIfAbsent(key, value));
    }

    @Override
    public io.vertx.core.Future<Void> remove(String key) {
      data.remove(key);
      return io.vertx.core.Future.succeededFuture();
    }
  }

  @Test
  void aFailedBatchsOffsetsAreNeverGivenToAnotherMessageAndReadersFindNoHoleThere() {
    FlakyGrid grid = new FlakyGrid();
    StreamStore store = StreamStore.on(grid);
    StreamLog log = new StreamLog(store, StreamRules::defaults, "t");
    String stream = "channel.f";
    Await.result(log.append(stream, "m1"));
    grid.failEntriesPutLanding = 1; // the entry lands on one owner, the write fails (PartitionIT: a flapping link)
    assertEquals("UNAVAILABLE", failureCode(log.append(stream, "unacknowledged")));
    // a resume reading now does not see the failed batch (the meta does not name it)
    StreamStore.History h = Await.result(store.read(stream, StreamRules.DEFAULT, 0, 10));
    assertEquals(1, h.top(), "the meta names only what was stored whole");
    Position p3 = Await.result(log.append(stream, "m3"));
    assertEquals(3, p3.offset(), "offset 2 may still be written late: never given to another message");
    h = Await.result(store.read(stream, StreamRules.DEFAULT, 0, 10));
    assertTrue(h.complete(), "offset 2 is marked skipped: no hole");
    assertEquals(List.of(1L, 3L), h.messages().stream().map(StreamStore.Entry::offset).toList());
    // the failed put lands late (it reached a backup when the link came back): the acknowledged m3 keeps its position
    grid.data.put(StreamStore.entryKey(stream, 2, StreamRules.DEFAULT),
        new io.vertx.core.json.JsonObject().put("e", p3.epoch()).put("o", 2).put("m", "unacknowledged").encode());
    h = Await.result(store.read(stream, StreamRules.DEFAULT, 0, 10));
    assertEquals("m3", h.messages().get(h.messages().size() - 1).message());
    assertEquals(3, h.messages().get(h.messages().size() - 1).offset());
  }

  @Test
  void aBatchWhoseEntriesWereStoredButNotItsMetaKeepsItsOffsets() {
    FlakyGrid grid = new FlakyGrid();
    StreamStore store = StreamStore.on(grid);
    StreamLog log = new StreamLog(store, StreamRules::defaults, "t");
    String stream = "channel.g";
    Await.result(log.append(stream, "m1"));
    grid.failMetaPutLanding = 1; // the meta lands on one owner (a reader there sees offset 2), the write fails
    assertEquals("UNAVAILABLE", failureCode(log.append(stream, "m2-unacknowledged")));
    Position p3 = Await.result(log.append(stream, "m3"));
    assertEquals(3, p3.offset(), "offset 2 may have been read: never given to another message");
    StreamStore.History h = Await.result(store.read(stream, StreamRules.DEFAULT, 0, 10));
    assertEquals(List.of(1L, 2L, 3L), h.messages().stream().map(StreamStore.Entry::offset).toList(), "no hole");
  }

  static String failureCode(io.vertx.core.Future<?> f) {
    try {
      Await.result(f);
      return "succeeded";
    } catch (RuntimeException e) {
      return io.socketpush.error.Failure.of(e).name();
    }
  }
}
