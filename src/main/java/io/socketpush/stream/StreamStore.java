package io.socketpush.stream;

import io.socketpush.config.StreamRules.Rule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stream history in the cluster's distributed data: the cache {@value #MAP} (Infinispan, 2 owners, sync; see
 * conf/infinispan.xml), reached through Vert.x's clustered {@link AsyncMap}, whose calls are Infinispan's async
 * API (never blocking the event loop). One entry per message, {@code e|<stream>|<offset>} ->
 * {@code {"e": epoch, "m": message}}, and one small meta entry per stream, {@code m|<stream>} ->
 * {@code {"e": epoch, "top": offset}}, both with the stream's history TTL (the meta's is renewed by every
 * publish, so it outlives the stream's last message). Never one growing value: a publish writes its entry,
 * then the meta, and removes the entry that fell out of the size bound.
 */
public final class StreamStore {
  private static final Logger LOG = LoggerFactory.getLogger(StreamStore.class);
  /** The distributed cache holding every stream's history. */
  public static final String MAP = "socketpush.streams";

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

  private final AsyncMap<String, String> map;

  private StreamStore(AsyncMap<String, String> map) {
    this.map = map;
  }

  /** Opens the history cache (a local map when Vert.x is not clustered). */
  public static Future<StreamStore> open(Vertx vertx) {
    return vertx.sharedData().<String, String>getAsyncMap(MAP).map(StreamStore::new);
  }

  static String metaKey(String stream) {
    return "m|" + stream;
  }

  static String entryKey(String stream, long offset) {
    return "e|" + stream + "|" + offset;
  }

  static String keyKey(String stream, String idempotencyKey) {
    return "k|" + stream + "|" + idempotencyKey;
  }

  /** The position stored for an idempotency key of the stream, or null. */
  public Future<Position> position(String stream, String idempotencyKey) {
    return map.get(keyKey(stream, idempotencyKey)).map(Position::parse).compose(p -> p == null ? Future.succeededFuture()
        : Future.all(meta(stream), map.get(entryKey(stream, p.offset()))).map(both -> {
          // a key counts only if its batch was stored: the entry at its offset carries the key and the meta names
          // that offset. A batch that failed half-way may have written the key (and even the entry) without the
          // meta; the next batch then reuses the offset (CI: a retry answered 110 while the meta said 109, the
          // next message got 110 too and edges dropped it as written; the resume from 110 was not recovered)
          Meta m = both.resultAt(0);
          String e = both.resultAt(1);
          JsonObject entry = e == null ? null : new JsonObject(e);
          boolean stored = m != null && m.epoch().equals(p.epoch()) && m.top() >= p.offset() && entry != null
              && p.epoch().equals(entry.getString("e")) && idempotencyKey.equals(entry.getString("k"));
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

  /** Marks a user "between sockets" unless it is already (keeps the first mark's expiry); true if newly marked. */
  public Future<Boolean> markAwayIfAbsent(String userId, long graceMs) {
    return map.putIfAbsent("a|" + userId, String.valueOf(System.currentTimeMillis()), Math.max(1, graceMs)).map(prev -> prev == null);
  }

  /** Whether a user is between sockets (its away mark has not expired). */
  public Future<Boolean> isAway(String userId) {
    return map.get("a|" + userId).map(v -> v != null);
  }

  /** A user has sockets again: no away mark, and a "seen" mark that outlives its owner and its edge. */
  public Future<Void> markPresent(String userId) {
    return Future.all(map.remove("a|" + userId), map.put("p|" + userId, "1")).mapEmpty();
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
   * Writes a batch of consecutive messages (offsets {@code top-n+1..top}) and the meta naming {@code top}, all
   * at once (one round trip to the owners): until it completes, nothing of the batch is delivered or
   * acknowledged, so a reader that sees the meta before the newest entries treats those as not written yet
   * ({@link #read}). Entries beyond the size bound are removed afterwards (not awaited: the TTL bounds them).
   */
  public Future<Void> write(String stream, Rule rule, String epoch, List<Entry> entries, long top) {
    return write(stream, rule, epoch, entries, top, java.util.Map.of());
  }

  /** {@link #write} plus idempotency keys -> the offsets their publishes got (kept for the history TTL). */
  public Future<Void> write(String stream, Rule rule, String epoch, List<Entry> entries, long top, java.util.Map<String, Long> keys) {
    List<Future<Void>> puts = new ArrayList<>(entries.size() + keys.size() + 1);
    keys.forEach((k, offset) -> puts.add(map.put(keyKey(stream, k), epoch + ":" + offset, rule.historyTtl())));
    for (Entry e : entries) {
      JsonObject j = new JsonObject().put("e", epoch).put("m", e.message());
      if (e.key() != null) {
        j.put("k", e.key()); // lets a later retry check that its key's batch was stored (see position)
      }
      String v = j.encode();
      puts.add(map.put(entryKey(stream, e.offset()), v, rule.historyTtl()));
    }
    puts.add(map.put(metaKey(stream), new JsonObject().put("e", epoch).put("top", top).encode(), rule.historyTtl()));
    return Future.all(puts).<Void>mapEmpty()
        .onSuccess(v -> {
          for (Entry e : entries) {
            long old = e.offset() - rule.historySize();
            if (old > 0) {
              map.remove(entryKey(stream, old)).onFailure(err ->
                  LOG.debug("removing {} #{} from history failed (its TTL removes it): {}", stream, old, err.getMessage()));
            }
          }
        });
  }

  /**
   * Reads the messages after {@code since} (at most {@code limit}, oldest first) still in history. The first
   * one returned is {@code since+1} unless that fell out of history ({@code complete} false then). Newest
   * entries the meta names but the grid does not hold yet are being written (not delivered to anyone yet):
   * the answer's {@code top} then stops before them, so they arrive live.
   */
  public Future<History> read(String stream, Rule rule, long since, int limit) {
    return meta(stream).compose(meta -> {
      if (meta == null) {
        return Future.succeededFuture(new History(null, 0, List.of(), since == 0));
      }
      long oldest = Math.max(1, meta.top() - rule.historySize() + 1);
      long from = Math.max(since + 1, oldest);
      long to = Math.min(meta.top(), from + Math.max(0, limit) - 1);
      boolean complete = since + 1 >= oldest && since <= meta.top();
      List<Future<String>> gets = new ArrayList<>();
      for (long o = from; o <= to; o++) {
        gets.add(map.get(entryKey(stream, o)));
      }
      return Future.all(gets).map(all -> {
        List<JsonObject> found = new ArrayList<>(gets.size());
        int lastPresent = -1;
        for (int i = 0; i < gets.size(); i++) {
          String s = gets.get(i).result();
          JsonObject j = s == null ? null : new JsonObject(s);
          found.add(j != null && meta.epoch().equals(j.getString("e")) ? j : null);
          if (found.get(i) != null) {
            lastPresent = i;
          }
        }
        List<Entry> out = new ArrayList<>(gets.size());
        boolean whole = complete;
        for (int i = 0; i <= lastPresent; i++) {
          if (found.get(i) == null) {
            whole = false; // expired (TTL) or left over from another epoch
            out.clear();   // only a gap-free run after the gap is of use
          } else {
            out.add(new Entry(from + i, found.get(i).getValue("m")));
          }
        }
        // the tail after the last present entry is still being written when it reaches the meta's top
        long top = to == meta.top() && lastPresent < gets.size() - 1 ? from + lastPresent : meta.top();
        return new History(meta.epoch(), Math.max(top, Math.min(since, meta.top())), out, whole);
      });
    });
  }
}
