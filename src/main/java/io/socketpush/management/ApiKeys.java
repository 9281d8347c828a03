package io.socketpush.management;

import io.socketpush.config.ManagementConfig;
import io.socketpush.error.Failure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The API keys of the admin port, compared in constant time: the presented key and every configured key
 * are hashed (SHA-256, so the comparison never depends on the keys' lengths) and compared with
 * {@link MessageDigest#isEqual}, against every key, with no early exit. Timing tells an attacker neither
 * how much of a key matched nor which key did.
 */
public final class ApiKeys {
  /** The comparison used in production: the JDK's constant-time byte comparison. */
  static final BiPredicate<byte[], byte[]> CONSTANT_TIME = MessageDigest::isEqual;

  private final byte[][] full;
  private final byte[][] readOnly;
  private final BiPredicate<byte[], byte[]> equal;

  ApiKeys(List<String> full, List<String> readOnly, BiPredicate<byte[], byte[]> equal) {
    this.full = full.stream().map(ApiKeys::digest).toArray(byte[][]::new);
    this.readOnly = readOnly.stream().map(ApiKeys::digest).toArray(byte[][]::new);
    this.equal = equal;
  }

  /** The keys of a management config section. */
  public static ApiKeys of(ManagementConfig management) {
    Memo m = last;
    if (m == null || m.section != management) { // a config change brings a new section
      m = new Memo(management, new ApiKeys(management.apiKeys(), management.readOnlyApiKeys(), CONSTANT_TIME));
      last = m;
    }
    return m.keys;
  }

  /** The keys of the section asked last: every call asks with the same section until the config changes. */
  private record Memo(ManagementConfig section, ApiKeys keys) {
  }

  private static volatile Memo last;

  /** Whether any key is configured (no keys: every call is allowed). */
  public boolean configured() {
    return full.length > 0 || readOnly.length > 0;
  }

  /**
   * Checks an {@code Authorization} header: null when the call is allowed, else UNAUTHORIZED (no bearer
   * key) or FORBIDDEN (unknown key, or a read-only key for a call that changes state).
   */
  public Failure check(String authorization, boolean readOnlyCall) {
    if (!configured()) {
      return null;
    }
    String key = bearer(authorization);
    if (key == null) {
      return Failure.UNAUTHORIZED;
    }
    byte[] d = digest(key);
    boolean isFull = matchesAny(full, d);
    boolean isReadOnly = matchesAny(readOnly, d);
    if (isFull || isReadOnly && readOnlyCall) {
      return null;
    }
    return Failure.FORBIDDEN;
  }

  /** The check before any routing: is this header a known key at all (full or read-only)? */
  public Failure checkAnyKey(String authorization) {
    return check(authorization, true);
  }

  private boolean matchesAny(byte[][] keys, byte[] presented) {
    boolean match = false;
    for (byte[] k : keys) {
      match |= equal.test(k, presented); // no short-circuit: every key is compared
    }
    return match;
  }

  private static String bearer(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return null;
    }
    String key = authorization.substring(7).trim();
    return key.isEmpty() ? null : key;
  }

  static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
