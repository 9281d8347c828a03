package io.socketpush.config;

import java.util.List;

/**
 * The management section, typed. Its keys are read here and nowhere else; the options (defaults, bounds, docs)
 * are {@link NodeConfig#MANAGEMENT}, validated by {@link Section}.
 */
public record ManagementConfig(String host, int port, String publicUrl, List<String> apiKeys, List<String> readOnlyApiKeys,
    List<String> allowedOrigins, List<String> allowedHosts, int maxBodySize, String tlsCertPath, String tlsKeyPath) {

  static ManagementConfig from(Section s) {
    return new ManagementConfig(s.string("host"), s.integer("port"), s.string("publicUrl"), List.copyOf(s.strings("apiKeys")),
        List.copyOf(s.strings("readOnlyApiKeys")), List.copyOf(s.strings("allowedOrigins")),
        List.copyOf(s.strings("allowedHosts")), s.integer("maxBodySize"), s.string("tlsCertPath"), s.string("tlsKeyPath"));
  }

  /** TLS options of the admin port, or null when it has no TLS. */
  public io.vertx.core.net.PemKeyCertOptions tls() {
    return tlsCertPath == null ? null : new io.vertx.core.net.PemKeyCertOptions().setCertPath(tlsCertPath).setKeyPath(tlsKeyPath);
  }
}
