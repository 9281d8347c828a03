package io.socketpush.events;

import io.socketpush.config.EventsConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook outbox: one queue per webhook and event key ({@code q|<webhook index>|<key>} -> a JSON array of
 * events, oldest first) in the distributed cache, so the events of one key keep their order and have one primary
 * owner that delivers them. Appends and acknowledgements are compare-and-set loops; a queue is short (drained as
 * delivered) and bounded ({@link #MAX_PENDING}: the oldest are dropped beyond it, with a log line).
 */
public final class Outbox implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  /** Most undelivered events of one webhook and key. */
  static final int MAX_PENDING = 10_000;
  private static final int CAS_TRIES = 50;

  private final OutboxStore store;
  private final List<EventsConfig.Webhook> hooks;
  private final String nodeId;
  private final java.util.Map<String, Future<Void>> tails = new java.util.HashMap<>();

  public Outbox(OutboxStore store, List<EventsConfig.Webhook> hooks, String nodeId) {
    this.store = store;
    this.hooks = hooks;
    this.nodeId = nodeId;
  }

  @Override
  public boolean wants(String type) {
    return hooks.stream().anyMatch(h -> h.events().contains(type));
  }

  static String prefix(int hook) {
    return "q|" + hook + "|";
  }

  /**
   * Stores the event, with a new unique id, in the queue of every webhook that wants its type. Completes once
   * both owners hold it.
   */
  @Override
  public Future<Void> emit(String type, String key, JsonObject data) {
    JsonObject event = new JsonObject().put("id", UUID.randomUUID().toString()).put("type", type).put("key", key)
        .put("at", System.currentTimeMillis()).put("data", data);
    Future<Void> all = Future.succeededFuture();
    for (int i = 0; i < hooks.size(); i++) {
      if (hooks.get(i).events().contains(type)) {
        String q = prefix(i) + key;
        all = all.compose(v -> inOrder(q, () -> update(q, events -> {
          events.add(event);
          while (events.size() > MAX_PENDING) {
            JsonObject dropped = events.getJsonObject(0);
            events.remove(0);
            LOG.warn("[{}] outbox {} holds more than {} events: dropped the oldest ({})", nodeId, q, MAX_PENDING,
                dropped.getString("id"));
          }
          return events;
        }, CAS_TRIES)));
      }
    }
    return all.onFailure(err -> LOG.warn("[{}] {} event of {} not stored in the outbox: {}", nodeId, type, key,
        err.getMessage()));
  }

  /** Runs appends to one queue one after the other, so a key's events are stored in the order they were emitted. */
  private synchronized Future<Void> inOrder(String queue, java.util.function.Supplier<Future<Void>> append) {
    Future<Void> prev = tails.getOrDefault(queue, Future.succeededFuture());
    Future<Void> next = prev.transform(ar -> append.get());
    tails.put(queue, next);
    next.onComplete(ar -> {
      synchronized (this) {
        if (tails.get(queue) == next) {
          tails.remove(queue);
        }
      }
    });
    return next;
  }

  /** The pending events of a queue, oldest first (empty when none). */
  Future<JsonArray> pending(String queue) {
    return store.get(queue).map(v -> v == null ? new JsonArray() : new JsonArray(v));
  }

  /** Removes delivered (or expired) events by id; events appended meanwhile stay. */
  Future<Void> ack(String queue, Set<String> ids) {
    return update(queue, events -> {
      JsonArray left = new JsonArray();
      for (int i = 0; i < events.size(); i++) {
        if (!ids.contains(events.getJsonObject(i).getString("id"))) {
          left.add(events.getJsonObject(i));
        }
      }
      return left;
    }, CAS_TRIES);
  }

  /** Read, change, compare-and-set; again on a concurrent change. An empty result removes the entry. */
  private Future<Void> update(String queue, UnaryOperator<JsonArray> change, int tries) {
    return store.get(queue).compose(old -> {
      JsonArray next = change.apply(old == null ? new JsonArray() : new JsonArray(old));
      Future<Boolean> done;
      if (old == null) {
        done = next.isEmpty() ? Future.succeededFuture(true) : store.putIfAbsent(queue, next.encode()).map(prev -> prev == null);
      } else if (next.isEmpty()) {
        done = store.remove(queue, old);
      } else {
        done = store.replace(queue, old, next.encode());
      }
      return done.compose(ok -> {
        if (ok) {
          return Future.<Void>succeededFuture();
        }
        if (tries <= 1) {
          return Future.failedFuture("outbox entry " + queue + " kept changing (" + CAS_TRIES + " tries)");
        }
        return update(queue, change, tries - 1);
      });
    });
  }

  OutboxStore store() {
    return store;
  }
}
