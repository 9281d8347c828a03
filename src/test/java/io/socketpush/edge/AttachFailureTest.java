package io.socketpush.edge;

import static io.socketpush.testing.EdgeFixture.isErr;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.cluster.Addresses;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.error.Failure;
import io.socketpush.message.PushMessage;
import io.socketpush.shard.Services;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.socketpush.testing.TwoVertx;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A failed attach does not poison a user (issue 12, item 3). The user's first socket on the edge starts
 * the attach (presence, then the user's subscriptions); a second socket of the same user joins while it is
 * in flight; then the subscription read fails (the channel service is unavailable). Both sockets get a clear
 * error and are not authenticated (no register, auth timer still running); the presence the attach had
 * already made is undone; the next socket of the user, and a retry on a failed socket, attach from scratch.
 */
class AttachFailureTest {
  static final long AUTH_TIMEOUT = 3_000;
  @RegisterExtension
  final TwoVertx vx = new TwoVertx();
  final Vertx vertx = vx.server;
  final Vertx clients = vx.clients;
  TestNode node;
  Services services;
  /** The first getSubscriptions request to the channel service, held until the test fails it. */
  final Promise<DeliveryContext<Object>> held = Promise.promise();
  final AtomicBoolean holding = new AtomicBoolean(true);

  @BeforeEach
  void start() {
    node = Await.result(TestNode.start(vertx, "attach", new JsonObject().put("edge", new JsonObject()
        .put("authTimeout", AUTH_TIMEOUT).put("removeUserAfterDisconnectTimeout", 60_000))
        // the subscription read is held on the event bus (below): calls between this node's roles take it
        .put("cluster", new JsonObject().put("localCalls", false))));
    services = node.verticle.services();
    String channelAddress = Addresses.service(Addresses.CHANNEL, "attach");
    vertx.eventBus().addInboundInterceptor(ctx -> {
      if (channelAddress.equals(ctx.message().address()) && "getSubscriptions".equals(ctx.message().headers().get("action"))
          && holding.compareAndSet(true, false)) {
        held.complete(ctx);
        return;
      }
      ctx.next();
    });
    Await.result(services.auth().set("u1", "s1"));
    Await.result(services.channel().subscribe("u1", "news"));
  }

  @Test
  void socketsWaitingOnAFailedAttachGetAnErrorAndTheNextSocketAttachesFromScratch() {
    FrameClient first = Await.result(FrameClient.connect(clients, node.edgePort()));
    var firstReply = first.auth("u1", "s1");
    DeliveryContext<Object> request = Await.result(held.future()); // the attach reached the subscription read
    FrameClient joined = Await.result(FrameClient.connect(clients, node.edgePort()));
    var joinedReply = joined.auth("u1", "s1");
    // the joined socket is waiting on the same attach: the edge holds two sockets of u1, none authenticated
    // "joined", not "sockets": a connected socket whose session check is still running has not joined yet, and
    // failing the attach before it joins makes it start an attach of its own (which then succeeds)
    Await.until(() -> stats().getInteger("joined") == 2 && stats().getInteger("users") == 1, 10_000,
        "second socket joined the attach in flight");
    Await.until(() -> !Await.result(services.user().getFrontendServer("u1")).isEmpty(), 10_000, "presence attached");

    request.message().fail(Failure.UNAVAILABLE.code, "channel service unavailable (injected)");

    assertEquals("unavailable", Await.result(firstReply).getString("body"), "first socket told why");
    assertEquals("unavailable", Await.result(joinedReply).getString("body"), "joined socket told why");
    // neither is half-authenticated: register is refused, the edge forgot the user and its presence
    joined.register("user.u1");
    Await.result(joined.waitFor(f -> isErr(f, "access_denied") && "user.u1".equals(f.getString("address"))));
    assertEquals(0, stats().getInteger("users"));
    assertEquals(0, stats().getInteger("channels"));
    Await.until(() -> Await.result(services.user().getFrontendServer("u1")).isEmpty(), 10_000, "presence undone");

    // the next socket of the user attaches from scratch, and so does a retry on a failed socket
    FrameClient next = Await.result(FrameClient.connect(clients, node.edgePort()));
    assertEquals("rec", Await.result(next.auth("u1", "s1")).getString("type"), "next socket attaches");
    assertEquals("rec", Await.result(first.auth("u1", "s1")).getString("type"), "a retry on the failed socket attaches");
    next.register("channel.news");
    first.register("user.u1");
    Await.until(() -> Await.result(services.channel().publish("news", PushMessage.of("n1"), null)).sockets() == 2, 10_000,
        "both attached sockets receive the channel again");
    Await.result(next.waitFor(f -> "channel.news".equals(f.getString("address"))));
    Await.result(first.waitFor(f -> "channel.news".equals(f.getString("address"))));

    // the joined socket, which did not retry, is closed by its still running auth timer with a clear error
    Await.result(joined.closed(), AUTH_TIMEOUT + 10_000);
    Await.result(joined.waitFor(f -> isErr(f, "auth_timeout")));
    assertEquals(2, stats().getInteger("authenticated"));
  }

  private JsonObject stats() {
    return Await.result(EdgeOps.control(vertx, "attach", EdgeOps.STATS, new JsonObject(), 5_000));
  }
}
