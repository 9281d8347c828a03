package io.socketpush.management;

import io.socketpush.config.RuntimeConfig;
import io.socketpush.config.ManagementConfig;
import io.socketpush.error.Failure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of the admin port: what a browser on another site, a DNS-rebound name or a caller
 * without a key may not do, decided before any body is read and before any routing detail is revealed.
 * <ul>
 *   <li><b>Host</b> must be one of {@code management.allowedHosts} (default: the bind address, localhost,
 *   127.0.0.1, ::1 and the host of {@code management.publicUrl}): a page whose name was rebound to
 *   127.0.0.1 sends its own name and is refused (DNS rebinding).</li>
 *   <li><b>Cross-site browsers</b>: on the API, the original GET scheme, {@code /admin/*} and every non-GET
 *   request, an {@code Origin} that is not the admin port's own (scheme://Host, or publicUrl's) nor in
 *   {@code management.allowedOrigins}, or {@code Sec-Fetch-Site: cross-site} without an allowed Origin, is
 *   refused (CSRF: {@code <img src=".../user/remove/42">}, text/plain form POSTs). Requests without these
 *   headers (curl, PHP, Java) pass: only browsers send them.</li>
 *   <li><b>API keys</b>, when configured: calls ({@code /api/<service>/<method>}, the GET scheme,
 *   {@code /admin/*}) need a known key before the router says whether the method exists.</li>
 * </ul>
 * Probes ({@code /health}, {@code /ready}, {@code /heartbeat}, {@code /metrics}) are exempt: they change
 * nothing, reveal no user data, and orchestrators call them by pod IP. Every refusal is a 403 (401 for a
 * missing key) with the JSON error of the failure catalogue.
 */
public final class AdminGuard {
  private static final Logger LOG = LoggerFactory.getLogger(AdminGuard.class);
  private static final Set<String> PROBES = Set.of("/health", "/ready", "/heartbeat", "/metrics");
  /** The original socket-push URL scheme: GET /service/method/params... (the same pattern the router mounts). */
  static final Pattern LEGACY = Pattern.compile("/(auth|channel|user|cluster)/[^/]+(/.*)?");

  private final String nodeId;
  private final RuntimeConfig config;
  private final AtomicLong lastLog = new AtomicLong();

  public AdminGuard(String nodeId, RuntimeConfig config) {
    this.nodeId = nodeId;
    this.config = config;
  }

  /** Route handler: refuses, or passes to the next handler. */
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String path = ctx.normalizedPath();
    if (PROBES.contains(path)) {
      ctx.next();
      return;
    }
    ManagementConfig m = config.get().management();
    String host = hostOf(req);
    if (host != null && !hostAllowed(host, m)) {
      refuse(ctx, Failure.FORBIDDEN, "host " + host + " is not allowed on the admin port (management.allowedHosts)");
      return;
    }
    boolean call = isCall(req.method(), path);
    if (call || req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      String why = crossSite(req, m);
      if (why != null) {
        refuse(ctx, Failure.FORBIDDEN, why);
        return;
      }
    }
    if (call) {
      Failure denied = ApiKeys.of(m).checkAnyKey(req.getHeader("Authorization"));
      if (denied != null) {
        refuse(ctx, denied, denied == Failure.UNAUTHORIZED ? "an API key is required (Authorization: Bearer <key>)"
            : "unknown API key");
        return;
      }
    }
    ctx.next();
  }

  /** API calls, the original GET scheme and the ops routes: what keys guard and browsers may not drive. */
  static boolean isCall(HttpMethod method, String path) {
    return path.startsWith("/api/") || path.startsWith("/admin/") || path.equals("/admin")
        || method == HttpMethod.GET && LEGACY.matcher(path).matches();
  }

  /** Why a request is a refused cross-site browser request, or null when it is not one. */
  String crossSite(HttpServerRequest req, ManagementConfig m) {
    String origin = req.getHeader("Origin");
    if (origin != null) {
      if (m.allowedOrigins().contains(origin) || ownOrigins(req, m).contains(origin.toLowerCase(Locale.ROOT))) {
        return null;
      }
      return "cross-site request refused: origin " + origin + " is not the admin port's own nor in management.allowedOrigins";
    }
    String site = req.getHeader("Sec-Fetch-Site");
    if (site != null && site.equalsIgnoreCase("cross-site")) {
      return "cross-site request refused (Sec-Fetch-Site: cross-site)";
    }
    return null;
  }

  private static Set<String> ownOrigins(HttpServerRequest req, ManagementConfig m) {
    Set<String> own = new LinkedHashSet<>();
    String host = req.getHeader("Host");
    if (host != null) {
      own.add((req.isSSL() ? "https://" : "http://") + host.toLowerCase(Locale.ROOT));
    }
    String publicUrl = m.publicUrl();
    if (publicUrl != null) {
      try {
        URI u = URI.create(publicUrl);
        own.add((u.getScheme() + "://" + u.getRawAuthority()).toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // validated at startup; a bad one simply adds nothing
      }
    }
    return own;
  }

  /** Whether a Host name (without port) is allowed by the section's allowedHosts, or by the defaults when empty. */
  static boolean hostAllowed(String host, ManagementConfig m) {
    HostsMemo memo = lastHosts;
    if (memo == null || memo.section != m) { // the same section for every request until the config changes
      memo = new HostsMemo(m, allowedHosts(m));
      lastHosts = memo;
    }
    return memo.hosts.contains(host.toLowerCase(Locale.ROOT)) || memo.hosts.contains("*");
  }

  private record HostsMemo(ManagementConfig section, Set<String> hosts) {
  }

  private static volatile HostsMemo lastHosts;

  /** The effective host allowlist: management.allowedHosts, or the defaults when it is empty. */
  public static Set<String> allowedHosts(ManagementConfig m) {
    Set<String> out = new LinkedHashSet<>();
    List<String> given = m.allowedHosts();
    if (!given.isEmpty()) {
      given.forEach(h -> out.add(bare(h.toLowerCase(Locale.ROOT))));
      return out;
    }
    String bind = m.host();
    if (bind != null && !bind.equals("0.0.0.0") && !bind.equals("::") && !bind.equals("[::]")) {
      out.add(bare(bind.toLowerCase(Locale.ROOT)));
    }
    out.add("localhost");
    out.add("127.0.0.1");
    out.add("::1");
    String publicUrl = m.publicUrl();
    if (publicUrl != null) {
      try {
        String h = URI.create(publicUrl).getHost();
        if (h != null) {
          out.add(bare(h.toLowerCase(Locale.ROOT)));
        }
      } catch (IllegalArgumentException e) {
        // nothing to add
      }
    }
    return out;
  }

  private static String hostOf(HttpServerRequest req) {
    HostAndPort a = req.authority();
    if (a != null) {
      return bare(a.host().toLowerCase(Locale.ROOT));
    }
    String h = req.getHeader("Host");
    return h == null ? null : bare(h.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", ""));
  }

  /** IPv6 literals without brackets, so "[::1]" and "::1" are one entry. */
  private static String bare(String h) {
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private void refuse(RoutingContext ctx, Failure f, String message) {
    long now = System.currentTimeMillis();
    long last = lastLog.get();
    if (now - last > 10_000 && lastLog.compareAndSet(last, now)) { // one line per 10 s, not one per attempt
      LOG.warn("[{}] admin request {} {} from {} refused: {}", nodeId, ctx.request().method(), ctx.normalizedPath(),
          ctx.request().remoteAddress(), message);
    }
    ctx.response().setStatusCode(f.httpStatus).putHeader("content-type", "application/json")
        .end(f.envelope(message).encode());
  }
}
