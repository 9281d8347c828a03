package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.error.Failure;
import io.socketpush.message.Page;
import io.socketpush.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stored representation of a paged set: one entry per member, values that do not grow, the same store
 * operations for the 5,000th add as for the first, and paging that returns every member exactly once. Not
 * timed: the cost is counted in store operations and bytes (speed lives in the bench).
 */
class PagedSetsTest {
  Vertx vertx;
  java.util.Map<String, String> map;
  Counting kv;
  PagedSets sets;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    map = LocalKv.named(vertx, "paged-sets-test");
    kv = new Counting(Await.result(KvStore.open(vertx, "paged-sets-test")));
    sets = new PagedSets(kv);
  }

  @AfterEach
  void tearDown() {
    Await.result(vertx.close());
  }

  /** Store operations and bytes written by each add, and the entries and largest value after it. */
  @Test
  void theNthAddCostsWhatTheFirstDid() {
    int n = 5_000;
    long[] ops = new long[n];
    long[] bytes = new long[n];
    for (int i = 0; i < n; i++) {
      kv.reset();
      assertTrue(Await.result(sets.add("c:hot", "user-" + i)).changed());
      ops[i] = kv.ops.get();
      bytes[i] = kv.bytesWritten.get();
      if (i == 0 || i == 999 || i == n - 1) {
        assertEquals(2L * (i + 1) + 1, map.size(), "one slot and one index entry per member plus one meta entry");
        int largest = map.values().stream().mapToInt(String::length).max().orElse(0);
        assertTrue(largest <= 16, "largest value " + largest + " chars after " + (i + 1) + " adds");
      }
    }
    assertEquals(ops[0], ops[n - 1], "store operations of the first and the last add");
    assertEquals(ops[0], ops[999]);
    // only the digits of the ids, the slot number and the meta counter grow ("0:1" vs "4999:5000"); a set
    // stored as one value would write ~10 bytes more per member already in it
    assertTrue(bytes[n - 1] - bytes[0] <= 30, "bytes written: first " + bytes[0] + ", last " + bytes[n - 1]);
    assertEquals(n, Await.result(sets.count("c:hot")));
  }

  @Test
  void addIsIdempotentAndRemoveLeavesNothingBehind() {
    for (int i = 0; i < 100; i++) {
      assertTrue(Await.result(sets.add("c:x", "u" + i)).changed());
    }
    assertFalse(Await.result(sets.add("c:x", "u7")).changed());
    assertEquals(100, Await.result(sets.count("c:x")));
    for (int i = 0; i < 100; i++) {
      PagedSets.Change c = Await.result(sets.remove("c:x", "u" + i));
      assertTrue(c.changed());
      assertEquals(99 - i, c.count());
    }
    assertFalse(Await.result(sets.remove("c:x", "u7")).changed());
    assertEquals(0, map.size(), "an emptied list leaves no entry: " + map.keySet());
    assertEquals(new Page(List.of(), null), Await.result(sets.page("c:x", null, 10)));
  }

  @Test
  void pagesReturnEveryMemberExactlyOnceAndRespectTheLimit() {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 1_003; i++) {
      Await.result(sets.add("c:p", "m" + i));
      expected.add("m" + i);
    }
    for (int i = 0; i < 1_003; i += 7) {
      Await.result(sets.remove("c:p", "m" + i));
      expected.remove("m" + i);
    }
    for (int limit : new int[] {1, 50, 1_000, 5_000}) {
      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        Page p = Await.result(sets.page("c:p", cursor, limit));
        assertTrue(p.items().size() <= limit, "page of " + p.items().size() + " with limit " + limit);
        seen.addAll(p.items());
        cursor = p.nextCursor();
        assertTrue(++pages <= 5_000, "paging ends");
      } while (cursor != null);
      assertEquals(expected.size(), seen.size(), "no member twice with limit " + limit);
      assertEquals(expected, new HashSet<>(seen), "every member with limit " + limit);
    }
  }

  @Test
  void aPageReadsABoundedNumberOfSlots() {
    for (int i = 0; i < 2_000; i++) {
      Await.result(sets.add("c:sparse", "m" + i));
    }
    for (int i = 0; i < 1_990; i++) {
      Await.result(sets.remove("c:sparse", "m" + i)); // 10 left, at slots 1990..1999
    }
    kv.reset();
    Page p = Await.result(sets.page("c:sparse", null, 10));
    assertTrue(kv.keysRead.get() <= 1 + PagedSets.SCAN_FACTOR * 10 + 10, "keys read " + kv.keysRead.get());
    assertEquals(List.of(), p.items());
    assertEquals("40", p.nextCursor(), "a short page still says where to go on");
    List<String> rest = new ArrayList<>();
    String cursor = p.nextCursor();
    while (cursor != null) {
      Page q = Await.result(sets.page("c:sparse", cursor, 10));
      rest.addAll(q.items());
      cursor = q.nextCursor();
    }
    assertEquals(10, rest.size());
  }

  @Test
  void aMemberWrittenHalfIsNotListedAndItsSlotIsNotReused() {
    Await.result(sets.add("c:h", "a"));
    // a crash between writing the slot and the index: slot 1 holds "ghost", no index entry, meta says next 1
    map.put(PagedSets.slotKey("c:h", 1), "ghost");
    Await.result(sets.add("c:h", "b"));
    Page p = Await.result(sets.page("c:h", null, 10));
    assertEquals(List.of("a", "b"), p.items());
    assertNull(p.nextCursor());
    assertEquals("ghost", map.get(PagedSets.slotKey("c:h", 1)), "the leftover is skipped, never overwritten");
    // a leftover copy of a member that is in the list at another slot: listed once, from its own slot
    map.put(PagedSets.slotKey("c:h", 3), "a");
    Await.result(sets.add("c:h", "c"));
    assertEquals(List.of("a", "b", "c"), Await.result(sets.page("c:h", null, 10)).items());
    assertEquals(List.of("a", "b"), Await.result(sets.page("c:h", null, 2)).items());
    assertEquals(new Page(List.of("c"), null), Await.result(sets.page("c:h", "3", 2)));
  }

  @Test
  void badCursorAndLimitAreBadRequests() {
    assertEquals(Failure.BAD_REQUEST, Failure.of(Await.failure(sets.page("c:y", "abc", 10))));
    assertEquals(Failure.BAD_REQUEST, Failure.of(Await.failure(sets.page("c:y", "-5", 10))));
    assertEquals(Failure.BAD_REQUEST, Failure.of(Await.failure(sets.page("c:y", null, 0))));
  }

  @Test
  void concurrentAddsToOneListAllSucceedAndAreListed() {
    // two writers of the same list, as two owners during a ring change: their meta updates contend
    PagedSets other = new PagedSets(kv);
    List<Future<PagedSets.Change>> adds = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      adds.add((i % 2 == 0 ? sets : other).add("c:hot", "u" + i));
    }
    Await.result(Future.all(adds));
    adds.forEach(f -> assertTrue(f.result().changed()));
    Page all = Await.result(sets.page("c:hot", null, 1_000));
    assertEquals(200, all.items().size());
    assertEquals(200, new HashSet<>(all.items()).size());
  }

  /** Counts what reaches the store. */
  static final class Counting implements KvStore {
    final KvStore inner;
    final AtomicInteger ops = new AtomicInteger();
    final AtomicLong bytesWritten = new AtomicLong();
    final AtomicLong keysRead = new AtomicLong();

    Counting(KvStore inner) {
      this.inner = inner;
    }

    void reset() {
      ops.set(0);
      bytesWritten.set(0);
      keysRead.set(0);
    }

    private void wrote(String key, String value) {
      ops.incrementAndGet();
      bytesWritten.addAndGet(key.length() + value.length());
    }

    @Override
    public Future<String> get(String key) {
      ops.incrementAndGet();
      keysRead.incrementAndGet();
      return inner.get(key);
    }

    @Override
    public Future<Map<String, String>> getAll(Collection<String> keys) {
      ops.incrementAndGet();
      keysRead.addAndGet(keys.size());
      return inner.getAll(keys);
    }

    @Override
    public Future<Void> put(String key, String value) {
      wrote(key, value);
      return inner.put(key, value);
    }

    @Override
    public Future<String> putIfAbsent(String key, String value) {
      wrote(key, value);
      return inner.putIfAbsent(key, value);
    }

    @Override
    public Future<Boolean> replace(String key, String expected, String value) {
      wrote(key, value);
      return inner.replace(key, expected, value);
    }

    @Override
    public Future<Boolean> remove(String key, String expected) {
      wrote(key, "");
      return inner.remove(key, expected);
    }

    @Override
    public Future<Long> size() {
      return inner.size();
    }
  }
}
