package io.socketpush.shard;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.LocalServices;
import io.socketpush.cluster.HashRing;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.delivery.Retry;
import io.socketpush.error.Failure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes calls of one service to the instance owning a key on that role's ring. A call that reaches a
 * non-owner (WRONG_SHARD) or a vanished owner (no handler) is re-routed after the ring had a moment to
 * change (every 250 ms, at most 4 times: the rings of two nodes can disagree for a moment after a death).
 *
 * <p>No call waits on a dead owner: every routed call is tracked per target node while it is in flight,
 * and when a ring change drops that node (the cluster view lost it, it left, or it missed heartbeats), its
 * calls do not wait for their reply timeout (the event bus keeps such a request until it times out). A
 * re-sendable call ({@link #route}: reads and idempotent writes) is sent at once to the key's new owner; a
 * call that must not be applied twice ({@link #routeOnce}: publishes) fails UNAVAILABLE after a short
 * grace in which a node that left gracefully can still answer. A re-sendable call that times out stays tracked
 * for {@link #TIMEOUT_GRACE_MS} more, so an owner whose death is detected only after the timeout still hands the call
 * to the new owner. With no instance of the role left, both fail UNAVAILABLE at once.
 *
 * @param <S> the service interface
 */
public final class Shard<S> {
  private static final Logger LOG = LoggerFactory.getLogger(Shard.class);

  /** Builds a proxy of the service bound at an address. */
  @FunctionalInterface
  public interface ProxyFactory<S> {
    S create(Vertx vertx, String address, long timeoutMs);
  }

  private static final long RETRY_DELAY_MS = 250;
  private static final int MAX_RETRIES = 4;
  /** How often one call may follow its key to a new owner after owners left (bounds a flapping ring). */
  private static final int MAX_MOVES = 3;
  /**
   * How long a call that is not re-sent may still be answered by an owner that left the ring: a node that
   * leaves gracefully answers what it already received within milliseconds; a dead one never does.
   */
  static final long LEFT_GRACE_MS = 300;
  /**
   * How long a re-sendable call that timed out waits for its owner to leave the ring before it fails: the cluster
   * drops a killed node 3-5 s after its death here (FD_SOCK2, VERIFY_SUSPECT2, the view change), about the reply
   * timeout, so a call sent right after the death can time out just before the ring changes.
   */
  static final long TIMEOUT_GRACE_MS = 3_000;

  private final Vertx vertx;
  private final Membership membership;
  private final Role role;
  private final String service;
  private final ProxyFactory<S> factory;
  private final long timeoutMs;
  private final Map<String, S> proxies = new ConcurrentHashMap<>();
  /** Calls in flight by target node; changed only through the map's atomic compute methods. */
  private final Map<String, Set<InFlight>> inFlight = new ConcurrentHashMap<>();

  /** One call in flight to one node; {@link #ownerLeft} runs at most once. */
  private static final class InFlight {
    final String node;
    final Runnable onLeft;
    final AtomicBoolean left = new AtomicBoolean();

    InFlight(String node, Runnable onLeft) {
      this.node = node;
      this.onLeft = onLeft;
    }

    void ownerLeft() {
      if (left.compareAndSet(false, true)) {
        onLeft.run();
      }
    }
  }

  public Shard(Vertx vertx, Membership membership, Role role, String service, ProxyFactory<S> factory, long timeoutMs) {
    this.vertx = vertx;
    this.membership = membership;
    this.role = role;
    this.service = service;
    this.factory = factory;
    this.timeoutMs = timeoutMs;
    membership.watchRings(this::onRingChange);
  }

  /** The proxy of the instance on {@code nodeId}; this node's own shard is called without the event bus ({@link LocalServices}). */
  public S on(String nodeId) {
    if (nodeId.equals(membership.nodeId())) {
      S local = LocalServices.lookup(vertx, Addresses.service(service, nodeId));
      if (local != null) {
        return local;
      }
    }
    return proxies.computeIfAbsent(nodeId, id -> factory.create(vertx, Addresses.service(service, id), timeoutMs));
  }

  /**
   * Calls the owner of {@code key}, re-routing once on WRONG_SHARD or a vanished owner, and re-sending the
   * call to the new owner at once if its owner leaves the ring while it is in flight. Only for calls that
   * may be applied twice (reads, idempotent writes).
   */
  public <T> Future<T> route(String key, Function<S, Future<T>> call) {
    return route(key, call, true);
  }

  /**
   * Like {@link #route}, for calls that must not be applied twice (publishes): if the owner leaves the ring
   * while the call is in flight, it fails UNAVAILABLE ({@link #LEFT_GRACE_MS} later unless answered)
   * instead of waiting for the reply timeout; it is never re-sent after it may have reached an owner.
   */
  public <T> Future<T> routeOnce(String key, Function<S, Future<T>> call) {
    return route(key, call, false);
  }

  /**
   * WRONG_SHARD and NO_HANDLERS mean the call was not applied, so it is safe to send again: after an owner
   * died, the caller's ring may be ahead of the new owner's (each detects the death on its own), so the
   * call is tried again every {@link #RETRY_DELAY_MS} up to {@link #MAX_RETRIES} times.
   */
  private <T> Future<T> route(String key, Function<S, Future<T>> call, boolean resend) {
    return Retry.retry(vertx, () -> attempt(key, call, resend, 0), Shard::retryable, MAX_RETRIES, RETRY_DELAY_MS);
  }

  /** Calls every instance of the role; fails only if all fail (partial answers are merged by callers). */
  public <T> Future<List<T>> all(Function<S, Future<T>> call) {
    HashRing ring = membership.ring(role);
    if (ring.isEmpty()) {
      return noInstance();
    }
    List<Future<T>> calls = new ArrayList<>();
    for (String node : ring.members()) {
      calls.add(call.apply(on(node)));
    }
    return Future.join(calls).transform(ar -> {
      List<T> out = new ArrayList<>();
      Throwable last = null;
      for (Future<T> f : calls) {
        if (f.succeeded()) {
          out.add(f.result());
        } else {
          last = f.cause();
        }
      }
      return out.isEmpty() && last != null ? Future.failedFuture(last) : Future.succeededFuture(out);
    });
  }

  /** Calls one instance: this node's if it runs the role, else the owner of {@code key}. */
  public <T> Future<T> any(String key, Function<S, Future<T>> call) {
    if (membership.ring(role).members().contains(membership.nodeId())) {
      return call.apply(on(membership.nodeId()));
    }
    return route(key, call);
  }

  /** The ring this shard routes on. */
  public HashRing ring() {
    return membership.ring(role);
  }

  /** Number of calls in flight, by target node (for tests and diagnostics). */
  public Map<String, Integer> inFlight() {
    Map<String, Integer> out = new TreeMap<>();
    inFlight.forEach((node, calls) -> out.put(node, calls.size()));
    return out;
  }

  /** Sends the call to the key's current owner, tracked until it completes or the owner leaves the ring. */
  private <T> Future<T> attempt(String key, Function<S, Future<T>> call, boolean resend, int moves) {
    Optional<String> owner = ring().owner(key);
    if (owner.isEmpty()) {
      return noInstance();
    }
    String node = owner.get();
    Context ctx = vertx.getOrCreateContext();
    Promise<T> result = Promise.promise();
    InFlight f = new InFlight(node, () -> ctx.runOnContext(v -> ownerLeft(node, key, call, resend, moves, result)));
    inFlight.compute(node, (k, calls) -> {
      Set<InFlight> out = calls == null ? new HashSet<>() : calls;
      out.add(f);
      return out;
    });
    call.apply(on(node)).onComplete(ar -> {
      if (ar.failed() && resend && Retry.timedOut(ar.cause())) {
        // a dead owner can take as long as the reply timeout to leave the ring: the call stays tracked a while, so
        // a ring change that drops the node meanwhile still sends it to the new owner (LoginFailoverIT)
        vertx.setTimer(TIMEOUT_GRACE_MS, t -> {
          untrack(f);
          result.tryFail(ar.cause());
        });
        return;
      }
      untrack(f);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    // tracked before this read: a ring change published before it is seen here, any later one sees the call
    if (!ring().members().contains(node)) {
      untrack(f);
      f.ownerLeft();
    }
    return result.future();
  }

  private <T> void ownerLeft(String node, String key, Function<S, Future<T>> call, boolean resend, int moves, Promise<T> result) {
    if (result.future().isComplete()) {
      return;
    }
    if (ring().isEmpty()) {
      result.tryFail(Failure.UNAVAILABLE.exception("no node runs the " + role.id() + " role (" + node + " left)"));
    } else if (resend && moves < MAX_MOVES) {
      LOG.debug("{} call for {} re-sent: owner {} left the {} ring", service, key, node, role.id());
      attempt(key, call, true, moves + 1).onComplete(ar -> {
        if (ar.succeeded()) {
          result.tryComplete(ar.result());
        } else {
          result.tryFail(ar.cause());
        }
      });
    } else {
      String why = resend ? "its owners kept leaving the ring" : "not re-sent: it may have been applied";
      vertx.setTimer(resend ? 1 : LEFT_GRACE_MS, t -> result.tryFail(Failure.UNAVAILABLE.exception(
          service + " call for " + key + ": node " + node + " left the " + role.id() + " ring while the call was in flight ("
              + why + ")")));
    }
  }

  private void untrack(InFlight f) {
    inFlight.computeIfPresent(f.node, (k, calls) -> {
      calls.remove(f);
      return calls.isEmpty() ? null : calls;
    });
  }

  /** Runs on the membership's context right after every ring rebuild. */
  private void onRingChange() {
    Set<String> members = ring().members();
    for (String node : List.copyOf(inFlight.keySet())) {
      if (!members.contains(node)) {
        Set<InFlight> calls = inFlight.remove(node);
        if (calls != null) {
          calls.forEach(InFlight::ownerLeft);
        }
      }
    }
  }

  private <T> Future<T> noInstance() {
    if (membership.fenced()) {
      return Failure.UNAVAILABLE.fail(membership.partitionedMessage());
    }
    return Failure.UNAVAILABLE.fail("no node runs the " + role.id() + " role");
  }

  private static boolean retryable(Throwable err) {
    return Failure.WRONG_SHARD.is(err) || Retry.noHandler(err);
  }
}
