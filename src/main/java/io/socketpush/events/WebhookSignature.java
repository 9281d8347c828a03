package io.socketpush.events;

import io.socketpush.client.SocketPush;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies socket-push webhooks. A POST carries {@value #TIMESTAMP_HEADER} (unix seconds) and
 * {@value #SIGNATURE_HEADER}: {@code sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>}. Verify the raw
 * bytes as received (before any JSON parsing), reject a timestamp outside the tolerance (replays), compare in
 * constant time.
 */
public final class WebhookSignature {
  public static final String TIMESTAMP_HEADER = "X-SocketPush-Timestamp";
  public static final String SIGNATURE_HEADER = "X-SocketPush-Signature";
  /** The default tolerance between the timestamp and the receiver's clock. */
  public static final long DEFAULT_TOLERANCE_SECONDS = 300;

  private WebhookSignature() {
  }

  /** The signature header value of {@code body} sent at {@code timestampSeconds}. */
  public static String sign(String secret, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      byte[] d = mac.doFinal(body);
      StringBuilder hex = new StringBuilder("sha256=");
      for (byte b : d) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** {@link #verify(String, byte[], String, String, long, long)} against the current clock and the default tolerance. */
  public static boolean verify(String secret, byte[] body, String timestampHeader, String signatureHeader) {
    return verify(secret, body, timestampHeader, signatureHeader, System.currentTimeMillis() / 1000, DEFAULT_TOLERANCE_SECONDS);
  }

  /**
   * Whether the headers sign exactly {@code body} with {@code secret} and the timestamp is within
   * {@code toleranceSeconds} of {@code nowSeconds}. Missing or malformed headers fail.
   */
  public static boolean verify(String secret, byte[] body, String timestampHeader, String signatureHeader, long nowSeconds,
      long toleranceSeconds) {
    if (secret == null || body == null || timestampHeader == null || signatureHeader == null) {
      return false;
    }
    long ts;
    try {
      ts = Long.parseLong(timestampHeader.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(nowSeconds - ts) > toleranceSeconds) {
      return false;
    }
    byte[] expected = sign(secret, ts, body).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, signatureHeader.trim().getBytes(StandardCharsets.US_ASCII));
  }
}
