package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The cluster secret: where it comes from, what derives from it, when a node without it may start. */
class ClusterSecurityTest {
  private static final String SECRET = "a-test-secret-of-enough-length";

  @Test
  void environmentWinsOverTheFileAndTheFileMayHaveComments() throws Exception {
    Path f = Files.createTempFile("secret", ".txt");
    try {
      Files.writeString(f, "# comment\n  file-secret-0123456789  \n");
      ClusterSecurity fromFile = ClusterSecurity.load(null, f.toString());
      assertTrue(fromFile.secured());
      assertEquals("file " + f, fromFile.source());
      ClusterSecurity fromEnv = ClusterSecurity.load(SECRET, f.toString());
      assertEquals("environment variable SOCKETPUSH_CLUSTER_SECRET", fromEnv.source());
      assertFalse(fromEnv.toString().contains(SECRET), "never printed: " + fromEnv);
      assertFalse(fromFile.toString().contains("file-secret"), "never printed: " + fromFile);
      assertNotEquals(new String(fromFile.derive("x", 16)), new String(fromEnv.derive("x", 16)));
      assertFalse(ClusterSecurity.load(null, null).secured());
    } finally {
      Files.delete(f);
    }
  }

  @Test
  void shortOrUnreadableSecretsAreConfigErrors() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSecurity.load("short", null));
    assertTrue(e.getMessage().contains("at least 16") && !e.getMessage().contains("short"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ClusterSecurity.load(null, "/nonexistent/secret"));
    assertTrue(e.getMessage().contains("cluster.secretFile"), e.getMessage());
  }

  @Test
  void nonLoopbackWithoutSecretIsRefusedUnlessInsecure() {
    ClusterSecurity none = ClusterSecurity.load(null, null);
    none.checkExposure(false, "127.0.0.1", null, "localhost");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> none.checkExposure(false, "127.0.0.1", "10.1.2.3"));
    assertTrue(e.getMessage().contains("cluster.insecure"), e.getMessage());
    none.checkExposure(true, "10.1.2.3");
    ClusterSecurity.load(SECRET, null).checkExposure(false, "10.1.2.3");
  }

  @Test
  void everyHolderDerivesTheSameCertificateAndKeyOthersDoNot() throws Exception {
    ClusterSecurity.Derived a = ClusterSecurity.load(SECRET, null).derivedCertificate();
    ClusterSecurity.Derived b = ClusterSecurity.load(SECRET, null).derivedCertificate();
    ClusterSecurity.Derived other = ClusterSecurity.load(SECRET + "x", null).derivedCertificate();
    assertEquals(a, b, "the same secret gives the same certificate and key (no key distribution)");
    assertNotEquals(a.certPem(), other.certPem());
    assertNotEquals(a.keyPem(), other.keyPem());
    assertArrayEquals(ClusterSecurity.load(SECRET, null).derive("jgroups-sym-encrypt", 32),
        ClusterSecurity.load(SECRET, null).derive("jgroups-sym-encrypt", 32));
  }

  @Test
  void eventBusGetsMutualTls() {
    VertxOptions o = ClusterSecurity.load(SECRET, null).configureEventBus(new VertxOptions(), null, null, null);
    assertTrue(o.getEventBusOptions().isSsl());
    assertEquals(ClientAuth.REQUIRED, o.getEventBusOptions().getClientAuth());
    assertFalse(ClusterSecurity.load(null, null).configureEventBus(new VertxOptions(), null, null, null).getEventBusOptions().isSsl());
  }
}
