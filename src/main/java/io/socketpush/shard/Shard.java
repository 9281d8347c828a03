package io.socketpush.shard;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.error.Failure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Routes calls of one service to the instance owning a key on that role's ring. A call that reaches a
 * non-owner (WRONG_SHARD) or a vanished owner is re-routed once after the ring had a moment to change.
 *
 * @param <S> the service interface
 */
public final class Shard<S> {

  /** Builds a proxy of the service bound at an address. */
  @FunctionalInterface
  public interface ProxyFactory<S> {
    S create(Vertx vertx, String address, long timeoutMs);
  }

  private static final long RETRY_DELAY_MS = 250;

  private final Vertx vertx;
  private final Membership membership;
  private final Role role;
  private final String service;
  private final ProxyFactory<S> factory;
  private final long timeoutMs;
  private final Map<String, S> proxies = new ConcurrentHashMap<>();

  public Shard(Vertx vertx, Membership membership, Role role, String service, ProxyFactory<S> factory, long timeoutMs) {
    this.vertx = vertx;
    this.membership = membership;
    this.role = role;
    this.service = service;
    this.factory = factory;
    this.timeoutMs = timeoutMs;
  }

  /** The proxy of the instance on {@code nodeId}. */
  public S on(String nodeId) {
    return proxies.computeIfAbsent(nodeId, id -> factory.create(vertx, Addresses.service(service, id), timeoutMs));
  }

  /** Calls the owner of {@code key}, re-routing once on WRONG_SHARD or a vanished owner. */
  public <T> Future<T> route(String key, Function<S, Future<T>> call) {
    return attempt(key, call).recover(err -> {
      if (!retryable(err)) {
        return Future.failedFuture(err);
      }
      Promise<Void> wait = Promise.promise();
      vertx.setTimer(RETRY_DELAY_MS, t -> wait.complete());
      return wait.future().compose(v -> attempt(key, call));
    });
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

  private <T> Future<T> attempt(String key, Function<S, Future<T>> call) {
    return ring().owner(key).map(owner -> call.apply(on(owner))).orElseGet(this::noInstance);
  }

  private <T> Future<T> noInstance() {
    if (membership.fenced()) {
      return Failure.UNAVAILABLE.fail(membership.partitionedMessage());
    }
    return Failure.UNAVAILABLE.fail("no node runs the " + role.id() + " role");
  }

  private static boolean retryable(Throwable err) {
    if (Failure.WRONG_SHARD.is(err)) {
      return true;
    }
    return err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
  }
}
