package io.socketpush.auth;

import io.socketpush.config.TokensConfig;
import io.socketpush.error.Failure;
import io.socketpush.error.Validate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.impl.jose.JWK;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Verifies the JWTs a backend signs for sockets (the {@code tokens} config section), with vertx-auth-jwt: the
 * signature (HS256 with the shared secret, RS256/ES256 with PEM public keys or a JWKS, several keys told apart by
 * {@code kid}), {@code exp}/{@code nbf}/{@code iat} with the configured leeway, and {@code aud}/{@code iss} when
 * configured. {@code alg: none}, unsigned tokens and an algorithm no configured key has (HS256 signed with an RSA
 * public key) are refused by the library. Every refusal is an AUTH_FAILED whose message names the reason
 * ({@link #reason}); nothing here throws. Keys are read once at start, without blocking an event loop.
 */
public final class TokenVerifier {
  /** Longest token accepted (a larger one is refused before it is parsed). */
  public static final int MAX_TOKEN_LENGTH = 8_192;
  /** Most channels a connection token's {@code channels} claim may name. */
  public static final int MAX_CHANNELS = 256;

  /**
   * What a valid token says.
   *
   * @param userId   {@code sub}
   * @param exp      {@code exp} in seconds since the epoch; 0 when the token does not expire
   * @param channels a connection token's {@code channels} claim (empty when none)
   * @param info     a connection token's {@code info} claim (presence info), or null
   * @param channel  a subscription token's {@code channel} claim, or null for a connection token
   */
  public record Claims(String userId, long exp, List<String> channels, JsonObject info, String channel) {
  }

  /** Least time between two fetches of a JWKS URL caused by tokens naming an unknown kid. */
  public static final long JWKS_REFETCH_MS = 60_000;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TokenVerifier.class);

  private final Vertx vertx;
  /** The keys and checks, the JWKS keys included (replaced when a JWKS URL is fetched again). */
  private JWTAuthOptions options;
  private JWTAuth jwt;
  private final int leeway;
  private final String jwksUrl;
  private final long refetchMs;
  private long lastFetch = System.currentTimeMillis();
  private Future<Void> fetching;

  private TokenVerifier(Vertx vertx, JWTAuthOptions options, int leeway, String jwksUrl, long refetchMs) {
    this.vertx = vertx;
    this.options = options;
    this.jwt = JWTAuth.create(vertx, options);
    this.leeway = leeway;
    this.jwksUrl = jwksUrl;
    this.refetchMs = refetchMs;
  }

  /** Seconds of clock skew allowed on {@code exp} (the edge closes an expired socket at exp + leeway). */
  public int leeway() {
    return leeway;
  }

  /** Whether the section configures a key (a secret, its environment variable, PEM files or a JWKS). */
  public static boolean enabled(TokensConfig tokens) {
    return tokens.secret() != null || tokens.secretEnv() != null || !tokens.publicKeys().isEmpty()
        || tokens.jwks() != null;
  }

  /** Loads the keys of the {@code tokens} section; null (token auth off) when it configures none. */
  public static Future<TokenVerifier> create(Vertx vertx, TokensConfig tokens) {
    return create(vertx, tokens, System::getenv);
  }

  /**
   * Loads the keys of the {@code tokens} section, reading environment variables through {@code env}. Fails with a
   * message naming the option when a key cannot be used (missing variable, short secret, unreadable PEM or JWKS).
   */
  public static Future<TokenVerifier> create(Vertx vertx, TokensConfig tokens, Function<String, String> env) {
    return create(vertx, tokens, env, JWKS_REFETCH_MS);
  }

  /**
   * As {@link #create(Vertx, TokensConfig, Function)}; a JWKS URL is fetched again (at most every {@code refetchMs}) when
   * a token names a kid none of the keys has: a key the backend added since (rotation without a restart).
   */
  static Future<TokenVerifier> create(Vertx vertx, TokensConfig tokens, Function<String, String> env, long refetchMs) {
    if (!enabled(tokens)) {
      return Future.succeededFuture(null);
    }
    JWTAuthOptions options = new JWTAuthOptions();
    String secret = tokens.secret();
    String secretEnv = tokens.secretEnv();
    if (secretEnv != null) {
      secret = env.apply(secretEnv);
      if (secret == null || secret.isEmpty()) {
        return Future.failedFuture(new IllegalArgumentException("invalid config: tokens.secretEnv names " + secretEnv
            + ", which is not set"));
      }
    }
    if (secret != null) {
      if (secret.length() < 32) {
        return Future.failedFuture(new IllegalArgumentException("invalid config: the tokens secret must be at least 32 characters"));
      }
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret));
    }
    List<Future<PubSecKeyOptions>> pems = new ArrayList<>();
    for (String file : tokens.publicKeys()) {
      pems.add(vertx.fileSystem().readFile(file)
          .recover(err -> Future.failedFuture(new IllegalArgumentException("invalid config: tokens.publicKeys: cannot read "
              + file + ": " + err.getMessage())))
          .compose(pem -> pemKey(file, pem)));
    }
    String jwksSource = tokens.jwks();
    Future<List<JsonObject>> jwks = jwksSource == null ? Future.succeededFuture(List.of()) : jwks(vertx, jwksSource);
    int leeway = (int) tokens.leeway();
    JWTOptions checks = new JWTOptions().setLeeway(leeway);
    if (tokens.audience() != null) {
      checks.setAudience(List.of(tokens.audience()));
    }
    if (tokens.issuer() != null) {
      checks.setIssuer(tokens.issuer());
    }
    options.setJWTOptions(checks);
    return Future.all(Future.all(pems), jwks).compose(all -> {
      pems.forEach(p -> options.addPubSecKey(p.result()));
      options.setJwks(new ArrayList<>(jwks.result()));
      if ((options.getPubSecKeys() == null || options.getPubSecKeys().isEmpty()) && options.getJwks().isEmpty()) {
        // vertx-auth-jwt without any key runs "unsecured" and would accept unsigned tokens: never
        return Future.failedFuture(new IllegalArgumentException("invalid config: tokens configures no usable key"));
      }
      boolean url = jwksSource != null && (jwksSource.startsWith("http://") || jwksSource.startsWith("https://"));
      return Future.succeededFuture(new TokenVerifier(vertx, options, leeway, url ? jwksSource : null, refetchMs));
    });
  }

  /** A PEM public key file: RS256 for an RSA key, ES256 for an EC P-256 key; kid = file name without .pem. */
  private static Future<PubSecKeyOptions> pemKey(String file, Buffer pem) {
    String text = pem.toString(StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
    int end = text.indexOf("-----END PUBLIC KEY-----");
    if (begin < 0 || end < begin) {
      return Future.failedFuture(new IllegalArgumentException("invalid config: tokens.publicKeys: " + file
          + " holds no -----BEGIN PUBLIC KEY----- block"));
    }
    String alg;
    try {
      byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 26, end));
      PublicKey key;
      try {
        key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
      } catch (java.security.spec.InvalidKeySpecException notRsa) {
        key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
      }
      if (key instanceof RSAPublicKey rsa) {
        if (rsa.getModulus().bitLength() < 2048) {
          throw new IllegalArgumentException("RSA keys must have at least 2048 bits");
        }
        alg = "RS256";
      } else if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
        alg = "ES256";
      } else {
        throw new IllegalArgumentException("only RSA and EC P-256 keys are supported");
      }
    } catch (Exception e) {
      return Future.failedFuture(new IllegalArgumentException("invalid config: tokens.publicKeys: " + file + ": " + e.getMessage()));
    }
    String name = Path.of(file).getFileName().toString();
    String kid = name.endsWith(".pem") ? name.substring(0, name.length() - 4) : name;
    return Future.succeededFuture(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(text.substring(begin,
        end + "-----END PUBLIC KEY-----".length())).setId(kid));
  }

  /** The keys of a JWKS file or URL ({"keys": [...]}), each checked to be usable. */
  private static Future<List<JsonObject>> jwks(Vertx vertx, String source) {
    boolean url = source.startsWith("http://") || source.startsWith("https://");
    Future<Buffer> body;
    if (url) {
      WebClient client = WebClient.create(vertx);
      body = client.getAbs(source).timeout(10_000).send()
          .compose(r -> r.statusCode() == 200 ? Future.succeededFuture(r.body() == null ? Buffer.buffer() : r.body())
              : Future.failedFuture("HTTP " + r.statusCode()))
          .andThen(ar -> client.close());
    } else {
      body = vertx.fileSystem().readFile(source);
    }
    return body.recover(err -> Future.failedFuture(new IllegalArgumentException("invalid config: tokens.jwks: cannot read "
        + source + ": " + err.getMessage()))).compose(b -> {
          List<JsonObject> keys = new ArrayList<>();
          try {
            JsonArray array = new JsonObject(b).getJsonArray("keys");
            if (array == null || array.isEmpty()) {
              throw new IllegalArgumentException("no \"keys\"");
            }
            for (Object k : array) {
              JsonObject key = (JsonObject) k;
              if (url && "oct".equals(key.getString("kty"))) {
                throw new IllegalArgumentException("a secret (kty oct) key in a JWKS served over HTTP");
              }
              if (key.getString("use") != null && !"sig".equals(key.getString("use"))) {
                throw new IllegalArgumentException("key " + key.getString("kid") + " is not a signature key (use " + key.getString("use") + ")");
              }
              new JWK(key); // fails on a key the library cannot use, instead of skipping it with a warning
              keys.add(key);
            }
          } catch (Exception e) {
            return Future.failedFuture(new IllegalArgumentException("invalid config: tokens.jwks: " + source + ": " + e.getMessage()));
          }
          return Future.succeededFuture(keys);
        });
  }

  /** Verifies a connection token: a valid JWT whose {@code sub} is the user, without a {@code channel} claim. */
  public Future<Claims> connection(Object token) {
    return verify(token).compose(p -> {
      if (p.containsKey("channel")) {
        return Failure.AUTH_FAILED.fail("token rejected: a subscription token (channel claim) cannot authenticate a socket");
      }
      String user = subject(p);
      if (user == null) {
        return Failure.AUTH_FAILED.fail("token rejected: sub must be a user id (string or integer)");
      }
      List<String> channels = new ArrayList<>();
      Object cs = p.getValue("channels");
      if (cs != null) {
        if (!(cs instanceof JsonArray a) || a.size() > MAX_CHANNELS) {
          return Failure.AUTH_FAILED.fail("token rejected: channels must be an array of at most " + MAX_CHANNELS + " channel ids");
        }
        for (Object c : a) {
          String id = Validate.idText(c);
          if (id == null || Validate.idError("channel", id) != null) {
            return Failure.AUTH_FAILED.fail("token rejected: channels must hold channel ids (strings or integers)");
          }
          channels.add(id);
        }
      }
      Object info = p.getValue("info");
      if (info != null && !(info instanceof JsonObject)) {
        return Failure.AUTH_FAILED.fail("token rejected: info must be an object");
      }
      return Future.succeededFuture(new Claims(user, exp(p), List.copyOf(channels), (JsonObject) info, null));
    });
  }

  /** Verifies a subscription token for {@code userId}: a valid JWT with that {@code sub} and a {@code channel} claim. */
  public Future<Claims> subscription(Object token, String userId) {
    return verify(token).compose(p -> {
      String channel = Validate.idText(p.getValue("channel"));
      if (channel == null || Validate.idError("channel", channel) != null) {
        return Failure.AUTH_FAILED.fail("token rejected: a subscription token needs a channel claim (a channel id)");
      }
      String user = subject(p);
      if (user == null || !user.equals(userId)) {
        return Failure.AUTH_FAILED.fail("token rejected: the subscription token is for another user");
      }
      return Future.succeededFuture(new Claims(user, exp(p), List.of(), null, channel));
    });
  }

  private static String subject(JsonObject p) {
    String sub = Validate.idText(p.getValue("sub"));
    return sub == null || Validate.idError("sub", sub) != null ? null : sub;
  }

  private static long exp(JsonObject p) {
    return p.getValue("exp") instanceof Number n ? n.longValue() : 0;
  }

  /** The verified payload, or AUTH_FAILED with the reason. */
  private Future<JsonObject> verify(Object token) {
    if (!(token instanceof String t) || t.isEmpty() || t.length() > MAX_TOKEN_LENGTH) {
      return Failure.AUTH_FAILED.fail("token rejected: malformed (a token is a non-empty string of at most "
          + MAX_TOKEN_LENGTH + " characters)");
    }
    if (t.split("\\.", -1).length != 3) {
      return Failure.AUTH_FAILED.fail("token rejected: malformed (a signed JWT has three parts)");
    }
    return check(t).recover(err -> {
      if (err instanceof io.vertx.ext.auth.NoSuchKeyIdException && jwksUrl != null
          && (fetching != null || System.currentTimeMillis() - lastFetch >= refetchMs)) {
        return refetch().compose(v -> check(t)); // a kid we do not know yet: the JWKS may have it by now
      }
      return Future.failedFuture(err);
    }).transform(ar -> {
      if (ar.failed()) {
        return Failure.AUTH_FAILED.fail("token rejected: " + reason(ar.cause(), t));
      }
      JsonObject payload = ar.result().attributes().getJsonObject("accessToken");
      for (String claim : List.of("exp", "nbf", "iat")) {
        Object v = payload == null ? null : payload.getValue(claim);
        if (v != null && !(v instanceof Number)) {
          return Failure.AUTH_FAILED.fail("token rejected: malformed (" + claim + " must be a number)");
        }
      }
      return payload == null ? Failure.AUTH_FAILED.fail("token rejected: malformed") : Future.succeededFuture(payload);
    });
  }

  private Future<io.vertx.ext.auth.User> check(String t) {
    try {
      return jwt.authenticate(new TokenCredentials(t));
    } catch (RuntimeException e) { // e.g. a claim of the wrong type met by the library's expiry check
      return Future.failedFuture(e);
    }
  }

  /** Fetches the JWKS URL again and uses its keys (the others stay); one fetch at a time, never failing. */
  private Future<Void> refetch() {
    if (fetching == null) {
      lastFetch = System.currentTimeMillis();
      fetching = jwks(vertx, jwksUrl).<Void>map(keys -> {
        JWTAuthOptions next = new JWTAuthOptions(options).setJwks(new ArrayList<>(keys));
        jwt = JWTAuth.create(vertx, next);
        options = next;
        LOG.info("fetched {} again for an unknown kid: {} key(s)", jwksUrl, keys.size());
        return null;
      }).recover(err -> {
        LOG.warn("fetching {} again failed, the known keys stay: {}", jwksUrl, err.getMessage());
        return Future.succeededFuture();
      }).andThen(ar -> fetching = null);
    }
    return fetching;
  }

  /** Why the library refused a token, in words for the log and the err frame's description. */
  static String reason(Throwable err, String token) {
    String m = String.valueOf(err.getMessage());
    if (err instanceof io.vertx.ext.auth.NoSuchKeyIdException) {
      return "unknown key (" + m + "): no configured key has its alg and kid";
    }
    if (err instanceof SignatureException) {
      return "bad signature";
    }
    if (m.contains("\"none\"")) {
      return "alg none is not accepted";
    }
    if (m.contains("not signed") || m.contains("Signature is required")) {
      return "unsigned token";
    }
    if (m.startsWith("Invalid JWT audience")) {
      return "wrong audience";
    }
    if (m.startsWith("Invalid JWT issuer")) {
      return "wrong issuer";
    }
    if (m.contains("token expired")) {
      // the library says "expired" for exp, nbf and iat alike: tell them apart (for the log only, unverified)
      try {
        JsonObject p = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
        long now = System.currentTimeMillis() / 1000;
        if (p.getValue("exp") instanceof Number n && n.longValue() <= now) {
          return "expired";
        }
        return "not yet valid (nbf or iat in the future)";
      } catch (RuntimeException e) {
        return "expired";
      }
    }
    return "malformed";
  }
}
