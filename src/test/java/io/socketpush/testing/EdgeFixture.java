package io.socketpush.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.shard.Services;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One node in its own Vert.x for a test class, and the client sockets its tests open: register it with
 * {@code @RegisterExtension static final EdgeFixture edge = EdgeFixture.node("id", overrides);}. The node starts
 * before the class's {@code @BeforeAll} methods, every socket opened through the fixture is closed after each test,
 * and the Vert.x instance (with the node and any node started by {@link #also}) is closed after the class.
 */
public final class EdgeFixture implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
  private final String nodeId;
  private final Supplier<JsonObject> overrides;
  private final List<FrameClient> clients = new ArrayList<>();
  private Vertx vertx;
  private TestNode node;
  private Http http;

  private EdgeFixture(String nodeId, Supplier<JsonObject> overrides) {
    this.nodeId = nodeId;
    this.overrides = overrides;
  }

  /** A node with the test config and {@code overrides} merged in ({@link TestNode#start}). */
  public static EdgeFixture node(String nodeId, JsonObject overrides) {
    return new EdgeFixture(nodeId, () -> overrides);
  }

  /** A node whose overrides are made when it starts (e.g. after the class wrote the key files they name). */
  public static EdgeFixture node(String nodeId, Supplier<JsonObject> overrides) {
    return new EdgeFixture(nodeId, overrides);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
    node = Await.result(TestNode.start(vertx, nodeId, overrides.get()));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    clients.forEach(c -> Await.result(c.close()));
    clients.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Await.result(vertx.close());
  }

  public Vertx vertx() {
    return vertx;
  }

  public TestNode node() {
    return node;
  }

  /** An HTTP client on the node's admin port (made on first use, closed with the Vert.x instance). */
  public Http http() {
    if (http == null) {
      http = new Http(vertx, node.adminPort());
    }
    return http;
  }

  /** The node's services, called as a backend would. */
  public Services services() {
    return node.verticle.services();
  }

  /** Starts another node in the same Vert.x (closed with it). */
  public TestNode also(String otherNodeId, JsonObject otherOverrides) {
    return Await.result(TestNode.start(vertx, otherNodeId, otherOverrides));
  }

  /** A socket to the node's edge, closed after the test. */
  public FrameClient client() {
    return track(FrameClient.connect(vertx, node.edgePort()));
  }

  /** A socket to the node's edge sending {@code origin} (null: none), closed after the test. */
  public FrameClient client(String origin) {
    return track(FrameClient.connect(vertx, node.edgePort(), origin));
  }

  /** A socket with client options (e.g. a local address) to {@code target}'s edge, closed after the test. */
  public FrameClient client(TestNode target, WebSocketClientOptions options) {
    return track(FrameClient.connectWith(vertx, target.edgePort(), options));
  }

  private FrameClient track(io.vertx.core.Future<FrameClient> connecting) {
    FrameClient c = Await.result(connecting);
    clients.add(c);
    return c;
  }

  /**
   * A socket authenticated as {@code user} with a session registered for it, the user first subscribed to
   * {@code channels}; asserts the auth reply.
   */
  public FrameClient authed(String user, String session, String... channels) {
    Await.result(services().auth().set(user, session));
    for (String channel : channels) {
      Await.result(services().channel().subscribe(user, channel));
    }
    FrameClient c = client();
    JsonObject reply = Await.result(c.auth(user, session));
    assertEquals("rec", reply.getString("type"), reply.encode());
    assertEquals(user, reply.getJsonObject("body").getString("userId"));
    return c;
  }

  /** Whether a frame is an {@code err} frame with this body. */
  public static boolean isErr(JsonObject f, String body) {
    return "err".equals(f.getString("type")) && body.equals(f.getString("body"));
  }
}
