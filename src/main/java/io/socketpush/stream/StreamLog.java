package io.socketpush.stream;

import io.socketpush.config.StreamRules;
import io.socketpush.config.StreamRules.Rule;
import io.socketpush.stream.StreamStore.Entry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner's side of its streams: gives each accepted publish the next offset and writes it to the history
 * ({@link StreamStore}) before the publish may be delivered and acknowledged. Confined to the owner verticle's
 * event loop. Writes of one stream are group-committed: while one batch is being written, later publishes
 * queue and go in the next batch together (their entries in parallel, then one meta), so a stream's offsets
 * are written in order and its meta never goes back.
 *
 * <p>The stream's epoch and top offset are cached in memory and read again from the replicated meta on first
 * use and after every ring change ({@link #reset()}): a new owner after a failover continues the same offsets
 * with the same epoch. A new epoch is drawn only when the meta is gone (never written, or expired with the
 * history). Streams without history (rule size or TTL 0) keep their positions in memory only.
 */
public final class StreamLog {
  private static final Logger LOG = LoggerFactory.getLogger(StreamLog.class);
  private static final long SWEEP_EVERY_MS = 30_000;
  private static final int MAX_TAKEN_ROUNDS = 20;

  private static final class State {
    String epoch;
    long top;
    boolean loaded;
    boolean writing;
    long lastUsed;
    /** Entries of failed batches, written as skipped with the next batch (their offsets never go to another message). */
    List<Entry> skipped = new ArrayList<>();
    /**
     * The entries of the last batch whose meta write failed (MetaNotWritten): stored whole, but named by the meta only if
     * its write landed after all. The next meta read decides: named, they stay (a retry finds its key there); not
     * named, they are written as skipped, or a later meta would name them and a retry stored again elsewhere would be
     * read twice.
     */
    List<Entry> unconfirmed = new ArrayList<>();
    String unconfirmedEpoch;
    /**
     * Offsets of unconfirmed entries whose position a retry was told (the store counted its key: the meta write had
     * landed by then). The decision keeps them even if its meta read was served before the landing, or the retry's
     * acknowledged position would be written over by a skip mark.
     */
    java.util.Set<Long> answered = new java.util.HashSet<>();
    /** Offsets decided skipped whose marks are not written yet: a retry of their key is stored anew, not told them. */
    java.util.Set<Long> skipping = new java.util.HashSet<>();
    /** The meta's top as this owner last saw or wrote it (-1: no meta): the compare-and-set's expected value. */
    long metaTop = -1;
    List<Pending> waiting = new ArrayList<>();
    /** Batches in a row that found some of their offsets taken by another writer. */
    int takenRounds;
  }

  private record Pending(Object message, String key, Promise<Position> promise) {
  }

  /** An append's outcome: the message's position, and whether it was a retry already in the stream. */
  public record Appended(Position position, boolean duplicate) {
  }

  /** Longest idempotency key accepted. */
  public static final int MAX_KEY_LENGTH = io.socketpush.error.Validate.MAX_ID_LENGTH;

  /**
   * Publishes by stream + idempotency key, in flight or completed less than a sweep ago: a retry arriving
   * meanwhile waits for the first (also one whose grid lookup was answered before the first's key was written).
   */
  private final Map<String, Future<Position>> inFlight = new HashMap<>();
  private final Map<String, Long> inFlightSince = new HashMap<>();

  private final StreamStore store;
  private final Supplier<StreamRules> rules;
  private final String nodeId;
  private final Map<String, State> states = new HashMap<>();
  private long lastSweep = System.currentTimeMillis();

  public StreamLog(StreamStore store, Supplier<StreamRules> rules, String nodeId) {
    this.store = store;
    this.rules = rules;
    this.nodeId = nodeId;
  }

  /** The store the history lives in. */
  public StreamStore store() {
    return store;
  }

  /** The history rule of a stream. */
  public Rule rule(String stream) {
    return rules.get().forStream(stream);
  }

  /** A fresh epoch: random, so two owners never draw the same one. */
  static String newEpoch() {
    return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }

  /**
   * Gives the message the stream's next position and stores it in the history; completes once the entry and
   * the meta naming it are written (2 owners), so the caller may deliver and acknowledge it.
   */
  public Future<Position> append(String stream, Object message) {
    return append(stream, message, null);
  }

  /**
   * BAD_REQUEST for a key that is not a valid id (empty, longer than {@link #MAX_KEY_LENGTH}, control
   * characters: the rules of {@link io.socketpush.error.Validate#idError}); null when fine (null keys are fine).
   */
  public static <T> Future<T> validKey(String key) {
    return key == null ? null : io.socketpush.error.Validate.ids("idempotencyKey", key);
  }

  /**
   * The position an earlier publish with this idempotency key got in the stream, if it is still in the history
   * window (null otherwise, or without a key).
   */
  public Future<Position> recall(String stream, String key) {
    if (key == null || !rule(stream).enabled()) {
      return Future.succeededFuture();
    }
    Future<Position> running = inFlight.get(stream + "|" + key);
    if (running != null) {
      return running.otherwise((Position) null);
    }
    return store.position(stream, rule(stream), key).map(p -> trusted(stream, p));
  }

  /**
   * A stored key's position, unless this owner knows its batch failed: beyond the last offset it stored, in the
   * same epoch, the next batch takes that offset again (see flush), and an offset it decided to mark skipped will
   * not hold the message, so the retry must be stored anew. A position told from an unconfirmed batch is kept by
   * {@link #confirm}.
   */
  private Position trusted(String stream, Position p) {
    State s = states.get(stream);
    if (p == null || s == null) {
      return p;
    }
    if (p.epoch().equals(s.epoch) && ((s.loaded && p.offset() > s.top) || s.skipping.contains(p.offset()))) {
      return null;
    }
    if (p.epoch().equals(s.unconfirmedEpoch) && !s.unconfirmed.isEmpty() && p.offset() >= s.unconfirmed.get(0).offset()
        && p.offset() <= s.unconfirmed.get(s.unconfirmed.size() - 1).offset()) {
      s.answered.add(p.offset()); // a retry now holds this position: confirm keeps it
    }
    return p;
  }

  /**
   * {@link #append} once per idempotency key: a retry whose first attempt is in flight or in the history
   * window gets the first attempt's position ({@code duplicate}). Without history the key is not kept.
   */
  public Future<Appended> appendOnce(String stream, Object message, String key) {
    if (key == null || !rule(stream).enabled()) {
      return append(stream, message, null).map(p -> new Appended(p, false));
    }
    String k = stream + "|" + key;
    Future<Position> running = inFlight.get(k);
    if (running != null) {
      return running.map(p -> new Appended(p, true));
    }
    return store.position(stream, rule(stream), key).map(p -> trusted(stream, p)).compose(first -> first != null
        ? Future.succeededFuture(new Appended(first, true))
        : appendRecalled(stream, message, key));
  }

  /**
   * {@link #appendOnce} after the caller's {@link #recall} found no earlier attempt (saves the second grid read):
   * an attempt that started meanwhile on this owner is still answered as the first.
   */
  public Future<Appended> appendRecalled(String stream, Object message, String key) {
    if (key == null || !rule(stream).enabled()) {
      return append(stream, message, null).map(p -> new Appended(p, false));
    }
    String k = stream + "|" + key;
    Future<Position> again = inFlight.get(k); // another attempt started while we looked
    if (again != null) {
      return again.map(p -> new Appended(p, true));
    }
    Future<Position> f = append(stream, message, key);
    inFlight.put(k, f);
    inFlightSince.put(k, System.currentTimeMillis());
    f.onFailure(err -> {
      inFlight.remove(k); // not stored: a retry must try again
      inFlightSince.remove(k);
    });
    return f.map(p -> new Appended(p, false));
  }

  private Future<Position> append(String stream, Object message, String key) {
    long now = System.currentTimeMillis();
    sweep(now);
    State s = states.computeIfAbsent(stream, k -> new State());
    s.lastUsed = now;
    Rule rule = rule(stream);
    if (!rule.enabled()) {
      if (s.epoch == null) {
        s.epoch = newEpoch();
      }
      return Future.succeededFuture(new Position(s.epoch, ++s.top));
    }
    Promise<Position> p = Promise.promise();
    s.waiting.add(new Pending(message, key, p));
    if (!s.writing) {
      flush(stream, s, rule);
    }
    return p.future();
  }

  private void flush(String stream, State s, Rule rule) {
    s.writing = true;
    Future<Void> ready = s.loaded ? Future.succeededFuture() : store.meta(stream).map(meta -> {
      if (meta == null) {
        if (s.epoch != null) {
          LOG.info("[{}] history of {} is gone (expired or lost): new epoch", nodeId, stream);
        }
        s.epoch = newEpoch();
        s.top = 0;
        s.metaTop = -1;
        s.skipped.clear();
        s.skipping.clear();
      } else {
        if (!meta.epoch().equals(s.epoch)) {
          s.skipped.clear(); // marks of another epoch
          s.skipping.clear();
        }
        // never back in the same epoch: offsets this owner itself gave out stay given, even when the meta read
        // after a ring change is older than its own last write (a read served by a copy the write has not reached)
        s.top = meta.epoch().equals(s.epoch) ? Math.max(s.top, meta.top()) : meta.top();
        s.epoch = meta.epoch();
        s.metaTop = meta.top();
      }
      confirm(s, meta);
      s.loaded = true;
      return null;
    });
    ready.compose(v -> {
      List<Pending> batch = s.waiting;
      s.waiting = new ArrayList<>();
      List<Entry> entries = new ArrayList<>(batch.size());
      Map<String, Long> keys = new HashMap<>();
      long offset = s.top;
      for (Pending p : batch) {
        entries.add(new Entry(++offset, p.message(), p.key()));
        if (p.key() != null) {
          keys.put(p.key(), offset);
        }
      }
      long top = offset;
      String epoch = s.epoch;
      List<Entry> skipped = s.skipped;
      s.skipped = new ArrayList<>();
      return store.write(stream, rule, epoch, entries, top, s.metaTop, keys, skipped).transform(ar -> {
        if (ar.succeeded()) {
          skipped.forEach(e -> s.skipping.remove(e.offset())); // marked: a retry's key no longer counts there
          s.metaTop = ar.result().metaTop();
          s.top = Math.max(s.top, Math.max(top, s.metaTop)); // another writer's newer meta: continue after it
          java.util.Set<Long> taken = ar.result().taken();
          List<Pending> again = new ArrayList<>();
          for (int i = 0; i < batch.size(); i++) {
            if (taken.contains(entries.get(i).offset())) {
              again.add(batch.get(i));
            } else {
              batch.get(i).promise().complete(new Position(epoch, entries.get(i).offset()));
            }
          }
          if (!again.isEmpty()) {
            requeue(stream, s, again, taken);
          } else {
            s.takenRounds = 0;
          }
        } else {
          // The entries may have landed in part (with one owner frozen, the puts it was primary for never happened
          // while the others did) or may still land: a put that timed out reaches a backup once a flapping link is
          // up again. Reusing the offsets let such a late write put an unacknowledged message over an acknowledged
          // one at the same position, which edges then dropped as written (PartitionIT, flapping link, counted over
          // the whole run: 9-17 acknowledged messages lost per run). So the offsets are never given to another
          // message; the next batch writes them as skipped, so readers find no hole (a hole failed every resume or
          // gap repair across it: CI, a resume told recovered:false, 22 messages lost).
          s.top = Math.max(s.top, top);
          if (ar.cause() instanceof StreamStore.MetaNotWritten) { // the entries (and skip marks) are whole
            s.loaded = false; // the meta may have landed or not: read it again before the next compare-and-set
            s.unconfirmed.addAll(entries); // that read decides whether they stay (confirm)
            s.unconfirmedEpoch = epoch;
          } else {
            skipped.addAll(entries);
            entries.forEach(e -> s.skipping.add(e.offset()));
            s.skipped = skipped;
          }
          Throwable err = unavailable(stream, ar.cause());
          batch.forEach(p -> p.promise().fail(err));
        }
        return Future.<Void>succeededFuture();
      });
    }).onComplete(ar -> {
      if (ar.failed()) { // the meta could not be read
        s.loaded = false;
        List<Pending> batch = s.waiting;
        s.waiting = new ArrayList<>();
        Throwable err = unavailable(stream, ar.cause());
        batch.forEach(p -> p.promise().fail(err));
      }
      s.writing = false;
      if (!s.waiting.isEmpty()) {
        flush(stream, s, rule(stream));
      }
    });
  }

  /**
   * After a meta write that failed: the entries it was to name stay if the meta read now names them (the write landed
   * after all), or if a retry was already told one of their offsets (the write landed after this read was served, but
   * before the retry asked: marking them skipped would take the message from the position the retry acknowledged);
   * otherwise they are written as skipped with the next batch. Without this, a publish whose meta write
   * failed was stored twice when retried: its entries, still carrying the message, were named by the next batch's
   * meta, and the retry (its key not counted, see {@link StreamStore#position}) was stored at a new offset
   * (StreamFaultsIT, SIGSTOP of a grid member: user.su0 #756 at offsets 127 and 128).
   */
  private static void confirm(State s, StreamStore.Meta meta) {
    if (s.unconfirmed.isEmpty()) {
      return;
    }
    long last = s.unconfirmed.get(s.unconfirmed.size() - 1).offset();
    // a retry told an offset of the batch means the store counted its key: the meta write had landed by then, and
    // this read was served from before it (the landing came late); the meta names the whole batch
    boolean named = !s.answered.isEmpty() || meta != null && meta.epoch().equals(s.unconfirmedEpoch) && meta.top() >= last;
    if (!named && s.unconfirmedEpoch.equals(s.epoch)) {
      s.skipped.addAll(s.unconfirmed);
      s.unconfirmed.forEach(e -> s.skipping.add(e.offset())); // from now on a retry of theirs is stored anew
    }
    s.answered.clear();
    s.unconfirmed = new ArrayList<>();
    s.unconfirmedEpoch = null;
  }

  /**
   * Another writer holds some offsets of the batch just written (a second owner during a ring change, or a late write
   * of the previous one): their messages are not stored. They go first in the next batch, at offsets after this one,
   * after the meta is read again (the other owner's newer top). Bounded: a stream that keeps losing its offsets
   * fails those publishes UNAVAILABLE (retryable) instead of looping.
   */
  private void requeue(String stream, State s, List<Pending> again, java.util.Set<Long> taken) {
    s.loaded = false;
    if (++s.takenRounds > MAX_TAKEN_ROUNDS) {
      s.takenRounds = 0;
      Throwable err = unavailable(stream, new IllegalStateException("offsets taken by another writer " + MAX_TAKEN_ROUNDS + " times in a row"));
      again.forEach(p -> p.promise().fail(err));
      return;
    }
    LOG.info("[{}] offsets {} of {} are another writer's (ring change): {} message(s) written again after them", nodeId,
        taken, stream, again.size());
    again.addAll(s.waiting);
    s.waiting = again;
  }

  /**
   * A grid failure (timeout, a partition refusing writes, a lost owner) as the catalogue's UNAVAILABLE: the
   * publish was not acknowledged and may be retried (with its idempotency key); catalogue failures stay as they are.
   */
  private Throwable unavailable(String stream, Throwable cause) {
    if (cause instanceof io.vertx.serviceproxy.ServiceException) {
      return cause;
    }
    LOG.warn("[{}] history of {} not written: {}", nodeId, stream, String.valueOf(cause));
    return io.socketpush.error.Failure.UNAVAILABLE.exception("the stream's history could not be written; try again");
  }

  /**
   * Reads a stream's history for the history API: {@code {"epoch", "top", "messages": [{"offset", "message"}]}}.
   * {@code limit} 0: as many as the stream keeps. Fails BAD_REQUEST for a malformed {@code since} or a negative
   * {@code limit}.
   */
  public Future<io.vertx.core.json.JsonObject> history(String stream, String since, int limit) {
    long after;
    try {
      after = since == null || since.isEmpty() ? 0 : Long.parseLong(since);
    } catch (NumberFormatException e) {
      return io.socketpush.error.Failure.BAD_REQUEST.fail("since must be an offset (an integer as a string)");
    }
    if (after < 0) {
      return io.socketpush.error.Failure.BAD_REQUEST.fail("since must not be negative");
    }
    if (limit < 0) {
      return io.socketpush.error.Failure.BAD_REQUEST.fail("limit must be 0 (as many as the stream keeps) or more");
    }
    Rule rule = rule(stream);
    int max = Math.max(1, rule.historySize());
    if (!rule.enabled()) {
      return Future.succeededFuture(new StreamStore.History(null, 0, List.of(), false).toJson());
    }
    return store.read(stream, rule, after, limit == 0 ? max : Math.min(limit, max)).map(StreamStore.History::toJson);
  }

  /**
   * The last position this owner stored in the stream since its last ring change; null when it stored none (or
   * the stream keeps no history: nothing to read back). What an edge announcing the stream must have written.
   */
  public Position top(String stream) {
    State s = states.get(stream);
    return s == null || !s.loaded || s.epoch == null || s.top <= 0 || !rule(stream).enabled() ? null : new Position(s.epoch, s.top);
  }

  /** {@link #top} of each key's stream ({@code address} maps a key to it), as {@code stream -> "epoch:offset"}. */
  public io.vertx.core.json.JsonObject tops(List<String> keys, java.util.function.Function<String, String> address) {
    io.vertx.core.json.JsonObject out = new io.vertx.core.json.JsonObject();
    for (String k : keys) {
      String stream = address.apply(k);
      Position p = top(stream);
      if (p != null) {
        out.put(stream, p.toString());
      }
    }
    return out;
  }

  /** The ring changed: read every stream's meta again before its next publish (another owner may have written). */
  public void reset() {
    for (State s : states.values()) {
      s.loaded = false;
    }
  }

  /** Forgets idle streams (their meta in the grid stays the truth). */
  private void sweep(long now) {
    if (now - lastSweep < SWEEP_EVERY_MS) {
      return;
    }
    lastSweep = now;
    inFlightSince.entrySet().removeIf(e -> {
      boolean old = now - e.getValue() > SWEEP_EVERY_MS && inFlight.get(e.getKey()).isComplete();
      if (old) {
        inFlight.remove(e.getKey()); // the grid has the key by now
      }
      return old;
    });
    for (Iterator<Map.Entry<String, State>> it = states.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, State> e = it.next();
      State s = e.getValue();
      long idle = Math.max(SWEEP_EVERY_MS, rule(e.getKey()).historyTtl());
      if (!s.writing && s.waiting.isEmpty() && now - s.lastUsed > idle) {
        it.remove();
      }
    }
  }
}
