package io.socketpush.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The single-node stream history map: expiry checked on read, no timers, expired entries swept by writes. */
class StreamGridInMemoryTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void sharedPerVertxAndName() {
    assertSame(StreamGrid.InMemory.of(vertx, "a"), StreamGrid.InMemory.of(vertx, "a"));
    assertTrue(StreamGrid.InMemory.of(vertx, "a") != StreamGrid.InMemory.of(vertx, "b"));
  }

  @Test
  void anExpiredEntryIsAbsentForEveryRead() {
    StreamGrid.InMemory m = StreamGrid.InMemory.of(vertx, "expiry");
    m.put("gone", "1", 0); // a lifespan of 0: expired at once
    m.put("kept", "2", 60_000);
    m.put("forever", "3", StreamGrid.FOREVER);
    assertNull(m.get("gone").result());
    assertEquals("2", m.get("kept").result());
    assertEquals(Map.of("kept", "2", "forever", "3"), m.getAll(List.of("gone", "kept", "forever", "never")).result());
    m.putAll(Map.of("b1", "x", "b2", "y"), 0);
    assertEquals(Map.of(), m.getAll(List.of("b1", "b2")).result());
  }

  @Test
  void putIfAbsentTreatsAnExpiredEntryAsAbsent() {
    StreamGrid.InMemory m = StreamGrid.InMemory.of(vertx, "pia");
    assertNull(m.putIfAbsent("k", "first", 60_000).result());
    assertEquals("first", m.putIfAbsent("k", "second", 60_000).result());
    m.put("e", "old", 0);
    assertNull(m.putIfAbsent("e", "new", 60_000).result());
    assertEquals("new", m.get("e").result());
    m.remove("e");
    assertNull(m.get("e").result());
  }

  @Test
  void writesSweepExpiredEntriesOfKeysNobodyReads() {
    StreamGrid.InMemory m = StreamGrid.InMemory.of(vertx, "sweep");
    for (int i = 0; i < 1_000; i++) {
      m.put("dead" + i, "v", 0);
    }
    for (int i = 0; i < 1_000; i++) {
      m.put("live" + (i % 10), "v", 60_000); // ten live keys written again and again
    }
    assertEquals(10, m.size(), "every expired entry was swept by the later writes");
  }
}
