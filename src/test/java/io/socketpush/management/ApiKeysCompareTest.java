package io.socketpush.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.config.NodeConfig;
import io.socketpush.error.Failure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/** API keys are compared in constant time, against every key, and blank keys stop the node at startup. */
class ApiKeysCompareTest {

  /** Records every comparison, then answers as the JDK's constant-time comparison would. */
  private static final class Spy implements BiPredicate<byte[], byte[]> {
    final List<int[]> calls = new ArrayList<>();

    @Override
    public boolean test(byte[] a, byte[] b) {
      calls.add(new int[] {a.length, b.length});
      return java.security.MessageDigest.isEqual(a, b);
    }
  }

  @Test
  void everyKeyIsComparedWithEqualLengthDigestsWhicheverMatches() {
    List<String> full = List.of("first-key", "k", "a-much-longer-third-key-0123456789");
    List<String> ro = List.of("read-only");
    for (String presented : List.of("first-key", "a-much-longer-third-key-0123456789", "wrong", "read-only", "f")) {
      Spy spy = new Spy();
      ApiKeys keys = new ApiKeys(full, ro, spy);
      keys.check("Bearer " + presented, false);
      // no early exit on a match or a mismatch, and lengths never depend on the keys (SHA-256 digests)
      assertEquals(full.size() + ro.size(), spy.calls.size(), "comparisons for " + presented);
      spy.calls.forEach(c -> assertTrue(c[0] == 32 && c[1] == 32, "digests of 32 bytes, got " + c[0] + "/" + c[1]));
    }
  }

  @Test
  void productionKeysUseMessageDigestIsEqual() throws Exception {
    ApiKeys keys = ApiKeys.of(NodeConfig.from(new JsonObject().put("management", new JsonObject()
        .put("apiKeys", new JsonArray().add("s3cret")))).management());
    Field f = ApiKeys.class.getDeclaredField("equal");
    f.setAccessible(true);
    assertSame(ApiKeys.CONSTANT_TIME, f.get(keys), "the production comparison is the constant-time one");
    byte[] a = ApiKeys.digest("x");
    assertTrue(ApiKeys.CONSTANT_TIME.test(a, ApiKeys.digest("x")));
    assertEquals(false, ApiKeys.CONSTANT_TIME.test(a, ApiKeys.digest("y")));
    assertNull(keys.check("Bearer s3cret", false));
    assertEquals(Failure.FORBIDDEN, keys.check("Bearer s3cre", false));
    assertEquals(Failure.FORBIDDEN, keys.check("Bearer s3cret0", false));
    assertEquals(Failure.UNAUTHORIZED, keys.check("Bearer ", false));
    assertEquals(Failure.UNAUTHORIZED, keys.check(null, false));
  }

  @Test
  void readOnlyKeysReadOnly() {
    ApiKeys keys = new ApiKeys(List.of("full"), List.of("ro"), ApiKeys.CONSTANT_TIME);
    assertNull(keys.check("Bearer ro", true));
    assertEquals(Failure.FORBIDDEN, keys.check("Bearer ro", false));
    assertNull(keys.check("Bearer full", false));
    assertNull(new ApiKeys(List.of(), List.of(), ApiKeys.CONSTANT_TIME).check(null, false), "no keys: no check");
  }

  @Test
  void blankKeysAreAConfigError() {
    for (String bad : List.of("", "  ", " padded", "padded\t")) {
      for (String field : List.of("apiKeys", "readOnlyApiKeys")) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.from(new JsonObject()
            .put("management", new JsonObject().put(field, new JsonArray().add("good").add(bad)))));
        assertTrue(e.getMessage().contains("management." + field) && e.getMessage().contains("blank"), e.getMessage());
      }
    }
  }
}
