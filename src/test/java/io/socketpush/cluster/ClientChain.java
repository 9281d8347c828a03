package io.socketpush.cluster;

import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One client of a fault test over the whole run: its sockets in the order it opened them, each one after the
 * first authenticated with the position the client last received on {@code stream} (as the JS client does), so
 * the run owes it every publish sent after its first socket was authenticated, across every reconnect.
 * {@link #ledger} counts, over all its sockets: acknowledged publishes never received, duplicates, deliveries
 * out of stream order (positions not increasing), and resumes the server answered {@code recovered:false}.
 */
final class ClientChain {
  final String user;
  final String session;
  final String stream;
  /** When the first socket was authenticated: publishes sent after it are owed. */
  final long since;
  final List<FrameClient> sockets = new CopyOnWriteArrayList<>();
  final List<String> notRecovered = new CopyOnWriteArrayList<>();

  private ClientChain(String user, String session, String stream, FrameClient first) {
    this.user = user;
    this.session = session;
    this.stream = stream;
    this.since = System.currentTimeMillis();
    sockets.add(first);
  }

  /** Opens the client's first socket on {@code port} (fails the test if the edge refuses it). */
  static ClientChain open(Vertx vertx, int port, String user, String session, String stream) {
    FrameClient s = Await.result(FrameClient.connect(vertx, port));
    JsonObject reply = Await.result(s.auth(user, session));
    if (!"rec".equals(reply.getString("type"))) {
      throw new AssertionError(user + " not authenticated on " + port + ": " + reply.encode());
    }
    return new ClientChain(user, session, stream, s);
  }

  FrameClient current() {
    return sockets.get(sockets.size() - 1);
  }

  boolean closed() {
    return current().closed().isComplete();
  }

  /** The position of the last message received on the stream, over every socket ("epoch:offset"), or null. */
  String lastPosition() {
    for (int i = sockets.size() - 1; i >= 0; i--) {
      List<JsonObject> frames = sockets.get(i).framesFor(stream);
      for (int k = frames.size() - 1; k >= 0; k--) {
        JsonObject h = frames.get(k).getJsonObject("headers");
        if (h != null && h.getString("epoch") != null && h.getString("offset") != null) {
          return h.getString("epoch") + ":" + h.getString("offset");
        }
      }
    }
    return null;
  }

  /**
   * Opens a new socket on {@code port} resuming from {@link #lastPosition}; true when the edge authenticated it
   * (a refused or unreachable edge: false, the chain unchanged). A {@code recovered:false} answer is recorded.
   */
  boolean reconnect(Vertx vertx, int port) {
    String at = lastPosition();
    JsonObject positions = at == null ? null : new JsonObject().put(stream, at);
    FrameClient s;
    try {
      s = Await.result(FrameClient.connect(vertx, port), 5_000);
    } catch (RuntimeException | AssertionError e) {
      return false;
    }
    JsonObject reply;
    try {
      reply = Await.result(s.auth(user, session, positions), 10_000);
    } catch (RuntimeException | AssertionError e) {
      s.close();
      return false;
    }
    if (!"rec".equals(reply.getString("type"))) {
      s.close();
      return false;
    }
    JsonObject recovered = reply.getJsonObject("body") == null ? null : reply.getJsonObject("body").getJsonObject("recovered");
    if (positions != null && (recovered == null || !Boolean.TRUE.equals(recovered.getValue(stream)))) {
      notRecovered.add(stream + "@" + at + " on " + port + ": " + reply.encode());
    }
    sockets.add(s);
    return true;
  }

  /** The stream's sequence numbers (integer bodies) received over every socket, in arrival order. */
  List<Integer> received() {
    List<Integer> out = new ArrayList<>();
    for (FrameClient s : sockets) {
      for (JsonObject f : s.framesFor(stream)) {
        if (f.getValue("body") instanceof Integer n) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /** What the client received at {@code position} ("epoch:offset"): the sequence numbers (diagnostics). */
  List<Integer> receivedAt(String position) {
    List<Integer> out = new ArrayList<>();
    for (FrameClient s : sockets) {
      for (JsonObject f : s.framesFor(stream)) {
        JsonObject h = f.getJsonObject("headers");
        if (h != null && position.equals(h.getString("epoch") + ":" + h.getString("offset")) && f.getValue("body") instanceof Integer n) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /** Deliveries whose position is not after the one before it on the same socket chain (same epoch). */
  long outOfOrder() {
    long bad = 0;
    String epoch = null;
    long last = -1;
    for (FrameClient s : sockets) {
      for (JsonObject f : s.framesFor(stream)) {
        JsonObject h = f.getJsonObject("headers");
        if (h == null || h.getString("offset") == null) {
          continue;
        }
        long offset = Long.parseLong(h.getString("offset"));
        if (h.getString("epoch").equals(epoch) && offset <= last) {
          bad++;
        }
        epoch = h.getString("epoch");
        last = offset;
      }
    }
    return bad;
  }

  /** The whole run's account over every client: see the class comment. */
  record Ledger(int owed, long lost, long duplicated, long outOfOrder, int notRecovered, int reconnects, List<String> samples) {
    boolean clean() {
      return lost == 0 && duplicated == 0 && outOfOrder == 0 && notRecovered == 0;
    }

    @Override
    public String toString() {
      return "owed " + owed + " (publishes x clients), lost " + lost + ", duplicated " + duplicated + ", out of order "
          + outOfOrder + ", told not recovered " + notRecovered + ", reconnects " + reconnects
          + (samples.isEmpty() ? "" : ", e.g. " + samples);
    }
  }

  /**
   * Counts, for every client, the publishes acknowledged up to {@code to} and sent after its first socket was
   * authenticated ({@code sent}: sequence number -> epoch millis of the call; {@code acked}: -> of the answer).
   */
  static Ledger ledger(List<ClientChain> clients, Map<Integer, Long> sent, Map<Integer, Long> acked, long to) {
    return ledger(clients, sent, acked, Map.of(), to);
  }

  /** Same; {@code positions} (sequence number -> acknowledged "epoch:offset") explains the first misses. */
  static Ledger ledger(List<ClientChain> clients, Map<Integer, Long> sent, Map<Integer, Long> acked,
      Map<Integer, String> positions, long to) {
    int owed = 0;
    long lost = 0;
    long dup = 0;
    long order = 0;
    int notRecovered = 0;
    int reconnects = 0;
    List<String> samples = new ArrayList<>();
    for (ClientChain c : clients) {
      List<Integer> got = c.received();
      Set<Integer> distinct = new HashSet<>(got);
      dup += got.size() - distinct.size();
      List<Integer> missing = new ArrayList<>();
      for (Map.Entry<Integer, Long> e : acked.entrySet()) {
        Long sentAt = sent.get(e.getKey());
        if (e.getValue() <= to && sentAt != null && sentAt > c.since) {
          owed++;
          if (!distinct.contains(e.getKey())) {
            missing.add(e.getKey());
          }
        }
      }
      lost += missing.size();
      if (!missing.isEmpty() && samples.size() < 5) {
        missing.sort(null);
        StringBuilder why = new StringBuilder();
        for (int n : missing.subList(0, Math.min(3, missing.size()))) {
          String p = positions.get(n);
          if (p != null) {
            why.append(" #").append(n).append(" acknowledged at ").append(p).append(" sent ").append(sent.get(n))
                .append(" acked ").append(acked.get(n)).append(", received there ").append(c.receivedAt(p)).append(';');
          }
        }
        samples.add(c.user + " missed " + missing.size() + ": " + (missing.size() > 10 ? missing.subList(0, 10) + "..." : missing) + why);
      }
      order += c.outOfOrder();
      notRecovered += c.notRecovered.size();
      if (!c.notRecovered.isEmpty() && samples.size() < 5) {
        samples.add(c.user + " not recovered " + c.notRecovered);
      }
      reconnects += c.sockets.size() - 1;
    }
    return new Ledger(owed, lost, dup, order, notRecovered, reconnects, samples);
  }

  /** Asserts the ledger is clean: nothing lost, duplicated, out of order or told not recovered. */
  static void assertClean(Ledger l) {
    org.junit.jupiter.api.Assertions.assertEquals(0, l.lost(), "acknowledged publishes a client never received (whole run): " + l);
    org.junit.jupiter.api.Assertions.assertEquals(0, l.duplicated(), "duplicates: " + l);
    org.junit.jupiter.api.Assertions.assertEquals(0, l.outOfOrder(), "out of order: " + l);
    org.junit.jupiter.api.Assertions.assertEquals(0, l.notRecovered(), "resumes told recovered:false: " + l);
  }

  /** Waits (bounded) until every client received every publish owed up to now, then returns the ledger. */
  static Ledger settle(List<ClientChain> clients, Map<Integer, Long> sent, Map<Integer, Long> acked,
      Map<Integer, String> positions, long timeoutMs) {
    long to = System.currentTimeMillis();
    try {
      Await.until(() -> ledger(clients, sent, acked, to).lost() == 0, timeoutMs, "every client caught up");
    } catch (AssertionError e) {
      // reported by the ledger
    }
    return ledger(clients, sent, acked, positions, to);
  }
}
