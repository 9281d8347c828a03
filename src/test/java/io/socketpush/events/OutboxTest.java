package io.socketpush.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.config.EventsConfig;
import io.socketpush.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The outbox on its local store: per webhook and key, in emit order, unique ids, acks remove only what was sent. */
class OutboxTest {
  final OutboxStore store = new OutboxStore.Local();
  final Outbox outbox = new Outbox(store, List.of(
      new EventsConfig.Webhook("http://127.0.0.1:1/a", Set.of("user.online", "user.offline"), "0123456789abcdef"),
      new EventsConfig.Webhook("http://127.0.0.1:1/b", Set.of("user.offline"), "0123456789abcdef")), "test");

  @Test
  void eventsQueueInEmitOrderPerWebhookThatWantsThem() {
    List<Future<Void>> emits = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      emits.add(outbox.emit(i % 2 == 0 ? "user.online" : "user.offline", "user:1", new JsonObject().put("n", i)));
    }
    Await.result(Future.all(emits));
    JsonArray a = Await.result(outbox.pending(Outbox.prefix(0) + "user:1"));
    JsonArray b = Await.result(outbox.pending(Outbox.prefix(1) + "user:1"));
    assertEquals(20, a.size());
    assertEquals(10, b.size(), "webhook b wants user.offline only");
    for (int i = 0; i < 20; i++) {
      assertEquals(i, a.getJsonObject(i).getJsonObject("data").getInteger("n"), "emit order kept");
    }
    assertEquals(20, a.stream().map(o -> ((JsonObject) o).getString("id")).distinct().count(), "unique ids");
    assertEquals(a.getJsonObject(1).getString("id"), b.getJsonObject(0).getString("id"), "the same event has the same id everywhere");
  }

  @Test
  void anAckRemovesOnlyTheSentEventsAndAnEmptyQueueDisappears() {
    Await.result(outbox.emit("user.online", "user:2", new JsonObject()));
    Await.result(outbox.emit("user.offline", "user:2", new JsonObject()));
    String q = Outbox.prefix(0) + "user:2";
    JsonArray sent = Await.result(outbox.pending(q));
    Await.result(outbox.emit("user.online", "user:2", new JsonObject().put("later", true))); // arrives after the POST left
    Await.result(outbox.ack(q, Set.of(sent.getJsonObject(0).getString("id"), sent.getJsonObject(1).getString("id"))));
    JsonArray left = Await.result(outbox.pending(q));
    assertEquals(1, left.size());
    assertEquals(true, left.getJsonObject(0).getJsonObject("data").getBoolean("later"));
    Await.result(outbox.ack(q, Set.of(left.getJsonObject(0).getString("id"))));
    assertEquals(List.of(), Await.result(store.keys(Outbox.prefix(0) + "user:2")));
  }
}
