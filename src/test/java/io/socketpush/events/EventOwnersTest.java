package io.socketpush.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.HashRing;
import io.socketpush.config.EventsConfig;
import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which node delivers a key's events, and the sink the roles emit into before and after the outbox opens. */
class EventOwnersTest {
  final HashRing users = HashRing.of(1, 16, List.of("a", "b"));
  final HashRing channels = HashRing.of(1, 16, List.of("b", "c"));
  final Map<Role, HashRing> rings = Map.of(Role.USER, users, Role.CHANNEL, channels);

  @Test
  void aKeysEventsAreDeliveredByItsOwnerOnItsRing() {
    for (String node : List.of("a", "b", "c")) {
      EventOwners owners = new EventOwners(node, rings::get);
      for (int i = 0; i < 40; i++) {
        String id = "id" + i;
        assertEquals(users.owns(node, id), owners.test(EventSink.userKey(id)), node + " user " + id);
        assertEquals(channels.owns(node, id), owners.test(EventSink.channelKey(id)), node + " channel " + id);
      }
    }
    assertFalse(new EventOwners("c", rings::get).test(EventSink.userKey("x")), "c runs no user role");
    assertFalse(new EventOwners("b", rings::get).test("other:x"));
    String odd = "channel:x"; // a userId that looks like a key: still the user ring's
    assertEquals(users.owns("a", odd), new EventOwners("a", rings::get).test(EventSink.userKey(odd)));
  }

  @Test
  void theSinkWantsWhatAWebhookTakesAndFailsUntilTheOutboxIsOpen() {
    EventsConfig config = EventsConfig.from(new JsonObject().put("webhooks", new JsonArray().add(new JsonObject()
        .put("url", "http://127.0.0.1:1/hook").put("secret", "0123456789abcdef0123").put("events", new JsonArray().add(EventSink.USER_ONLINE)))));
    OutboxSink sink = new OutboxSink(config);
    assertTrue(sink.wants(EventSink.USER_ONLINE));
    assertFalse(sink.wants(EventSink.CHANNEL_VACATED));
    assertTrue(sink.emit(EventSink.USER_ONLINE, EventSink.userKey("1"), new JsonObject()).failed());
  }
}
