package io.socketpush.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.config.NodeConfig;
import io.socketpush.error.Failure;
import io.socketpush.testing.Await;
import io.socketpush.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token verifier alone: each accepted key kind, and one test per refusal kind (each an AUTH_FAILED naming
 * its reason, never an exception).
 */
class TokenVerifierTest {
  static Vertx vertx;
  static Tokens.Key rsa = Tokens.Key.rsa("rsa-1");
  static Tokens.Key rsa2 = Tokens.Key.rsa("rsa-2");
  static Tokens.Key ec = Tokens.Key.ec("ec-1");

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  private static TokenVerifier verifier(JsonObject tokens) {
    return Await.result(TokenVerifier.create(vertx, NodeConfig.from(new JsonObject().put("tokens", tokens)).tokens(),
        Map.of("PUSH_SECRET", Tokens.SECRET)::get));
  }

  private static TokenVerifier hs() {
    return verifier(new JsonObject().put("secret", Tokens.SECRET).put("leeway", 0));
  }

  private static JsonObject claims(String sub, long expIn) {
    return new JsonObject().put("sub", sub).put("exp", Tokens.now() + expIn);
  }

  /** The AUTH_FAILED message of a refused token. */
  private static String refused(Future<?> f) {
    Throwable t = Await.failure(f);
    assertEquals(Failure.AUTH_FAILED, Failure.of(t), String.valueOf(t));
    return t.getMessage();
  }

  @Test
  void hs256TokenGivesItsClaims() {
    JsonObject c = claims("42", 60).put("channels", new JsonArray().add("news").add(7)).put("info", new JsonObject().put("name", "Ann"));
    TokenVerifier.Claims got = Await.result(hs().connection(Tokens.hs256(vertx, Tokens.SECRET, c)));
    assertEquals("42", got.userId());
    assertEquals(c.getLong("exp"), got.exp());
    assertEquals(List.of("news", "7"), got.channels());
    assertEquals("Ann", got.info().getString("name"));
    assertNull(got.channel());
  }

  @Test
  void secretFromTheEnvironment() {
    TokenVerifier v = verifier(new JsonObject().put("secretEnv", "PUSH_SECRET"));
    assertEquals("1", Await.result(v.connection(Tokens.hs256(vertx, Tokens.SECRET, claims("1", 60)))).userId());
    Throwable unset = Await.failure(TokenVerifier.create(vertx, NodeConfig.from(new JsonObject().put("tokens",
        new JsonObject().put("secretEnv", "NOT_SET_ANYWHERE"))).tokens(), name -> null));
    assertTrue(unset.getMessage().contains("tokens.secretEnv names NOT_SET_ANYWHERE, which is not set"), unset.getMessage());
  }

  @Test
  void rs256AndEs256FromPemFilesWithRotation() throws Exception {
    TokenVerifier v = verifier(new JsonObject().put("publicKeys", new JsonArray().add(rsa.writePublicPem(dir).toString())
        .add(rsa2.writePublicPem(dir).toString()).add(ec.writePublicPem(dir).toString())));
    assertEquals("a", Await.result(v.connection(rsa.sign(vertx, claims("a", 60), true))).userId());
    assertEquals("b", Await.result(v.connection(rsa2.sign(vertx, claims("b", 60), true))).userId()); // the next key
    assertEquals("c", Await.result(v.connection(ec.sign(vertx, claims("c", 60), true))).userId());
    // no kid: every key of the alg is tried
    assertEquals("d", Await.result(v.connection(rsa2.sign(vertx, claims("d", 60), false))).userId());
  }

  @Test
  void rs256AndEs256FromAJwksFile() throws Exception {
    Path jwks = Tokens.writeJwks(dir.resolve("jwks.json"), rsa, ec);
    TokenVerifier v = verifier(new JsonObject().put("jwks", jwks.toString()));
    assertEquals("a", Await.result(v.connection(rsa.sign(vertx, claims("a", 60), true))).userId());
    assertEquals("c", Await.result(v.connection(ec.sign(vertx, claims("c", 60), true))).userId());
  }

  @Test
  void jwksFromAUrl() throws Exception {
    String body = new JsonObject().put("keys", new JsonArray().add(rsa.jwk())).encode();
    var server = Await.result(vertx.createHttpServer().requestHandler(r -> r.response().end(body)).listen(0, "127.0.0.1"));
    try {
      TokenVerifier v = verifier(new JsonObject().put("jwks", "http://127.0.0.1:" + server.actualPort() + "/jwks.json"));
      assertEquals("a", Await.result(v.connection(rsa.sign(vertx, claims("a", 60), true))).userId());
    } finally {
      Await.result(server.close());
    }
  }

  @Test
  void aJwksUrlIsFetchedAgainForAnUnknownKidAtMostOncePerInterval() throws Exception {
    java.util.concurrent.atomic.AtomicReference<String> body = new java.util.concurrent.atomic.AtomicReference<>(
        new JsonObject().put("keys", new JsonArray().add(rsa.jwk())).encode());
    java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
    var server = Await.result(vertx.createHttpServer().requestHandler(r -> {
      fetches.incrementAndGet();
      r.response().end(body.get());
    }).listen(0, "127.0.0.1"));
    try {
      JsonObject tokens = new JsonObject().put("jwks", "http://127.0.0.1:" + server.actualPort() + "/jwks.json");
      TokenVerifier rare = Await.result(TokenVerifier.create(vertx, NodeConfig.from(new JsonObject().put("tokens", tokens)).tokens(),
          n -> null, 3_600_000));
      TokenVerifier eager = Await.result(TokenVerifier.create(vertx, NodeConfig.from(new JsonObject().put("tokens", tokens)).tokens(),
          n -> null, 0));
      assertEquals(2, fetches.get());
      String rotated = rsa2.sign(vertx, claims("r", 60), true);
      assertTrue(refused(eager.connection(rotated)).contains("unknown key")); // not published yet (fetched again: 3)
      body.set(new JsonObject().put("keys", new JsonArray().add(rsa.jwk()).add(rsa2.jwk())).encode()); // the backend rotates
      assertEquals("r", Await.result(eager.connection(rotated)).userId()); // fetched again (4), now known
      assertEquals("a", Await.result(eager.connection(rsa.sign(vertx, claims("a", 60), true))).userId()); // the old key stays
      assertEquals(4, fetches.get());
      assertTrue(refused(rare.connection(rotated)).contains("unknown key")); // within its interval: no fetch
      assertTrue(refused(rare.connection(rsa.signAs(vertx, claims("x", 60), "nope"))).contains("unknown key"));
      assertEquals(4, fetches.get());
    } finally {
      Await.result(server.close());
    }
  }

  @Test
  void algNoneIsRefused() {
    assertTrue(refused(hs().connection(Tokens.algNone(claims("1", 60)))).contains("unsigned"));
    // alg none with something in the signature part
    String t = Tokens.algNone(claims("1", 60)) + "c2ln";
    assertTrue(refused(hs().connection(t)).contains("alg none"), t);
  }

  @Test
  void algorithmConfusionIsRefused() throws Exception {
    // the classic attack: HS256 with the server's RSA public key (PEM text) as the HMAC secret
    TokenVerifier v = verifier(new JsonObject().put("publicKeys", new JsonArray().add(rsa.writePublicPem(dir).toString())));
    String forged = Tokens.hmacWith(rsa.publicPem().getBytes(StandardCharsets.US_ASCII),
        new JsonObject().put("alg", "HS256").put("typ", "JWT").put("kid", "rsa-1"), claims("admin", 60));
    assertTrue(refused(v.connection(forged)).contains("unknown key"));
    // also when an HS256 secret is configured beside the RSA key
    TokenVerifier both = verifier(new JsonObject().put("secret", Tokens.SECRET)
        .put("publicKeys", new JsonArray().add(rsa.writePublicPem(dir).toString())));
    assertTrue(refused(both.connection(forged)).contains("bad signature"));
  }

  @Test
  void expiredIsRefused() {
    assertTrue(refused(hs().connection(Tokens.hs256(vertx, Tokens.SECRET, claims("1", -10)))).contains("expired"));
  }

  @Test
  void leewayAcceptsARecentlyExpiredToken() {
    TokenVerifier lenient = verifier(new JsonObject().put("secret", Tokens.SECRET).put("leeway", 60));
    assertEquals("1", Await.result(lenient.connection(Tokens.hs256(vertx, Tokens.SECRET, claims("1", -10)))).userId());
  }

  @Test
  void notYetValidIsRefused() {
    String t = Tokens.hs256(vertx, Tokens.SECRET, claims("1", 600).put("nbf", Tokens.now() + 300));
    assertTrue(refused(hs().connection(t)).contains("not yet valid"));
  }

  @Test
  void wrongAudienceAndIssuerAreRefused() {
    TokenVerifier v = verifier(new JsonObject().put("secret", Tokens.SECRET).put("audience", "push").put("issuer", "shop"));
    assertEquals("1", Await.result(v.connection(Tokens.hs256(vertx, Tokens.SECRET, claims("1", 60).put("aud", "push").put("iss", "shop")))).userId());
    assertTrue(refused(v.connection(Tokens.hs256(vertx, Tokens.SECRET, claims("1", 60).put("aud", "other").put("iss", "shop")))).contains("wrong audience"));
    assertTrue(refused(v.connection(Tokens.hs256(vertx, Tokens.SECRET, claims("1", 60).put("iss", "shop")))).contains("wrong audience"));
    assertTrue(refused(v.connection(Tokens.hs256(vertx, Tokens.SECRET, claims("1", 60).put("aud", "push").put("iss", "evil")))).contains("wrong issuer"));
  }

  @Test
  void unknownKidIsRefused() throws Exception {
    TokenVerifier v = verifier(new JsonObject().put("jwks", Tokens.writeJwks(dir.resolve("jwks.json"), rsa, rsa2).toString()));
    assertTrue(refused(v.connection(rsa.signAs(vertx, claims("1", 60), "rsa-9"))).contains("unknown key"));
    // a known kid with another key's signature
    assertTrue(refused(v.connection(rsa.signAs(vertx, claims("1", 60), "rsa-2"))).contains("bad signature"));
  }

  @Test
  void wrongSecretIsRefused() {
    assertTrue(refused(hs().connection(Tokens.hs256(vertx, "another-secret-of-at-least-32-characters", claims("1", 60)))).contains("bad signature"));
  }

  @Test
  void malformedTokensAreRefused() {
    TokenVerifier v = hs();
    String good = Tokens.hs256(vertx, Tokens.SECRET, claims("1", 60));
    for (Object bad : new Object[] {null, "", 42, new JsonObject(), "x", "a.b.c", "%%%.%%%.%%%", good + ".x",
        "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "x".repeat(10_000)}) {
      assertTrue(refused(v.connection(bad)).contains("malformed"), String.valueOf(bad));
    }
    // claims of the wrong type, validly signed
    for (JsonObject c : List.of(new JsonObject().put("exp", Tokens.now() + 60), claims("1", 60).put("sub", 1.5),
        claims("1", 60).put("sub", ""), new JsonObject().put("sub", "1").put("exp", "tomorrow"),
        claims("1", 60).put("channels", "news"), claims("1", 60).put("channels", new JsonArray().add(new JsonObject())),
        claims("1", 60).put("info", "x"))) {
      refused(v.connection(Tokens.hs256(vertx, Tokens.SECRET, c)));
    }
  }

  @Test
  void subscriptionTokensAreTheirOwnKind() {
    TokenVerifier v = hs();
    String sub = Tokens.hs256(vertx, Tokens.SECRET, claims("1", 60).put("channel", "room-1"));
    assertEquals("room-1", Await.result(v.subscription(sub, "1")).channel());
    assertTrue(refused(v.subscription(sub, "2")).contains("another user"));
    assertTrue(refused(v.connection(sub)).contains("subscription token")); // cannot log in with it
    assertTrue(refused(v.subscription(Tokens.hs256(vertx, Tokens.SECRET, claims("1", 60)), "1")).contains("channel claim"));
    // exp is optional for a subscription token, but enforced when present
    assertEquals("room-1", Await.result(v.subscription(Tokens.hs256(vertx, Tokens.SECRET,
        new JsonObject().put("sub", "1").put("channel", "room-1")), "1")).channel());
    assertTrue(refused(v.subscription(Tokens.hs256(vertx, Tokens.SECRET, claims("1", -5).put("channel", "room-1")), "1")).contains("expired"));
  }

  @Test
  void badKeyConfigStopsWithTheOptionsName() throws Exception {
    Path notPem = Files.writeString(dir.resolve("x.pem"), "hello");
    for (JsonObject bad : List.of(new JsonObject().put("publicKeys", new JsonArray().add(notPem.toString())),
        new JsonObject().put("publicKeys", new JsonArray().add(dir.resolve("missing.pem").toString())),
        new JsonObject().put("jwks", Files.writeString(dir.resolve("j.json"), "{\"keys\":[]}").toString()),
        new JsonObject().put("jwks", Files.writeString(dir.resolve("k.json"), "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQ\",\"e\":\"AQAB\",\"use\":\"enc\"}]}").toString()))) {
      Throwable t = Await.failure(TokenVerifier.create(vertx, NodeConfig.from(new JsonObject().put("tokens", bad)).tokens(), n -> null));
      assertTrue(t.getMessage().startsWith("invalid config: tokens."), t.getMessage());
    }
    IllegalArgumentException shortSecret = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.from(new JsonObject().put("tokens", new JsonObject().put("secret", "short"))));
    assertTrue(shortSecret.getMessage().contains("tokens.secret must be at least 32 characters"));
    assertNull(Await.result(TokenVerifier.create(vertx, NodeConfig.from(new JsonObject()).tokens())), "no key: token auth off");
  }

  @Test
  void theShellMintingExampleOfTheDocsMakesAnAcceptedToken() throws Exception {
    String docs = io.socketpush.ops.ConfigDocs.TOKENS;
    int start = docs.indexOf("```sh\n") + 6;
    String script = docs.substring(start, docs.indexOf("```", start));
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
    pb.environment().put("SOCKETPUSH_TOKEN_SECRET", Tokens.SECRET);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    TokenVerifier.Claims c = Await.result(hs().connection(out));
    assertEquals("1", c.userId());
    assertTrue(c.exp() > Tokens.now() + 3000, String.valueOf(c.exp()));
  }

  @Test
  void theSecretIsNotShownInTheEffectiveConfig() {
    JsonObject shown = NodeConfig.from(new JsonObject().put("tokens", new JsonObject().put("secret", Tokens.SECRET))).toJson();
    assertEquals("***", shown.getJsonObject("tokens").getString("secret"));
    assertTrue(!shown.encode().contains(Tokens.SECRET));
  }
}
