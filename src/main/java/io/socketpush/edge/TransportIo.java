package io.socketpush.edge;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.function.Consumer;

/**
 * A client transport as the edge's sessions see it ({@link ClientIo}), the part every transport shares: opens the
 * session, hands it the frames read (counted) and the transport's end, counts frames written and the bytes queued for
 * the node-wide outbound budget, its write queue. A transport ({@link RawWsIo}, {@link SockJsIo}) only says how its
 * frames arrive, how to send and close, and where the peer is. Runs on the edge verticle's event loop.
 *
 * @param <S> the transport's socket
 */
abstract class TransportIo<S extends WriteStream<Buffer>> implements ClientIo {
  final S socket;
  private final EdgeNode node;
  private ClientSession session;

  TransportIo(S socket, EdgeNode node) {
    this.socket = socket;
    this.node = node;
  }

  /**
   * Opens a session on a new transport and wires the end and errors of its socket ({@code in}: the same socket, read
   * side) to it, then its frames ({@code frames} hands them to {@link #frame}). A refused socket is closed at once.
   */
  static <T extends TransportIo<?>> ClientSession bind(T io, int maxWriteQueueSize, ReadStream<Buffer> in, Consumer<T> frames) {
    TransportIo<?> t = io;
    t.socket.setWriteQueueMaxSize(maxWriteQueueSize);
    t.session = t.node.open(t);
    in.endHandler(t::ended);
    t.socket.exceptionHandler(t::ended);
    frames.accept(io);
    return t.session;
  }

  /** A frame from the client. */
  final void frame(Buffer data) {
    node.metrics().frameIn();
    session.onFrame(data);
  }

  /** The transport ended or failed ({@code ignored}: its end or its error). */
  private void ended(Object ignored) {
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
  public final boolean writeQueueFull() {
    return socket.writeQueueFull();
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
