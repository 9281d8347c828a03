package io.socketpush.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.events.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Webhook signatures: Java signs and verifies, and the PHP runtime (real php-cli) verifies what Java signed. */
class WebhookSignatureTest {
  static final String SECRET = "a-webhook-secret-0123456789";
  static final byte[] BODY = "{\"events\":[{\"id\":\"e-1\",\"type\":\"user.online\",\"key\":\"user:1\",\"at\":1,\"data\":{\"userId\":\"1\"}}]}"
      .getBytes(StandardCharsets.UTF_8);
  static final long TS = 1_800_000_000L;

  @Test
  void aSignedBodyVerifiesWithinTheTolerance() {
    String sig = WebhookSignature.sign(SECRET, TS, BODY);
    assertTrue(sig.matches("sha256=[0-9a-f]{64}"), sig);
    assertTrue(WebhookSignature.verify(SECRET, BODY, String.valueOf(TS), sig, TS + 299, 300));
    assertTrue(WebhookSignature.verify(SECRET, BODY, String.valueOf(TS), sig, TS - 299, 300));
  }

  @Test
  void aTamperedBodyFails() {
    String sig = WebhookSignature.sign(SECRET, TS, BODY);
    byte[] tampered = new String(BODY, StandardCharsets.UTF_8).replace("user.online", "user.offline").getBytes(StandardCharsets.UTF_8);
    assertFalse(WebhookSignature.verify(SECRET, tampered, String.valueOf(TS), sig, TS, 300));
    byte[] longer = (new String(BODY, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
    assertFalse(WebhookSignature.verify(SECRET, longer, String.valueOf(TS), sig, TS, 300));
  }

  @Test
  void aStaleOrSwappedTimestampOrAnotherSecretFails() {
    String sig = WebhookSignature.sign(SECRET, TS, BODY);
    assertFalse(WebhookSignature.verify(SECRET, BODY, String.valueOf(TS), sig, TS + 301, 300), "stale");
    assertFalse(WebhookSignature.verify(SECRET, BODY, String.valueOf(TS + 1), sig, TS, 300), "timestamp is signed");
    assertFalse(WebhookSignature.verify(SECRET + "x", BODY, String.valueOf(TS), sig, TS, 300), "other secret");
    assertFalse(WebhookSignature.verify(SECRET, BODY, "soon", sig, TS, 300), "malformed timestamp");
    assertFalse(WebhookSignature.verify(SECRET, BODY, null, sig, TS, 300), "no timestamp");
    assertFalse(WebhookSignature.verify(SECRET, BODY, String.valueOf(TS), null, TS, 300), "no signature");
  }

  @Test
  void thePhpRuntimeVerifiesWhatJavaSignedAndRejectsTamperingAndStaleness() throws Exception {
    Path body = Files.createTempFile("webhook-body", ".json");
    try {
      Files.write(body, BODY);
      String sig = WebhookSignature.sign(SECRET, TS, BODY);
      Process php = new ProcessBuilder(List.of("php", "codegen/php/test/webhook_test.php", SECRET, String.valueOf(TS), sig,
          body.toString(), String.valueOf(TS + 10))).redirectErrorStream(true).start();
      String out = new String(php.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(php.waitFor(30, TimeUnit.SECONDS), out);
      assertEquals(0, php.exitValue(), out);
      for (String check : List.of("same signature as Java", "Java signature verifies", "tampered body fails",
          "stale timestamp fails", "other timestamp fails", "events() throws on a tampered body")) {
        assertTrue(out.contains("OK " + check), check + ":\n" + out);
      }
      assertTrue(out.contains("DONE"), out);
    } finally {
      Files.deleteIfExists(body);
    }
  }
}
