package io.socketpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class StreamRulesTest {

  @Test
  void defaultsAreOneHundredMessagesForTwoMinutes() {
    StreamRules.Rule r = NodeConfig.from(new JsonObject()).streams().forStream("user.1");
    assertEquals(100, r.historySize());
    assertEquals(120_000, r.historyTtl());
    assertTrue(r.enabled());
  }

  @Test
  void theFirstMatchingGlobWinsAndZeroTurnsHistoryOff() {
    StreamRules rules = NodeConfig.from(new JsonObject().put("streams", new JsonObject().put("rules", new JsonArray()
        .add(new JsonObject().put("match", "channel.chat-*").put("historySize", 10))
        .add(new JsonObject().put("match", "channel.*").put("historyTtl", 0))
        .add(new JsonObject().put("match", "user.?").put("historySize", 5).put("historyTtl", 1_000))))).streams();
    assertEquals(10, rules.forStream("channel.chat-1").historySize());
    assertEquals(120_000, rules.forStream("channel.chat-1").historyTtl());
    assertFalse(rules.forStream("channel.news").enabled());
    assertEquals(5, rules.forStream("user.7").historySize());
    assertEquals(100, rules.forStream("user.77").historySize(), "? is one character");
    assertEquals(StreamRules.DEFAULT, rules.forStream("user.77"));
    assertFalse(rules.forStream("channel.chat.x+").pattern().pattern().isEmpty());
  }

  @Test
  void badRulesAreRejectedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.from(new JsonObject()
        .put("streams", new JsonObject().put("rules", new JsonArray().add(new JsonObject().put("match", "x").put("historySize", -1))))));
    assertTrue(e.getMessage().contains("streams.rules[0].historySize"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.from(new JsonObject()
        .put("streams", new JsonObject().put("rules", new JsonArray().add(new JsonObject().put("historySize", 1))))));
    assertTrue(e.getMessage().contains("streams.rules[0].match"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.from(new JsonObject()
        .put("streams", new JsonObject().put("rules", new JsonArray().add(new JsonObject().put("match", "x").put("size", 1))))));
    assertTrue(e.getMessage().contains("streams.rules[0].size"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.from(new JsonObject()
        .put("streams", new JsonObject().put("rules", "all"))));
    assertTrue(e.getMessage().contains("streams.rules"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.from(new JsonObject()
        .put("streams", new JsonObject().put("history", 1))));
    assertTrue(e.getMessage().contains("streams.history"), e.getMessage());
  }
}
