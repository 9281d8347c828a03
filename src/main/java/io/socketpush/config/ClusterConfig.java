package io.socketpush.config;

/**
 * The cluster section, typed. Its keys are read here and nowhere else; the options (defaults, bounds, docs) are
 * {@link NodeConfig#CLUSTER}, validated by {@link Section}.
 */
public record ClusterConfig(long heartbeatInterval, long nodeTimeout, long requestTimeout, long antiEntropyInterval,
    int virtualNodes, int listLimit, String secretFile, boolean insecure, String tlsCertPath, String tlsKeyPath,
    String tlsCaPath, boolean localCalls) {

  static ClusterConfig from(Section s) {
    return new ClusterConfig(s.longValue("heartbeatInterval"), s.longValue("nodeTimeout"), s.longValue("requestTimeout"),
        s.longValue("antiEntropyInterval"), s.integer("virtualNodes"), s.integer("listLimit"), s.string("secretFile"),
        s.bool("insecure"), s.string("tlsCertPath"), s.string("tlsKeyPath"), s.string("tlsCaPath"),
        s.bool("localCalls"));
  }
}
