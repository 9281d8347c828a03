package io.socketpush.testing;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Vert.x for the node under test and one for its clients (so client and server event loops do not share threads),
 * made with the test instance and both closed after each test: {@code @RegisterExtension final TwoVertx vx = new
 * TwoVertx();}.
 */
public final class TwoVertx implements AfterEachCallback {
  public final Vertx server = Vertx.vertx();
  public final Vertx clients = Vertx.vertx();
  private final long closeTimeoutMs;

  public TwoVertx() {
    this(15_000);
  }

  /** @param closeTimeoutMs how long each close may take (a node with thousands of sockets closes slowly) */
  public TwoVertx(long closeTimeoutMs) {
    this.closeTimeoutMs = closeTimeoutMs;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Await.result(clients.close(), closeTimeoutMs);
    Await.result(server.close(), closeTimeoutMs);
  }
}
