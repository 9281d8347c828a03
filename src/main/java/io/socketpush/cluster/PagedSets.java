package io.socketpush.cluster;

import io.socketpush.error.Failure;
import io.socketpush.message.Page;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sets of strings (named lists) in a {@link KvStore}, one entry per member, paged with a cursor. The cost of
 * adding, removing or reading a page does not grow with the size of the set: nothing is one value that
 * grows. Each list has
 * <ul>
 *   <li>a slot entry per member, {@code s<list><slot> -> member} (slots are numbered in the order of adding),</li>
 *   <li>an index entry per member, {@code m<list><member> -> slot} (membership, idempotence, removal),</li>
 *   <li>one small meta entry, {@code h<list> -> "<next slot>:<count>"}, removed when the list is empty.</li>
 * </ul>
 * A page reads the slots from the cursor on in bulk and keeps those whose index entry points back at them,
 * so a member that a crash left half-written is never listed. Slots are never reused while the list lives:
 * a member present during the whole paging is listed exactly once. A list that shrank keeps its slot range
 * until it empties, so a page scans at most {@link #SCAN_FACTOR} x limit slots and may come back short (with
 * a next cursor).
 * <p>
 * Only the meta entry is shared by the writers of one list; its updates are group-committed per list on
 * this instance (while one compare-and-set is in flight, later changes queue and go together), so a burst of
 * subscriptions to one hot channel on its owner costs a few round trips to the meta entry, not one contended
 * compare-and-set each. Concurrent writers on other nodes (a ring change) retry the compare-and-set.
 */
public final class PagedSets {
  /** A page reads at most this many slots per item asked for. */
  public static final int SCAN_FACTOR = 4;
  /** Fewest slots a page reads per round trip (unless the limit is smaller). */
  static final int MIN_CHUNK = 64;
  private static final int MAX_META_TRIES = 100;
  private static final int MAX_SLOT_TRIES = 8;
  private static final char SEP = '\u0001'; // ids never hold control characters (Validate.idError)

  private final KvStore kv;
  private final Map<String, MetaBatch> metaQueues = new HashMap<>();

  public PagedSets(KvStore kv) {
    this.kv = kv;
  }

  /** The store underneath (tests and the bench count its entries). */
  public KvStore store() {
    return kv;
  }

  /** What a change did: whether the set changed, and its size afterwards (as far as this change saw it). */
  public record Change(boolean changed, long count) {
  }

  static String metaKey(String list) {
    return "h" + SEP + list;
  }

  static String slotKey(String list, long slot) {
    return "s" + SEP + list + SEP + slot;
  }

  static String indexKey(String list, String member) {
    return "m" + SEP + list + SEP + member;
  }

  /** Adds a member (idempotent). */
  public Future<Change> add(String list, String member) {
    String index = indexKey(list, member);
    return kv.get(index).compose(slot -> slot != null ? Future.succeededFuture(new Change(false, -1))
        : addAt(list, member, index, 0));
  }

  private Future<Change> addAt(String list, String member, String index, int tries) {
    if (tries >= MAX_SLOT_TRIES) {
      return Failure.UNAVAILABLE.fail("no free slot found in " + list);
    }
    return meta(list, 1, 1).compose(m -> {
      long slot = m[0];
      String slotKey = slotKey(list, slot);
      return kv.putIfAbsent(slotKey, member).compose(prev -> {
        if (prev != null) {
          // a leftover of a crashed write or of an earlier life of this list: give the slot up, take another
          return meta(list, 0, -1).compose(x -> addAt(list, member, index, tries + 1));
        }
        return kv.putIfAbsent(index, Long.toString(slot)).compose(other -> {
          if (other == null) {
            return Future.succeededFuture(new Change(true, m[1]));
          }
          // added at the same moment by another writer: undo ours
          return kv.remove(slotKey, member).compose(x -> meta(list, 0, -1)).map(c -> new Change(false, c[1]));
        });
      });
    });
  }

  /** Removes a member. */
  public Future<Change> remove(String list, String member) {
    String index = indexKey(list, member);
    return kv.get(index).compose(slot -> {
      if (slot == null) {
        return Future.succeededFuture(new Change(false, -1));
      }
      return kv.remove(index, slot).compose(removed -> !removed ? Future.succeededFuture(new Change(false, -1))
          : kv.remove(slotKey(list, Long.parseLong(slot)), member)
              .compose(x -> meta(list, 0, -1))
              .map(m -> new Change(true, m[1])));
    });
  }

  /** Whether {@code member} is in the list. */
  public Future<Boolean> contains(String list, String member) {
    return kv.get(indexKey(list, member)).map(s -> s != null);
  }

  /** Number of members (0 when the list does not exist). */
  public Future<Long> count(String list) {
    return kv.get(metaKey(list)).map(v -> parseMeta(v)[1]);
  }

  /**
   * One page: at most {@code limit} members in the order they were added, from {@code cursor} (null or
   * empty: the start). Fails BAD_REQUEST for a cursor this class did not hand out.
   */
  public Future<Page> page(String list, String cursor, int limit) {
    long from;
    try {
      from = cursor == null || cursor.isEmpty() ? 0 : Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      from = -1;
    }
    if (from < 0) {
      return Failure.BAD_REQUEST.fail("cursor is not a cursor this list handed out");
    }
    if (limit < 1) {
      return Failure.BAD_REQUEST.fail("limit must be at least 1");
    }
    long start = from;
    return kv.get(metaKey(list)).compose(v -> {
      long next = parseMeta(v)[0];
      long end = Math.min(next, start + (long) SCAN_FACTOR * limit);
      return scan(list, start, end, next, limit, new ArrayList<>());
    });
  }

  /**
   * Reads slots [pos, end) a chunk at a time until {@code limit} members are found. A chunk is at least
   * {@link #MIN_CHUNK} slots, so a nearly full page is not finished one slot per round trip; members beyond
   * the limit are left for the next page (the cursor is the slot of the first one not returned).
   */
  private Future<Page> scan(String list, long pos, long end, long next, int limit, List<String> items) {
    if (items.size() >= limit || pos >= end) {
      return Future.succeededFuture(new Page(items, pos < next ? Long.toString(pos) : null));
    }
    long chunkEnd = Math.min(end, pos + Math.max(limit - items.size(), Math.min(limit, MIN_CHUNK)));
    List<String> keys = new ArrayList<>();
    for (long s = pos; s < chunkEnd; s++) {
      keys.add(slotKey(list, s));
    }
    return kv.getAll(keys).compose(slots -> {
      List<Map.Entry<Long, String>> found = new ArrayList<>(); // (slot, member) in slot order
      Set<String> indexKeys = new LinkedHashSet<>();
      for (long s = pos; s < chunkEnd; s++) {
        String member = slots.get(slotKey(list, s));
        if (member != null) {
          found.add(Map.entry(s, member));
          indexKeys.add(indexKey(list, member));
        }
      }
      if (found.isEmpty()) {
        return scan(list, chunkEnd, end, next, limit, items);
      }
      return kv.getAll(indexKeys).compose(index -> {
        for (Map.Entry<Long, String> e : found) {
          if (Long.toString(e.getKey()).equals(index.get(indexKey(list, e.getValue())))) {
            if (items.size() == limit) {
              return Future.succeededFuture(new Page(items, Long.toString(e.getKey())));
            }
            items.add(e.getValue());
          }
        }
        return scan(list, chunkEnd, end, next, limit, items);
      });
    });
  }

  // ---- the meta entry: next slot and count, group-committed per list ----

  private record MetaOp(int slots, int countDelta, Promise<long[]> promise) {
  }

  private static final class MetaBatch {
    List<MetaOp> waiting = new ArrayList<>();
    boolean running;
  }

  /** Takes {@code slots} slots and changes the count; completes with {first slot taken, count after}. */
  private Future<long[]> meta(String list, int slots, int countDelta) {
    MetaOp op = new MetaOp(slots, countDelta, Promise.promise());
    boolean first;
    synchronized (metaQueues) {
      MetaBatch b = metaQueues.computeIfAbsent(list, k -> new MetaBatch());
      b.waiting.add(op);
      first = !b.running;
      b.running = true;
    }
    if (first) {
      runNext(list);
    }
    return op.promise().future();
  }

  private void runNext(String list) {
    List<MetaOp> ops;
    synchronized (metaQueues) {
      MetaBatch b = metaQueues.get(list);
      if (b.waiting.isEmpty()) {
        metaQueues.remove(list);
        return;
      }
      ops = b.waiting;
      b.waiting = new ArrayList<>();
    }
    commit(list, ops, 0).onComplete(ar -> {
      for (int i = 0; i < ops.size(); i++) {
        if (ar.succeeded()) {
          ops.get(i).promise().complete(ar.result()[i]);
        } else {
          ops.get(i).promise().fail(ar.cause());
        }
      }
      runNext(list);
    });
  }

  private Future<long[][]> commit(String list, List<MetaOp> ops, int tries) {
    if (tries >= MAX_META_TRIES) {
      return Failure.UNAVAILABLE.fail("too many concurrent writers of " + list);
    }
    String key = metaKey(list);
    return kv.get(key).compose(old -> {
      long[] m = parseMeta(old);
      long next = m[0];
      long count = m[1];
      long[][] out = new long[ops.size()][];
      for (int i = 0; i < ops.size(); i++) {
        MetaOp op = ops.get(i);
        long first = next;
        next += op.slots();
        count = Math.max(0, count + op.countDelta());
        out[i] = new long[] {first, count};
      }
      Future<Boolean> written;
      if (count == 0) {
        // empty: the list's slot range starts again at 0 (slots are written with putIfAbsent, so a leftover
        // of the earlier life is skipped, never overwritten)
        written = old == null ? Future.succeededFuture(true) : kv.remove(key, old);
      } else if (old == null) {
        written = kv.putIfAbsent(key, next + ":" + count).map(prev -> prev == null);
      } else {
        written = kv.replace(key, old, next + ":" + count);
      }
      return written.compose(ok -> ok ? Future.succeededFuture(out) : commit(list, ops, tries + 1));
    });
  }

  /** {next slot, count} of a meta value; {0, 0} when absent. */
  static long[] parseMeta(String v) {
    if (v == null) {
      return new long[] {0, 0};
    }
    int colon = v.indexOf(':');
    return new long[] {Long.parseLong(v.substring(0, colon)), Long.parseLong(v.substring(colon + 1))};
  }
}
