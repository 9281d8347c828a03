package io.socketpush.cluster;

import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may join the cluster: only processes holding the cluster secret.
 * <ul>
 *   <li><b>JGroups</b>: {@code SYM_ENCRYPT} in {@code conf/jgroups.xml} encrypts every message above
 *   discovery and failure detection (JOIN and MERGE requests included) with an AES-256 key derived from the
 *   secret (PBKDF2-HMAC-SHA256). A process with another secret cannot be decrypted, so its join request is
 *   dropped and it never enters the view. The key is handed to JGroups as a PKCS#12 keystore written to a
 *   private temporary file ({@code socketpush.cluster.keystore} and {@code .password} system properties).</li>
 *   <li><b>Event bus</b>: TLS with mutual authentication ({@link ClientAuth#REQUIRED}); each side trusts only
 *   the cluster's certificate. The certificate is the operator's (PEM files: {@code cluster.tlsCertPath},
 *   {@code cluster.tlsKeyPath}, {@code cluster.tlsCaPath}), or else derived deterministically from the secret
 *   (an RSA key generated from a PBKDF2 seed), so every holder of the secret derives the same one and nobody
 *   else can.</li>
 * </ul>
 * The secret comes from the environment variable {@value #SECRET_ENV}, or else from the file named by
 * {@code cluster.secretFile} ({@code #} lines are comments); it is never logged. Without a secret the node
 * runs insecure, which is refused unless every cluster address is loopback or {@code cluster.insecure} is true.
 */
public final class ClusterSecurity {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSecurity.class);
  public static final String SECRET_ENV = "SOCKETPUSH_CLUSTER_SECRET";
  public static final String KEYSTORE_PROPERTY = "socketpush.cluster.keystore";
  public static final String KEYSTORE_PASSWORD_PROPERTY = "socketpush.cluster.keystore.password";
  static final int MIN_SECRET_LENGTH = 16;
  private static final String ALIAS = "cluster";

  private final String secret;
  private final String source;

  private ClusterSecurity(String secret, String source) {
    this.secret = secret;
    this.source = source;
  }

  /** The secret from the environment, else from {@code secretFile} (may be null); none when neither has one. */
  public static ClusterSecurity load(String secretFile) {
    return load(System.getenv(SECRET_ENV), secretFile);
  }

  static ClusterSecurity load(String env, String secretFile) {
    if (env != null && !env.isBlank()) {
      return new ClusterSecurity(check(env.trim(), "environment variable " + SECRET_ENV), "environment variable " + SECRET_ENV);
    }
    if (secretFile == null) {
      return new ClusterSecurity(null, "none");
    }
    String text;
    try {
      text = Files.readString(Path.of(secretFile), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid config: cluster.secretFile " + secretFile + " cannot be read: " + e.getMessage());
    }
    StringBuilder s = new StringBuilder();
    text.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(s::append);
    return new ClusterSecurity(check(s.toString(), "cluster.secretFile " + secretFile), "file " + secretFile);
  }

  private static String check(String secret, String where) {
    if (secret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException("invalid config: the cluster secret in " + where + " must be at least "
          + MIN_SECRET_LENGTH + " characters (generate one: openssl rand -base64 32)");
    }
    return secret;
  }

  /** Whether a secret is configured. */
  public boolean secured() {
    return secret != null;
  }

  /** Where the secret came from (never the secret). */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "ClusterSecurity(" + (secured() ? "secret from " + source : "insecure") + ")";
  }

  /**
   * Refuses an insecure cluster on a non-loopback address unless {@code insecure} says so. {@code addresses}
   * are the JGroups bind address and the event-bus host (null: loopback defaults).
   */
  public void checkExposure(boolean insecure, String... addresses) {
    if (secured() || insecure) {
      return;
    }
    for (String a : addresses) {
      if (a != null && !loopback(a)) {
        throw new IllegalArgumentException("invalid config: the cluster binds " + a + " (not loopback) without a cluster"
            + " secret: set " + SECRET_ENV + " or cluster.secretFile, or cluster.insecure: true to run an open cluster");
      }
    }
  }

  static boolean loopback(String address) {
    if (address.equals("localhost") || address.startsWith("127.") || address.equals("::1") || address.equals("LOOPBACK")
        || address.equals("loopback")) {
      return true;
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Hands the JGroups key to {@code SYM_ENCRYPT} (system properties read by conf/jgroups.xml); call before
   * the cluster manager starts. Without a secret nothing is set and the stack uses the insecure development
   * key shipped in the jar.
   */
  public void configureJGroups() {
    if (!secured()) {
      return;
    }
    try {
      Path dir = Files.createTempDirectory("socketpush-cluster-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path file = dir.resolve("jgroups.p12");
      String password = UUID.randomUUID().toString();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setEntry(ALIAS, new KeyStore.SecretKeyEntry(new SecretKeySpec(derive("jgroups-sym-encrypt", 32), "AES")),
          new KeyStore.PasswordProtection(password.toCharArray()));
      try (OutputStream out = Files.newOutputStream(file)) {
        ks.store(out, password.toCharArray());
      }
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      System.setProperty(KEYSTORE_PROPERTY, file.toString());
      System.setProperty(KEYSTORE_PASSWORD_PROPERTY, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot prepare the JGroups key: " + e, e);
    }
  }

  /**
   * Event-bus TLS with mutual authentication: the operator's PEM files when given (all three), else the
   * certificate derived from the secret. Without a secret and without files the options are left alone.
   */
  public VertxOptions configureEventBus(VertxOptions options, String certPath, String keyPath, String caPath) {
    EventBusOptions eb = options.getEventBusOptions();
    if (certPath != null) {
      eb.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath))
          .setTrustOptions(new PemTrustOptions().addCertPath(caPath));
      return options;
    }
    if (!secured()) {
      return options;
    }
    Derived d = derivedCertificate();
    eb.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(d.certPem())).addKeyValue(Buffer.buffer(d.keyPem())))
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(d.certPem())));
    return options;
  }

  /** Both: JGroups key and event-bus TLS (for client-only members: {@code Vertx.builder().with(options)}). */
  public VertxOptions configure(VertxOptions options) {
    configureJGroups();
    return configureEventBus(options, null, null, null);
  }

  /** Vert.x options of a client-only member of a cluster whose nodes use {@code secretFile} (or the environment). */
  public static VertxOptions clientOptions(String secretFile) {
    ClusterSecurity s = load(secretFile);
    if (s.secured()) {
      LOG.info("cluster security: secret from {}", s.source());
    }
    return s.configure(new VertxOptions());
  }

  /** A PEM certificate and PKCS#8 key. */
  record Derived(String certPem, String keyPem) {
  }

  /** The cluster certificate derived from the secret: the same bytes for every holder of the secret. */
  Derived derivedCertificate() {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(derive("eventbus-tls", 32)); // seeded before first use: a deterministic stream
      java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048, random);
      java.security.KeyPair pair = gen.generateKeyPair();
      // fixed name, serial and validity: the certificate's bytes depend on the secret only
      org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=socket-push-cluster");
      org.bouncycastle.cert.X509CertificateHolder holder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
          name, java.math.BigInteger.ONE, new Date(1_577_836_800_000L), new Date(4_102_444_800_000L), name, pair.getPublic())
          .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()));
      Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
      return new Derived("-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(holder.getEncoded()) + "\n-----END CERTIFICATE-----\n",
          "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot derive the cluster certificate: " + e, e);
    }
  }

  /** {@code bytes} of key material for one purpose, from the secret (PBKDF2-HMAC-SHA256, 100,000 rounds). */
  byte[] derive(String purpose, int bytes) throws GeneralSecurityException {
    PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), ("socket-push cluster v1 " + purpose).getBytes(StandardCharsets.UTF_8),
        100_000, bytes * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } finally {
      spec.clearPassword();
    }
  }
}
