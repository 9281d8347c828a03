package io.socketpush.edge;

import java.util.List;

/**
 * Decides whether a browser Origin may open a socket: its own origin (same host as the request), an
 * allowlisted one, or {@code *}. Requests without Origin (non-browser clients) pass: Origin exists to stop
 * cross-site pages from hijacking a user's socket, and only browsers send it.
 */
public final class OriginCheck {
  private OriginCheck() {
  }

  public static boolean allowed(String origin, String host, List<String> allowlist) {
    if (origin == null) {
      return true;
    }
    if (allowlist.contains("*") || allowlist.contains(origin)) {
      return true;
    }
    if (host == null) {
      return false;
    }
    return origin.equals("http://" + host) || origin.equals("https://" + host);
  }
}
