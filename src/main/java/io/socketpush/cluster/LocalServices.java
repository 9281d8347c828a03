package io.socketpush.cluster;

import io.socketpush.error.Failure;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Service shards bound on this node, called without the event bus when the key's owner is this node (the
 * single-node case, and the local share of a cluster's keys). A call hops onto the shard's own context (its
 * state stays confined to its event loop, as with the event bus) and its result back onto the caller's, in
 * the order the calls were made; the same fence check as the binder's interceptor applies. What the event
 * bus saves is the proxy's encode/decode of every argument and result, a reply consumer and a timeout timer
 * per call. Mutable JSON and collection arguments and results are copied, as the event bus would; a
 * {@link io.socketpush.message.PushMessage} is passed as is (its caller never changes it after publishing).
 *
 * <p>Registered per Vert.x instance (several nodes may share a JVM in tests) and address; the binding verticle
 * unbinds on stop, after which calls go over the event bus again.
 */
public final class LocalServices {
  private static final Map<Vertx, Map<String, Object>> BOUND = Collections.synchronizedMap(new WeakHashMap<>());

  private LocalServices() {
  }

  /**
   * Makes {@code impl}, bound at {@code address} with the event-bus binder, callable locally on {@code context};
   * {@code fenced}/{@code fencedMessage}: the binder's fence interceptor (a fenced node refuses calls UNAVAILABLE).
   */
  public static <S> void bind(Vertx vertx, String address, Class<S> iface, S impl, Context context,
      BooleanSupplier fenced, Supplier<String> fencedMessage) {
    Object proxy = Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface},
        new Local(vertx, impl, context, fenced, fencedMessage));
    BOUND.computeIfAbsent(vertx, v -> new ConcurrentHashMap<>()).put(address, proxy);
  }

  /** Calls to {@code address} go over the event bus again. */
  public static void unbind(Vertx vertx, String address) {
    Map<String, Object> m = BOUND.get(vertx);
    if (m != null) {
      m.remove(address);
    }
  }

  /** The local caller of the shard bound at {@code address} on this Vert.x instance, or null. */
  @SuppressWarnings("unchecked")
  public static <S> S lookup(Vertx vertx, String address) {
    Map<String, Object> m = BOUND.get(vertx);
    return m == null ? null : (S) m.get(address);
  }

  /**
   * Runs {@code work} on {@code target}'s context in a task of its own, always later (as an event-bus message is
   * handled: never inside the caller's call, even on the same thread), and completes the answer on the caller's
   * context, also in a task of its own when the work finished elsewhere. Tasks to one context run in the order queued.
   */
  public static <T> Future<T> call(Vertx vertx, Context target, Supplier<Future<T>> work) {
    ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
    ContextInternal to = (ContextInternal) target;
    Promise<T> result = Promise.promise();
    to.nettyEventLoop().execute(() -> to.dispatch(v -> {
      Future<T> f;
      try {
        f = work.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        ContextInternal now = ContextInternal.current();
        if (now != null && now.unwrap() == caller.unwrap()) {
          result.handle(ar);
        } else {
          caller.nettyEventLoop().execute(() -> caller.dispatch(x -> result.handle(ar)));
        }
      });
    }));
    return result.future();
  }

  private static final class Local implements InvocationHandler {
    private final Vertx vertx;
    private final Object impl;
    private final Context context;
    private final BooleanSupplier fenced;
    private final Supplier<String> fencedMessage;

    Local(Vertx vertx, Object impl, Context context, BooleanSupplier fenced, Supplier<String> fencedMessage) {
      this.vertx = vertx;
      this.impl = impl;
      this.context = context;
      this.fenced = fenced;
      this.fencedMessage = fencedMessage;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default -> "local " + impl.getClass().getSimpleName();
        };
      }
      Object[] copied = args == null ? null : new Object[args.length];
      for (int i = 0; copied != null && i < args.length; i++) {
        copied[i] = copy(args[i]);
      }
      return call(vertx, context, () -> {
        if (fenced.getAsBoolean()) {
          return Failure.UNAVAILABLE.fail(fencedMessage.get());
        }
        try {
          @SuppressWarnings("unchecked")
          Future<Object> f = (Future<Object>) method.invoke(impl, copied);
          return f.map(Local::copy);
        } catch (InvocationTargetException e) {
          return Future.failedFuture(e.getCause());
        } catch (Exception e) {
          return Future.failedFuture(e);
        }
      });
    }

    /** What the event bus would copy: JSON containers and collections; immutable values and data objects as they are. */
    private static Object copy(Object o) {
      if (o instanceof JsonObject j) {
        return j.copy();
      } else if (o instanceof JsonArray a) {
        return a.copy();
      } else if (o instanceof List<?> l) {
        return new ArrayList<>(l);
      } else if (o instanceof Map<?, ?> m) {
        return new LinkedHashMap<>(m);
      }
      return o;
    }
  }
}
