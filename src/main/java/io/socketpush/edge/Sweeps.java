package io.socketpush.edge;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timers that close sockets: the auth timeout of a new socket, the expiry of a token socket (exp + leeway), and
 * the idle sweep (no frame for pingTimeout). A socket's timers are cancelled by {@link #cancel} when it closes.
 * Confined to the edge verticle's event loop.
 */
final class Sweeps {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

  private final Vertx vertx;
  private final String nodeId;

  Sweeps(Vertx vertx, String nodeId) {
    this.vertx = vertx;
    this.nodeId = nodeId;
  }

  /** Closes the socket with auth_timeout unless it authenticated within {@code timeoutMs}. */
  void authTimeout(ClientSession s, long timeoutMs) {
    s.authTimer = vertx.setTimer(timeoutMs, t -> {
      if (!s.authenticated() && !s.closed()) {
        LOG.debug("[{}] {} did not authenticate within {} ms: closed", nodeId, s, timeoutMs);
        s.close(ClientSession.CLOSE_AUTH_TIMEOUT, "auth_timeout");
      }
    });
  }

  /** The socket authenticated: its auth timeout (a timer per socket) is not needed any more. */
  void cancelAuthTimeout(ClientSession s) {
    if (s.authTimer >= 0) {
      vertx.cancelTimer(s.authTimer);
      s.authTimer = -1;
    }
  }

  /** (Re)arms the socket's expiry: closed with token_expired at {@code exp} + {@code leeway} s; never when exp is 0. */
  void expireAt(ClientSession s, long exp, long leeway) {
    cancelExpiry(s);
    if (exp <= 0) {
      return;
    }
    long delay = Math.max(1, (exp + leeway) * 1_000 - System.currentTimeMillis());
    s.expiryTimer = vertx.setTimer(delay, t -> {
      s.expiryTimer = -1;
      if (!s.closed()) {
        LOG.debug("[{}] {}: token expired without a refresh: closed", nodeId, s);
        s.close(ClientSession.CLOSE_TOKEN_EXPIRED, "token_expired");
      }
    });
  }

  private void cancelExpiry(ClientSession s) {
    if (s.expiryTimer >= 0) {
      vertx.cancelTimer(s.expiryTimer);
      s.expiryTimer = -1;
    }
  }

  /** The socket closed: none of its timers fires any more. */
  void cancel(ClientSession s) {
    cancelAuthTimeout(s);
    cancelExpiry(s);
  }

  /** The sockets idle for more than {@code timeoutMs} at {@code now} (no frame since), a copy. */
  static List<ClientSession> idle(Collection<ClientSession> sockets, long now, long timeoutMs) {
    List<ClientSession> out = new ArrayList<>();
    for (ClientSession s : sockets) {
      if (now - s.lastFrameAt() > timeoutMs) {
        out.add(s);
      }
    }
    return out;
  }
}
