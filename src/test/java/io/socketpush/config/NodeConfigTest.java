package io.socketpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class NodeConfigTest {

  @Test
  void defaultsRunEveryRoleOnTheDemoPorts() {
    NodeConfig c = NodeConfig.from(new JsonObject());
    assertEquals(Role.values().length, c.roles().size());
    assertEquals(8080, c.edge().port());
    assertEquals(8181, c.management().port());
    assertEquals("127.0.0.1", c.management().host());
    assertEquals(10_000, c.edge().authTimeout());
    assertEquals(20_000, c.edge().removeUserAfterDisconnectTimeout());
  }

  @Test
  void theClusterSectionIsTypedWithItsDefaultsAndGivenValues() {
    assertEquals(new ClusterConfig(1_000, 5_000, 5_000, 10_000, 128, 1_000, null, false, null, null, null, true),
        NodeConfig.from(new JsonObject()).cluster());
    ClusterConfig c = NodeConfig.from(new JsonObject().put("cluster", new JsonObject().put("heartbeatInterval", 200)
        .put("nodeTimeout", 900).put("requestTimeout", 700).put("antiEntropyInterval", 600).put("virtualNodes", 7)
        .put("listLimit", 50).put("secretFile", "s.key").put("insecure", true).put("tlsCertPath", "c.pem")
        .put("tlsKeyPath", "k.pem").put("tlsCaPath", "ca.pem").put("localCalls", false))).cluster();
    assertEquals(new ClusterConfig(200, 900, 700, 600, 7, 50, "s.key", true, "c.pem", "k.pem", "ca.pem", false), c);
  }

  @Test
  void theTokensSectionIsTypedWithItsDefaultsAndGivenValues() {
    assertEquals(new TokensConfig(null, null, java.util.List.of(), null, 5, null, null), NodeConfig.from(new JsonObject()).tokens());
    assertEquals(new TokensConfig(null, "JWT_SECRET", java.util.List.of("a.pem", "b.pem"), "keys.json", 30, "app", "me"),
        NodeConfig.from(new JsonObject().put("tokens", new JsonObject().put("secretEnv", "JWT_SECRET")
            .put("publicKeys", new io.vertx.core.json.JsonArray().add("a.pem").add("b.pem")).put("jwks", "keys.json")
            .put("leeway", 30).put("audience", "app").put("issuer", "me"))).tokens());
  }

  @Test
  void theManagementSectionIsTypedWithItsDefaultsAndGivenValues() {
    java.util.List<String> none = java.util.List.of();
    assertEquals(new ManagementConfig("127.0.0.1", 8181, null, none, none, none, none, 1_048_576, null, null),
        NodeConfig.from(new JsonObject()).management());
    ManagementConfig m = NodeConfig.from(new JsonObject().put("management", new JsonObject().put("host", "0.0.0.0")
        .put("port", 9000).put("publicUrl", "https://admin.example").put("apiKeys", new io.vertx.core.json.JsonArray().add("k1"))
        .put("readOnlyApiKeys", new io.vertx.core.json.JsonArray().add("r1")).put("allowedHosts", new io.vertx.core.json.JsonArray().add("h"))
        .put("maxBodySize", 2_048))).management();
    assertEquals(new ManagementConfig("0.0.0.0", 9000, "https://admin.example", java.util.List.of("k1"), java.util.List.of("r1"),
        none, java.util.List.of("h"), 2_048, null, null), m);
    assertEquals(null, m.tls());
  }

  @Test
  void theEdgeSectionIsTypedWithItsDefaultsAndGivenValues() {
    java.util.List<String> none = java.util.List.of();
    NodeConfig d = NodeConfig.from(new JsonObject());
    assertEquals(new EdgeConfig("0.0.0.0", 8080, null, 10_000, 20_000, none, 60_000, 65_536, 1_048_576, 256, 100, 32, 256,
        20, 10, 60_000, 1_000, 268_435_456L, null, null, none), d.edge());
    assertEquals(null, d.edge().tls());
    assertEquals("http://127.0.0.1:8080", d.clientUrl(8080));
    EdgeConfig e = NodeConfig.from(new JsonObject().put("edge", new JsonObject().put("host", "127.0.0.1").put("port", 9090)
        .put("publicUrl", "https://push.example").put("authTimeout", 500).put("removeUserAfterDisconnectTimeout", 0)
        .put("publicChannels", new io.vertx.core.json.JsonArray().add("news")).put("pingTimeout", 2_000)
        .put("maxFrameSize", 1_024).put("maxWriteQueueSize", 4_096).put("maxRegistrationsPerSocket", 3)
        .put("maxFramesPerSecond", 4).put("maxSocketsPerUser", 5).put("maxAddressLength", 64).put("authFailuresPerIp", 6)
        .put("authFailuresPerUser", 7).put("authBackoffMax", 8_000).put("maxUnauthenticatedPerIp", 9)
        .put("maxQueuedBytes", 2_097_152L).put("tlsCertPath", "c.pem").put("tlsKeyPath", "k.pem")
        .put("allowedOrigins", new io.vertx.core.json.JsonArray().add("https://app.example")))).edge();
    assertEquals(new EdgeConfig("127.0.0.1", 9090, "https://push.example", 500, 0, java.util.List.of("news"), 2_000, 1_024,
        4_096, 3, 4, 5, 64, 6, 7, 8_000, 9, 2_097_152L, "c.pem", "k.pem", java.util.List.of("https://app.example")), e);
    assertEquals("c.pem", e.tls().getCertPath());
    assertEquals("k.pem", e.tls().getKeyPath());
    NodeConfig tls = NodeConfig.from(new JsonObject().put("edge", new JsonObject().put("tlsCertPath", "c.pem").put("tlsKeyPath", "k.pem")));
    assertEquals("https://127.0.0.1:8443", tls.clientUrl(8443));
  }

  @Test
  void theLoggingSectionIsTyped() {
    assertEquals(new LoggingConfig("INFO"), NodeConfig.from(new JsonObject()).logging());
    assertEquals(new LoggingConfig("debug"),
        NodeConfig.from(new JsonObject().put("logging", new JsonObject().put("level", "debug"))).logging());
  }

  @Test
  void runtimeEdgeOptionsGiveANewTypedEdge() {
    RuntimeConfig rc = new RuntimeConfig(NodeConfig.from(new JsonObject().put("nodeId", "n1")));
    rc.apply(RuntimeConfig.validate(new JsonObject().put("edge", new JsonObject().put("maxFrameSize", 4_096)
        .put("publicChannels", new io.vertx.core.json.JsonArray().add("lobby"))), rc.get()));
    assertEquals(4_096, rc.get().edge().maxFrameSize());
    assertEquals(java.util.List.of("lobby"), rc.get().edge().publicChannels());
    assertEquals(8080, rc.get().edge().port());
  }

  @Test
  void unknownKeysAndBadValuesAreRejectedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.from(new JsonObject().put("edge", new JsonObject().put("prot", 1))));
    assertTrue(e.getMessage().contains("edge.prot"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.from(new JsonObject().put("edge", new JsonObject().put("port", "x"))));
    assertTrue(e.getMessage().contains("edge.port"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.from(new JsonObject().put("edge", new JsonObject().put("authTimeout", -5))));
    assertTrue(e.getMessage().contains("edge.authTimeout"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.from(new JsonObject().put("roles", new io.vertx.core.json.JsonArray().add("edgy"))));
    assertTrue(e.getMessage().contains("edgy"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.from(new JsonObject().put("colour", "red")));
    assertTrue(e.getMessage().contains("colour"), e.getMessage());
  }

  @Test
  void rolesFromConfig() {
    NodeConfig c = NodeConfig.from(new JsonObject().put("roles", new io.vertx.core.json.JsonArray().add("edge")));
    assertTrue(c.has(Role.EDGE));
    assertFalse(c.has(Role.AUTH));
    assertEquals(null, c.adminUrl(8181));
  }

  @Test
  void runtimeOptionsAreValidatedAndApplied() {
    RuntimeConfig rc = new RuntimeConfig(NodeConfig.from(new JsonObject().put("nodeId", "n1")));
    JsonObject ok = new JsonObject().put("edge", new JsonObject().put("authTimeout", 5000));
    rc.apply(RuntimeConfig.validate(ok, rc.get()));
    assertEquals(5000, rc.get().edge().authTimeout());
    assertEquals("n1", rc.get().nodeId());
    assertThrows(IllegalArgumentException.class, () -> RuntimeConfig.validate(
        new JsonObject().put("edge", new JsonObject().put("port", 1)), rc.get()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuntimeConfig.validate(
        new JsonObject().put("edge", new JsonObject().put("authTimeout", "soon")), rc.get()));
    assertTrue(e.getMessage().contains("edge.authTimeout"));
  }
}
