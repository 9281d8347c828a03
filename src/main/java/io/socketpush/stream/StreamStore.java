package io.socketpush.stream;

import io.socketpush.cluster.Addresses;
import io.socketpush.config.StreamRules.Rule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stream history in the cluster's distributed data: the cache {@value #MAP} (Infinispan, 2 owners, sync; see
 * conf/infinispan.xml), reached through {@link StreamGrid}: Infinispan's async API (never blocking the event loop),
 * a publish's batch in one bulk write and a resume's read in one bulk read. One entry per message, {@code e|<stream>|<offset>} ->
 * {@code {"e": epoch, "m": message}}, and one small meta entry per stream, {@code m|<stream>} ->
 * {@code {"e": epoch, "top": offset}}, both with the stream's history TTL (the meta's is renewed by every
 * publish, so it outlives the stream's last message). Never one growing value: a publish writes its entry,
 * then the meta, and removes the entry that fell out of the size bound.
 */
public final class StreamStore {
  private static final Logger LOG = LoggerFactory.getLogger(StreamStore.class);

  /** A stream's epoch and the offset of its newest message. */
  public record Meta(String epoch, long top) {
  }

  /** One stored message, with the idempotency key it was published with (or null). */
  public record Entry(long offset, Object message, String key) {
    public Entry(long offset, Object message) {
      this(offset, message, null);
    }
  }

  /**
   * Messages of a stream after some offset: {@code complete} is false when one of them is gone (expired, or
   * of another epoch), so a reader cannot replay without a gap.
   */
  public record History(String epoch, long top, List<Entry> messages, boolean complete) {
    public JsonObject toJson() {
      io.vertx.core.json.JsonArray ms = new io.vertx.core.json.JsonArray();
      messages.forEach(e -> ms.add(new JsonObject().put("offset", String.valueOf(e.offset())).put("message", e.message())));
      return new JsonObject().put("epoch", epoch).put("top", String.valueOf(top)).put("messages", ms);
    }
  }

  private final StreamGrid map;

  private StreamStore(StreamGrid map) {
    this.map = map;
  }

  /** A store on the given grid (tests that make the grid fail). */
  static StreamStore on(StreamGrid map) {
    return new StreamStore(map);
  }

  /** Opens the history cache (a local map when Vert.x is not clustered). */
  public static Future<StreamStore> open(Vertx vertx) {
    return StreamGrid.open(vertx, Addresses.STREAMS_MAP).map(StreamStore::new);
  }

  /**
   * The stream a history key belongs to (its group: {@link StreamGrouper}), null for other keys. Entry keys end
   * with {@code |<epoch>|<offset>} (neither holds '|'); an idempotency key may itself contain '|', so its stream is
   * read up to the first '|' after the prefix when that is ambiguous (a stream id with '|' then only loses the
   * co-location, not data).
   */
  static String streamOf(String key) {
    if (key.length() < 3 || key.charAt(1) != '|') {
      return null;
    }
    switch (key.charAt(0)) {
      case 'm':
        return key.substring(2);
      case 'e': {
        int last = key.lastIndexOf('|');
        int epoch = last > 2 ? key.lastIndexOf('|', last - 1) : -1;
        return epoch > 2 ? key.substring(2, epoch) : null;
      }
      case 'k': {
        int next = key.indexOf('|', 2);
        return next > 2 ? key.substring(2, next) : null;
      }
      default:
        return null;
    }
  }

  static String metaKey(String stream) {
    return "m|" + stream;
  }

  /**
   * The entry of the message at {@code epoch:offset}: one key per offset, written once (first writer wins, see
   * {@link #write}) and removed once it falls out of the size bound (or expired with the TTL).
   */
  static String entryKey(String stream, String epoch, long offset) {
    return "e|" + stream + "|" + epoch + "|" + offset;
  }

  /** The entry's JSON when it holds {@code epoch:offset}, else null. */
  private static JsonObject entryAt(String value, String epoch, long offset) {
    if (value == null) {
      return null;
    }
    JsonObject j = new JsonObject(value);
    return epoch.equals(j.getString("e")) && j.getLong("o", -1L) == offset ? j : null;
  }

  static String keyKey(String stream, String idempotencyKey) {
    return "k|" + stream + "|" + idempotencyKey;
  }

  /** The position stored for an idempotency key of the stream, or null. */
  public Future<Position> position(String stream, Rule rule, String idempotencyKey) {
    return map.get(keyKey(stream, idempotencyKey)).map(Position::parse).compose(p -> p == null ? Future.succeededFuture()
        : Future.all(meta(stream), map.get(entryKey(stream, p.epoch(), p.offset()))).map(both -> {
          // a key counts only if its batch was stored: the entry at its offset carries the key and the meta names
          // that offset. A batch that failed half-way may have written the key (and even the entry) without the
          // meta; the next batch then reuses the offset (CI: a retry answered 110 while the meta said 109, the
          // next message got 110 too and edges dropped it as written; the resume from 110 was not recovered)
          Meta m = both.resultAt(0);
          String e = both.resultAt(1);
          JsonObject entry = entryAt(e, p.epoch(), p.offset());
          boolean stored = m != null && m.epoch().equals(p.epoch()) && m.top() >= p.offset() && entry != null
              && idempotencyKey.equals(entry.getString("k"));
          return stored ? p : null;
        }));
  }

  /**
   * Marks a user "between sockets" (its last socket went away) for {@code graceMs}: kept in the grid, so the
   * user's next owner knows it after a failover. Cleared when a socket of the user attaches again.
   */
  public Future<Void> markAway(String userId, long graceMs) {
    return map.put("a|" + userId, String.valueOf(System.currentTimeMillis()), Math.max(1, graceMs));
  }

  /** Whether a user is between sockets (its away mark has not expired). */
  public Future<Boolean> isAway(String userId) {
    return map.get("a|" + userId).map(v -> v != null);
  }

  /** A user has sockets again: no away mark, and a "seen" mark that outlives its owner and its edge. */
  public Future<Void> markPresent(String userId) {
    return Future.all(map.remove("a|" + userId), map.put("p|" + userId, "1", StreamGrid.FOREVER)).mapEmpty();
  }

  /** Whether the user had sockets when it was last heard of (its owner and edge may have died since). */
  public Future<Boolean> wasPresent(String userId) {
    return map.get("p|" + userId).map(v -> v != null);
  }

  /** The user went offline for good (after the grace): forget both marks. */
  public Future<Void> forgetUser(String userId) {
    return Future.all(map.remove("a|" + userId), map.remove("p|" + userId)).mapEmpty();
  }

  /** The stream's meta, or null when it has none (never published, or its history expired). */
  public Future<Meta> meta(String stream) {
    return map.get(metaKey(stream)).map(s -> {
      if (s == null) {
        return null;
      }
      JsonObject j = new JsonObject(s);
      return new Meta(j.getString("e"), j.getLong("top"));
    });
  }

  /**
   * The entries of a batch are stored but its meta may not be (the meta write failed, possibly after landing on some
   * owner): readers may have seen the batch, so its offsets are given out for good ({@link StreamLog} continues
   * after them; the entries are whole, so no reader finds a hole).
   */
  public static final class MetaNotWritten extends RuntimeException {
    MetaNotWritten(Throwable cause) {
      super("the stream's meta could not be written: " + cause.getMessage(), cause);
    }
  }

  /**
   * Writes a batch of consecutive messages (offsets {@code top-n+1..top}), then the meta naming {@code top}: two
   * round trips to the owners, in that order, so no reader ever finds the meta naming an entry that is not
   * stored. Until it completes, nothing of the batch is delivered or acknowledged. When the entries fail (they may
   * have landed in part, e.g. on one owner only, or land later) the meta does not name them yet; {@link StreamLog}
   * gives their offsets to no other message and writes them as skipped with its next batch. When only the meta
   * fails: {@link MetaNotWritten}.
   *
   * <p><b>First writer wins, per offset.</b> Every entry is written with put-if-absent, evaluated by the key's
   * primary owner, so an entry once written is never replaced by another writer: not by a second owner that read an
   * older meta during a ring change, not by a write of the previous owner that timed out and lands later (a flapping
   * link), not by that owner's skip marks. The offsets another writer holds are returned ({@code taken}); their
   * messages are not stored and must get other offsets ({@link StreamLog} queues them again). Before this, entries
   * were blind writes into ring slots: PartitionIT's flapping link lost 28 acknowledged messages in a run, each
   * overwritten at its position by a message of the other owner.
   *
   * <p>Readers take only what the meta names, so an entry beyond it is invisible until then; the meta only grows
   * (compare-and-set from the meta this writer last saw, {@code previousTop}; a newer meta of another writer is
   * left as it is), so two owners cannot move it back. The entries that fell out of the size bound are removed
   * after the meta is written (one bulk remove, not waited for: the TTL removes what it misses).
   */
  public Future<Written> write(String stream, Rule rule, String epoch, List<Entry> entries, long top, long previousTop,
      java.util.Map<String, Long> keys, List<Entry> skipped) {
    long ttl = rule.historyTtl();
    List<Future<?>> all = new ArrayList<>();
    for (Entry e : skipped) {
      all.add(skip(stream, epoch, e, ttl));
    }
    List<String> values = new ArrayList<>(entries.size());
    List<Future<String>> writes = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      String v = entryValue(epoch, e);
      values.add(v);
      writes.add(map.putIfAbsent(entryKey(stream, epoch, e.offset()), v, ttl));
    }
    all.addAll(writes);
    java.util.Map<String, String> keyPuts = new java.util.HashMap<>();
    keys.forEach((k, offset) -> keyPuts.put(keyKey(stream, k), epoch + ":" + offset));
    if (!keyPuts.isEmpty()) {
      all.add(map.putAll(keyPuts, ttl));
    }
    return Future.all(all).compose(done -> {
      java.util.Set<Long> taken = new java.util.TreeSet<>();
      for (int i = 0; i < entries.size(); i++) {
        String prev = writes.get(i).result();
        // the same value: our own write, retried by Infinispan after a topology change, found itself
        if (prev != null && !prev.equals(values.get(i))) {
          taken.add(entries.get(i).offset());
        }
      }
      return growMeta(stream, epoch, top, previousTop, ttl, 0)
          .recover(err -> Future.failedFuture(new MetaNotWritten(err)))
          .map(metaTop -> {
            trim(stream, rule, epoch, top - entries.size(), top);
            return new Written(taken, metaTop);
          });
    });
  }

  /** What a write did: the offsets another writer holds, and the meta's top afterwards (at least the batch's). */
  public record Written(java.util.Set<Long> taken, long metaTop) {
  }

  /** A batch as {@link #write} with no idempotency keys or skipped offsets (tests). */
  Future<Written> write(String stream, Rule rule, String epoch, List<Entry> entries, long top, long previousTop) {
    return write(stream, rule, epoch, entries, top, previousTop, java.util.Map.of(), List.of());
  }

  /** The JSON of an entry: a stored message, or (with {@code "x"}) an offset whose write failed. */
  private static String entryValue(String epoch, Entry e) {
    JsonObject j = new JsonObject().put("e", epoch).put("o", e.offset()).put("m", e.message());
    if (e.key() != null) {
      j.put("k", e.key()); // lets a later retry check that its key's batch was stored (see position)
    }
    return j.encode();
  }

  /**
   * Marks an offset whose write failed as "no message here", so readers find no hole. If the failed write landed
   * after all (a put that timed out still reached the owner), this writer's own message is replaced by the mark:
   * it was never acknowledged, and its publisher's retry (same idempotency key) gets another offset, so keeping it
   * would deliver it twice (StreamFaultsIT, SIGSTOP of an edge: #819 at offsets 820 and 821). Another writer's entry
   * there stays.
   */
  private Future<Void> skip(String stream, String epoch, Entry failed, long ttl) {
    String key = entryKey(stream, epoch, failed.offset());
    String mark = new JsonObject().put("e", epoch).put("o", failed.offset()).put("x", true).encode();
    String mine = entryValue(epoch, failed);
    return map.putIfAbsent(key, mark, ttl).compose(prev -> prev != null && prev.equals(mine)
        ? map.replace(key, mine, mark, ttl).mapEmpty()
        : Future.succeededFuture());
  }

  private static String metaValue(String epoch, long top) {
    return new JsonObject().put("e", epoch).put("top", top).encode();
  }

  /**
   * Sets the meta to {@code epoch:top} unless it already names as much: compare-and-set from {@code previousTop}
   * (negative: no meta), then from what is there. Completes with the meta's top afterwards.
   */
  private Future<Long> growMeta(String stream, String epoch, long top, long previousTop, long ttl, int tries) {
    String key = metaKey(stream);
    String next = metaValue(epoch, top);
    Future<Boolean> set;
    if (previousTop == -2) { // another epoch's meta: replaced as read (raw), so a concurrent change still fails the CAS
      set = map.get(key).compose(raw -> raw == null ? map.putIfAbsent(key, next, ttl).map(prev -> prev == null)
          : map.replace(key, raw, next, ttl));
    } else if (previousTop < 0) {
      set = map.putIfAbsent(key, next, ttl).map(prev -> prev == null || prev.equals(next));
    } else {
      set = map.replace(key, metaValue(epoch, previousTop), next, ttl);
    }
    return set.compose(ok -> {
      if (ok) {
        return Future.succeededFuture(top);
      }
      return meta(stream).compose(now -> {
        if (now != null && now.epoch().equals(epoch) && now.top() >= top) {
          return Future.succeededFuture(now.top()); // another writer's newer meta covers this batch
        }
        if (tries >= 5) {
          return Future.failedFuture(new IllegalStateException("the meta of " + stream + " kept changing"));
        }
        // another epoch's meta (two owners drew one at once) is replaced: this batch's messages must be readable
        return growMeta(stream, epoch, top, now == null ? -1 : now.epoch().equals(epoch) ? now.top() : -2, ttl, tries + 1);
      });
    });
  }

  /** Removes the entries that fell out of the size bound with offsets {@code (from, top]} (not waited for). */
  private void trim(String stream, Rule rule, String epoch, long from, long top) {
    long size = Math.max(1, rule.historySize());
    long hi = top - size;
    long lo = Math.max(1, Math.max(from - size + 1, hi - 255)); // a bounded range: what it leaves, the TTL removes
    if (hi < lo) {
      return;
    }
    List<String> gone = new ArrayList<>((int) (hi - lo + 1));
    for (long o = lo; o <= hi; o++) {
      gone.add(entryKey(stream, epoch, o));
    }
    map.removeAll(gone).onFailure(err -> LOG.debug("history of {}: entries beyond the size bound left to the TTL: {}", stream, err.toString()));
  }

  /**
   * Reads the messages after {@code since} (at most {@code limit}, oldest first) still in history. The first
   * one returned is {@code since+1} unless that fell out of history ({@code complete} false then). Only what the
   * meta names is read: an entry beyond it may be a write that failed (and is about to be marked skipped). Entries
   * are written before the meta naming them, so an entry the meta names but the grid does not hold has expired: a
   * gap, unless it is the newest ones (the answer's {@code top} then stops before them, so they arrive live).
   */
  public Future<History> read(String stream, Rule rule, long since, int limit) {
    return meta(stream).compose(meta -> {
      if (meta == null) {
        return Future.succeededFuture(new History(null, 0, List.of(), since == 0));
      }
      long known = meta.top();
      String epoch = meta.epoch();
      long oldest = Math.max(1, known - rule.historySize() + 1);
      long from = Math.max(since + 1, oldest);
      long to = Math.min(from + Math.max(0, limit) - 1, known);
      int n = (int) Math.max(0, to - from + 1);
      java.util.Set<String> keys = new java.util.HashSet<>();
      for (long o = from; o <= to; o++) {
        keys.add(entryKey(stream, epoch, o));
      }
      // one bulk read (one command per owner), not one get per message
      return (n == 0 ? Future.succeededFuture(java.util.Map.<String, String>of()) : map.getAll(keys)).map(all -> {
        List<JsonObject> found = new ArrayList<>(n);
        int lastPresent = -1;
        for (int i = 0; i < n; i++) {
          found.add(entryAt(all.get(entryKey(stream, epoch, from + i)), epoch, from + i));
          if (found.get(i) != null) {
            lastPresent = i;
          }
        }
        List<Entry> out = new ArrayList<>(n);
        boolean whole = since + 1 >= oldest && since <= known;
        for (int i = 0; i <= lastPresent; i++) {
          JsonObject j = found.get(i);
          if (j == null) {
            whole = false; // expired (TTL)
            out.clear();   // only a gap-free run after the gap is of use
          } else if (!j.containsKey("x")) { // "x": an offset whose write failed, no message (see write)
            out.add(new Entry(from + i, j.getValue("m")));
          }
        }
        // the tail after the last present entry is still being written (or gone) when the read reaches the meta's top
        long top = to == known && lastPresent < n - 1 ? from + lastPresent : known;
        return new History(epoch, Math.max(top, Math.min(since, known)), out, whole);
      });
    });
  }
}
