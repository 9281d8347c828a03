package io.socketpush.config;

import java.util.List;

/**
 * The tokens section, typed. Its keys are read here and nowhere else; the options (defaults, bounds, docs) are
 * {@link NodeConfig#TOKENS}, validated by {@link Section}.
 */
public record TokensConfig(String secret, String secretEnv, List<String> publicKeys, String jwks, long leeway,
    String audience, String issuer) {

  static TokensConfig from(Section s) {
    return new TokensConfig(s.string("secret"), s.string("secretEnv"), List.copyOf(s.strings("publicKeys")),
        s.string("jwks"), s.longValue("leeway"), s.string("audience"), s.string("issuer"));
  }
}
