package io.socketpush.edge;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;

/**
 * A client transport as the edge's sessions see it ({@link ClientIo}), the part every transport shares: opens the
 * session, hands it the frames read (counted) and the transport's end, counts frames written and the bytes queued for
 * the node-wide outbound budget. A transport ({@link RawWsIo}, {@link SockJsIo}) only says how to send, close and
 * where the peer is. Runs on the edge verticle's event loop.
 */
abstract class TransportIo implements ClientIo {
  private final EdgeNode node;
  private ClientSession session;

  TransportIo(EdgeNode node) {
    this.node = node;
  }

  /** Opens a session on this transport (before its handlers are set: a refused socket is closed at once). */
  final ClientSession open() {
    session = node.open(this);
    return session;
  }

  /** A frame from the client. */
  final void frame(Buffer data) {
    node.metrics().frameIn();
    session.onFrame(data);
  }

  /** The transport ended or failed ({@code ignored}: its end or its error). */
  final void ended(Object ignored) {
    node.closed(session);
  }

  /** Sends one text frame; a failed future once the transport is closed. */
  abstract Future<Void> send(String frame);

  abstract SocketAddress remoteAddress();

  @Override
  public final void write(String frame) {
    node.metrics().frameOut();
    Future<Void> written = send(frame);
    if (session != null) {
      node.queued(session, frame.length(), written); // the node-wide outbound budget
    }
  }

  @Override
  public final String remote() {
    return String.valueOf(remoteAddress());
  }

  @Override
  public final String remoteHost() {
    SocketAddress a = remoteAddress();
    return a == null ? "?" : a.host();
  }
}
