package io.socketpush.edge;

import io.socketpush.auth.TokenVerifier;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.error.Failure;
import io.socketpush.message.Pages;
import io.socketpush.ops.NodeMetrics;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The auth flow of the edge's sockets: session and token checks, joining a socket to its local user, the attach of a
 * user's first socket (presence, subscriptions, channel interest) and its undoing, token refresh and subscription
 * tokens. Confined to the edge verticle's event loop.
 */
final class EdgeAuth {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);
  private static final String NO_TOKENS = "token auth is not configured on this server (tokens section)";

  private final String nodeId;
  private final Services services;
  private final RuntimeConfig config;
  private final NodeMetrics metrics;
  private final SubscriptionMirror mirror;
  private final Sweeps sweeps;
  /** Called with a user's id when the user left this node (no socket left). */
  private final Consumer<String> userLeft;
  /** Ends a socket's registration (as an unregister frame would). */
  private final BiConsumer<ClientSession, String> unregister;
  /** Verifies connection and subscription tokens; null when token auth is off (no key configured). */
  private TokenVerifier tokens;

  EdgeAuth(String nodeId, Services services, RuntimeConfig config, NodeMetrics metrics, SubscriptionMirror mirror,
      Sweeps sweeps, Consumer<String> userLeft, BiConsumer<ClientSession, String> unregister) {
    this.nodeId = nodeId;
    this.services = services;
    this.config = config;
    this.metrics = metrics;
    this.mirror = mirror;
    this.sweeps = sweeps;
    this.userLeft = userLeft;
    this.unregister = unregister;
  }

  void tokens(TokenVerifier verifier) {
    this.tokens = verifier;
  }

  /** See {@link EdgeNode#authenticate}. */
  Future<Void> authenticate(ClientSession s, String userId, String sessionId) {
    return services.auth().check(userId, sessionId).onFailure(err -> metrics.authFailed(Failure.of(err))).compose(u -> join(s, u))
        .onSuccess(v -> {
          if (s.byToken() && s.authenticated()) {
            s.sessionAccepted(); // a token socket that logged in with a session again: no token, no expiry
            sweeps.expireAt(s, 0, 0);
          }
        });
  }

  /** See {@link EdgeNode#authenticateToken}. */
  Future<Void> authenticateToken(ClientSession s, Object token) {
    if (tokens == null) {
      return Failure.BAD_REQUEST.fail(NO_TOKENS);
    }
    return tokens.connection(token).onFailure(err -> metrics.authFailed(Failure.of(err))).compose(c -> {
      if (s.userId() != null && !s.userId().equals(c.userId())) {
        return Failure.ACCESS_DENIED.fail("socket is authenticated as another user");
      }
      List<Future<Void>> subscriptions = new ArrayList<>();
      for (String channel : c.channels()) {
        subscriptions.add(services.channel().subscribe(c.userId(), channel));
      }
      return Future.all(subscriptions).compose(v -> join(s, c.userId())).map(v -> {
        if (!s.closed() && s.authenticated()) {
          s.tokenAccepted(c);
          sweeps.expireAt(s, c.exp(), tokens.leeway());
        }
        return null;
      });
    });
  }

  /** A fresh connection token for a token-authenticated socket: same user; the socket now expires at its exp. */
  Future<Long> refresh(ClientSession s, Object token) {
    if (tokens == null) {
      return Failure.BAD_REQUEST.fail(NO_TOKENS);
    }
    return tokens.connection(token).compose(c -> {
      if (!c.userId().equals(s.userId())) {
        return Failure.AUTH_FAILED.fail("token rejected: the refresh token is for another user");
      }
      if (!s.closed()) {
        s.tokenAccepted(c);
        sweeps.expireAt(s, c.exp(), tokens.leeway());
      }
      return Future.succeededFuture(c.exp());
    }); // a refusal is answered (and logged) by the session's err frame
  }

  /** Joins the socket's user to the channel a subscription token names; the channel id. */
  Future<String> subscribeWithToken(ClientSession s, Object token) {
    if (tokens == null) {
      return Failure.BAD_REQUEST.fail(NO_TOKENS);
    }
    return tokens.subscription(token, s.userId())
        .compose(c -> services.channel().subscribe(c.userId(), c.channel()).map(c.channel()));
  }

  /** Joins an authenticated socket to its user on this node (see {@link EdgeNode#authenticate}). */
  private Future<Void> join(ClientSession s, String u) {
    if (s.closed()) {
      return Future.succeededFuture();
    }
    LocalUser lu = mirror.user(u);
    int maxSockets = config.get().edge().maxSocketsPerUser();
    if (lu != null && !lu.sockets.contains(s) && lu.sockets.size() >= maxSockets) {
      return Failure.LIMIT_EXCEEDED.fail("user " + u + " already has " + maxSockets + " sockets on this node");
    }
    if (lu == null) {
      lu = mirror.addUser(u);
      lu.ready = attach(u, lu);
    }
    LocalUser joined = lu;
    mirror.addSocket(joined, s);
    s.joined(u);
    return joined.ready.map(v -> {
      if (!s.closed() && joined.sockets.contains(s)) {
        s.attached();
        sweeps.cancelAuthTimeout(s);
      }
      return null;
    });
  }

  /** The socket closed: leaves its user, and the user leaves this node when it was its last socket. */
  void left(ClientSession s) {
    String u = s.userId();
    LocalUser lu = u == null ? null : mirror.user(u);
    if (lu == null || !mirror.removeSocket(lu, s)) {
      return;
    }
    // while its attach is in flight the user stays: the attach's end removes it if no socket is left, so a
    // late answer never adds channels or interest for a user nobody holds any more
    if (lu.sockets.isEmpty() && lu.ready.isComplete()) {
      removeUser(u, lu);
    }
  }

  /** Forgets a user with no socket left: its channels (and their interest at the owners) and its presence. */
  private void removeUser(String u, LocalUser lu) {
    if (!mirror.removeUser(u, lu)) {
      return;
    }
    userLeft.accept(u);
    services.presence().detach(u, nodeId).onFailure(err ->
        LOG.warn("[{}] detach of user {} failed (anti-entropy will repair): {}", nodeId, u, err.getMessage()));
  }

  /**
   * Attaches a user's first socket: presence at the user's owner, then the user's subscriptions and the
   * interest of this node in their channels, then tells the owner this edge is ready when it holds the user's online
   * for it (so the online's join frames find this edge interested). Presence comes first so that a subscribe landing
   * during the attach reaches this edge. Completes after its outcome was applied to the local maps.
   */
  private Future<Void> attach(String u, LocalUser lu) {
    return services.presence().attach(u, nodeId)
        .compose(held -> Pages.all(cursor -> services.channel().getSubscriptions(u, 0, cursor))
            .compose(channels -> {
              List<Future<Boolean>> interests = new ArrayList<>();
              for (String c : channels) {
                if (mirror.addChannel(u, lu, c)) {
                  interests.add(services.interest().attach(c, nodeId));
                }
              }
              return Future.all(interests);
            })
            .andThen(ar -> {
              if (ar.succeeded() && Boolean.TRUE.equals(held)) {
                // not awaited: the owner's deadline releases the online if this is lost
                services.presence().ready(u, nodeId).onFailure(err ->
                    LOG.debug("[{}] ready of user {} not taken (its owner's deadline releases it): {}", nodeId, u, err.getMessage()));
              }
            }))
        .<Void>mapEmpty()
        .andThen(ar -> {
          if (ar.failed()) {
            attachFailed(u, lu, ar.cause());
          } else if (lu.sockets.isEmpty()) {
            removeUser(u, lu); // every socket closed while the attach was in flight
          }
        });
  }

  /** Undoes a failed attach: no socket stays half-authenticated and the user is attached again from scratch. */
  private void attachFailed(String u, LocalUser lu, Throwable err) {
    LOG.warn("[{}] attaching user {} failed ({} socket(s) waiting, told to authenticate again): {}", nodeId, u,
        lu.sockets.size(), err.getMessage());
    for (ClientSession s : lu.sockets) {
      s.joined(null); // unauthenticated again; its auth timer still runs
      for (String addr : s.registered()) {
        unregister.accept(s, addr);
      }
      s.registered().clear();
    }
    lu.sockets.clear();
    removeUser(u, lu); // the attach may have reached presence and some channel owners: undo those too
  }
}
