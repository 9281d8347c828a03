package io.socketpush.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints JWTs for tests the way a backend would (vertx-auth-jwt's signer), plus the forged ones an attacker would
 * send (alg none, HS256 signed with a public key), and writes key files (PEM, JWKS).
 */
public final class Tokens {
  public static final String SECRET = "test-secret-of-at-least-32-characters!!";

  private Tokens() {
  }

  /** Now in JWT seconds. */
  public static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** An HS256 token with {@code claims}, signed with {@code secret}. */
  public static String hs256(Vertx vertx, String secret, JsonObject claims) {
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return auth.generateToken(claims.copy(), new JWTOptions().setAlgorithm("HS256"));
  }

  /** A key pair with its kid, able to write its public key as PEM or JWK and to sign. */
  public static final class Key {
    public final String alg;
    public final String kid;
    public final KeyPair pair;

    private Key(String alg, String kid, KeyPair pair) {
      this.alg = alg;
      this.kid = kid;
      this.pair = pair;
    }

    public static Key rsa(String kid) {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return new Key("RS256", kid, g.generateKeyPair());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    public static Key ec(String kid) {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return new Key("ES256", kid, g.generateKeyPair());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    public String publicPem() {
      return pem("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    public String privatePem() {
      return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
    }

    /** Writes the public key to {@code dir/<kid>.pem}; the path. */
    public Path writePublicPem(Path dir) throws java.io.IOException {
      Path p = dir.resolve(kid + ".pem");
      Files.writeString(p, publicPem(), StandardCharsets.US_ASCII);
      return p;
    }

    /** The public key as a JWK (RFC 7517) with its kid and alg. */
    public JsonObject jwk() {
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      if (pair.getPublic() instanceof RSAPublicKey rsa) {
        return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", alg).put("use", "sig")
            .put("n", b64.encodeToString(unsigned(rsa.getModulus()))).put("e", b64.encodeToString(unsigned(rsa.getPublicExponent())));
      }
      ECPublicKey ec = (ECPublicKey) pair.getPublic();
      return new JsonObject().put("kty", "EC").put("kid", kid).put("alg", alg).put("use", "sig").put("crv", "P-256")
          .put("x", b64.encodeToString(fixed(ec.getW().getAffineX()))).put("y", b64.encodeToString(fixed(ec.getW().getAffineY())));
    }

    /** A token with {@code claims} signed with this key (kid in the header when {@code withKid}). */
    public String sign(Vertx vertx, JsonObject claims, boolean withKid) {
      PubSecKeyOptions k = new PubSecKeyOptions().setAlgorithm(alg).setBuffer(privatePem());
      if (withKid) {
        k.setId(kid);
      }
      return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(k)).generateToken(claims.copy(), new JWTOptions().setAlgorithm(alg));
    }

    /** Same claims, but the header names another kid (a key the server does not know). */
    public String signAs(Vertx vertx, JsonObject claims, String otherKid) {
      PubSecKeyOptions k = new PubSecKeyOptions().setAlgorithm(alg).setBuffer(privatePem()).setId(otherKid);
      return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(k)).generateToken(claims.copy(), new JWTOptions().setAlgorithm(alg));
    }
  }

  /** Writes {"keys": [...]} to {@code file}. */
  public static Path writeJwks(Path file, Key... keys) throws java.io.IOException {
    JsonArray a = new JsonArray();
    for (Key k : keys) {
      a.add(k.jwk());
    }
    Files.writeString(file, new JsonObject().put("keys", a).encode());
    return file;
  }

  /** An unsigned token: header {"alg":"none"}, the given claims, an empty signature part. */
  public static String algNone(JsonObject claims) {
    return part(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + part(claims) + ".";
  }

  /** A hand-made HS256 token signed with {@code key} as the HMAC secret (e.g. an RSA public key's PEM). */
  public static String hmacWith(byte[] key, JsonObject header, JsonObject claims) {
    String input = part(header) + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String part(JsonObject o) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(o.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static byte[] fixed(BigInteger v) {
    byte[] b = unsigned(v);
    byte[] out = new byte[32];
    System.arraycopy(b, 0, out, 32 - b.length, b.length);
    return out;
  }
}
