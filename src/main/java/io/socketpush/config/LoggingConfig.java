package io.socketpush.config;

/**
 * The logging section, typed. Its keys are read here and nowhere else; the options (defaults, docs) are
 * {@link NodeConfig#LOGGING}, validated by {@link Section} and {@link NodeConfig} (the level's names).
 */
public record LoggingConfig(String level) {

  static LoggingConfig from(Section s) {
    return new LoggingConfig(s.string("level"));
  }
}
