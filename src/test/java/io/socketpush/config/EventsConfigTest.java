package io.socketpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The events section: valid webhooks parse; bad ones fail naming the option; secrets never show. */
class EventsConfigTest {
  static JsonObject hook(Object url, Object events, Object secret) {
    return new JsonObject().put("url", url).put("events", events).put("secret", secret);
  }

  @Test
  void aValidWebhookParsesAndItsSecretIsRedacted() {
    EventsConfig c = EventsConfig.from(new JsonObject().put("retryMaxDelay", 5_000).put("webhooks", new JsonArray()
        .add(hook("https://backend.example/hooks", new JsonArray().add("user.online").add("presence.leave"), "0123456789abcdef"))));
    assertEquals(1, c.webhooks().size());
    assertEquals(Set.of("user.online", "presence.leave"), c.webhooks().get(0).events());
    assertEquals(5_000, c.retryMaxDelay());
    assertEquals(EventsConfig.DEFAULT_MAX_AGE, c.maxAge());
    assertEquals("***", c.toJson().getJsonArray("webhooks").getJsonObject(0).getString("secret"));
    assertTrue(EventsConfig.from(null).webhooks().isEmpty());
  }

  @Test
  void badWebhooksFailNamingTheOption() {
    String m = assertThrows(IllegalArgumentException.class, () -> EventsConfig.from(new JsonObject().put("webhooks", new JsonArray()
        .add(hook("ftp://x", new JsonArray().add("user.online"), "0123456789abcdef"))
        .add(hook("http://127.0.0.1:1/h", new JsonArray().add("user.gone"), "short"))
        .add(hook("http://127.0.0.1:1/h", new JsonArray().add("channel.vacated").add("channel.gone"), "0123456789abcdef"))))).getMessage();
    assertTrue(m.contains("events.webhooks[0].url"), m);
    assertTrue(m.contains("events.webhooks[1].events: unknown event type user.gone"), m);
    assertTrue(m.contains("events.webhooks[1].secret"), m);
    assertTrue(m.contains("events.webhooks[2].events: unknown event type channel.gone"), m);
    assertFalse(m.contains("channel.vacated is not"), m); // accepted: emitted since occupied/vacated were built
    m = assertThrows(IllegalArgumentException.class, () -> NodeConfig.from(new JsonObject().put("events",
        new JsonObject().put("retryInitialDelay", 2_000).put("retryMaxDelay", 1_000).put("colour", 1)))).getMessage();
    assertTrue(m.contains("unknown option events.colour"), m);
    assertTrue(m.contains("events.retryMaxDelay must be at least events.retryInitialDelay"), m);
  }
}
