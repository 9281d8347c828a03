package io.socketpush.edge;

import io.vertx.core.Future;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/** Local state of one user with sockets on this node ({@link SubscriptionMirror}); confined to the edge's event loop. */
final class LocalUser {
  // sized for the common case (one socket, a few channels): a default table is 16 slots, 80 bytes per set per user
  final Set<ClientSession> sockets = new LinkedHashSet<>(2);
  final Set<String> channels = new HashSet<>(4);
  /** The attach of the user's first socket (presence, subscriptions, interest); later sockets wait on it. */
  Future<Void> ready;
}
