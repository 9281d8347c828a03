package io.socketpush.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One node in a Vert.x of its own for a whole test class, with an HTTP client on its admin port:
 * {@code @RegisterExtension static final OneNode NODE = new OneNode("id", overrides);}. Closed after the class.
 */
public final class OneNode implements BeforeAllCallback, AfterAllCallback {
  private final String nodeId;
  private final JsonObject overrides;
  public Vertx vertx;
  public TestNode node;
  public Http http;

  /** {@code overrides}: merged into {@link TestNode}'s test config (null: none). */
  public OneNode(String nodeId, JsonObject overrides) {
    this.nodeId = nodeId;
    this.overrides = overrides;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
    node = Await.result(TestNode.start(vertx, nodeId, overrides));
    http = new Http(vertx, node.adminPort());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (vertx != null) {
      Await.result(vertx.close(), 30_000);
    }
  }
}
