package io.socketpush.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.Http;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** Log levels change at runtime through the admin port, guarded by the management API keys. */
@ExtendWith(VertxExtension.class)
class LogLevelTest {
  private static final String LOGGER = "io.socketpush.ops.loglevel.test";

  @Test
  void changeLevelWithApiKey(Vertx vertx, VertxTestContext t) {
    JsonObject conf = new JsonObject().put("management", new JsonObject().put("port", 0)
        .put("apiKeys", new JsonArray().add("full")).put("readOnlyApiKeys", new JsonArray().add("ro")));
    String body = new JsonObject().put("logger", LOGGER).put("level", "DEBUG").encode();
    Http[] http = new Http[1];
    t.verify(() -> assertFalse(LoggerFactory.getLogger(LOGGER).isDebugEnabled()));
    TestNode.start(vertx, "l1", conf).compose(n -> {
      http[0] = new Http(vertx, n.adminPort());
      return http[0].request(HttpMethod.POST, "/admin/loglevel", body, null);
    }).compose(r -> {
      t.verify(() -> assertEquals(401, r.status()));
      return http[0].request(HttpMethod.POST, "/admin/loglevel", body, "Bearer ro");
    }).compose(r -> {
      t.verify(() -> assertEquals(403, r.status()));
      return http[0].request(HttpMethod.POST, "/admin/loglevel", body, "Bearer full");
    }).compose(r -> {
      t.verify(() -> {
        assertEquals(200, r.status(), r.body().encode());
        assertEquals("DEBUG", r.body().getJsonObject("result").getString("level"));
        assertTrue(LoggerFactory.getLogger(LOGGER).isDebugEnabled());
      });
      return http[0].request(HttpMethod.GET, "/admin/loglevel?logger=" + LOGGER, null, "Bearer ro");
    }).compose(r -> {
      t.verify(() -> {
        assertEquals(200, r.status());
        assertEquals("DEBUG", r.body().getJsonObject("result").getString("effectiveLevel"));
      });
      return http[0].request(HttpMethod.POST, "/admin/loglevel", new JsonObject().put("logger", LOGGER).put("level", "LOUD").encode(),
          "Bearer full");
    }).compose(r -> {
      t.verify(() -> {
        assertEquals(400, r.status());
        assertTrue(r.body().getJsonObject("error").getString("message").contains("level"));
      });
      return http[0].request(HttpMethod.POST, "/admin/loglevel", new JsonObject().put("logger", LOGGER).put("level", "INHERIT").encode(),
          "Bearer full");
    }).onComplete(t.succeeding(r -> t.verify(() -> {
      assertEquals(200, r.status());
      assertNull(r.body().getJsonObject("result").getString("level"));
      assertFalse(LoggerFactory.getLogger(LOGGER).isDebugEnabled());
      t.completeNow();
    })));
  }
}
