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
    assertEquals(8080, c.edge().integer("port"));
    assertEquals(8181, c.management().port());
    assertEquals("127.0.0.1", c.management().host());
    assertEquals(10_000, c.edge().longValue("authTimeout"));
    assertEquals(20_000, c.edge().longValue("removeUserAfterDisconnectTimeout"));
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
    assertEquals(5000, rc.get().edge().longValue("authTimeout"));
    assertEquals("n1", rc.get().nodeId());
    assertThrows(IllegalArgumentException.class, () -> RuntimeConfig.validate(
        new JsonObject().put("edge", new JsonObject().put("port", 1)), rc.get()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuntimeConfig.validate(
        new JsonObject().put("edge", new JsonObject().put("authTimeout", "soon")), rc.get()));
    assertTrue(e.getMessage().contains("edge.authTimeout"));
  }
}
