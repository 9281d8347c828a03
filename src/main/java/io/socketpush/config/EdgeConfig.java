package io.socketpush.config;

import java.util.List;

/**
 * The edge section, typed. Its keys are read here and nowhere else; the options (defaults, bounds, docs) are
 * {@link NodeConfig#EDGE}, validated by {@link Section}. Runtime options ({@link RuntimeConfig#RUNTIME_KEYS}) give
 * a new record: readers take {@code config.get().edge()} each time rather than keeping one.
 */
public record EdgeConfig(String host, int port, String publicUrl, long authTimeout, long removeUserAfterDisconnectTimeout,
    List<String> publicChannels, long pingTimeout, int maxFrameSize, int maxWriteQueueSize, int maxRegistrationsPerSocket,
    int maxFramesPerSecond, int maxSocketsPerUser, int maxAddressLength, int authFailuresPerIp, int authFailuresPerUser,
    long authBackoffMax, int maxUnauthenticatedPerIp, long maxQueuedBytes, String tlsCertPath, String tlsKeyPath,
    List<String> allowedOrigins) {

  static EdgeConfig from(Section s) {
    return new EdgeConfig(s.string("host"), s.integer("port"), s.string("publicUrl"), s.longValue("authTimeout"),
        s.longValue("removeUserAfterDisconnectTimeout"), List.copyOf(s.strings("publicChannels")), s.longValue("pingTimeout"),
        s.integer("maxFrameSize"), s.integer("maxWriteQueueSize"), s.integer("maxRegistrationsPerSocket"),
        s.integer("maxFramesPerSecond"), s.integer("maxSocketsPerUser"), s.integer("maxAddressLength"),
        s.integer("authFailuresPerIp"), s.integer("authFailuresPerUser"), s.longValue("authBackoffMax"),
        s.integer("maxUnauthenticatedPerIp"), s.longValue("maxQueuedBytes"), s.string("tlsCertPath"), s.string("tlsKeyPath"),
        List.copyOf(s.strings("allowedOrigins")));
  }

  /** TLS options of the client port, or null when it has no TLS. */
  public io.vertx.core.net.PemKeyCertOptions tls() {
    return tlsCertPath == null ? null : new io.vertx.core.net.PemKeyCertOptions().setCertPath(tlsCertPath).setKeyPath(tlsKeyPath);
  }
}
