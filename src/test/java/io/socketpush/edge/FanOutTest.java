package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.ops.NodeMetrics;
import io.socketpush.stream.StreamStore;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Local fan-out: one frame to every local recipient, in stream order, counted. */
@ExtendWith(VertxExtension.class)
class FanOutTest {
  final List<long[]> reads = new ArrayList<>();
  final SubscriptionMirror mirror = new SubscriptionMirror(new SubscriptionMirror.Interest() {
    @Override
    public void add(String channelId) {
    }

    @Override
    public void drop(String channelId) {
    }
  });
  FanOut fanOut;
  final StreamGaps gaps = new StreamGaps("t", 100, (stream, since, limit) -> {
    reads.add(new long[] {since, limit});
    return Promise.<StreamStore.History>promise().future(); // a repair that never ends: later deliveries stay held
  }, (stream, message, pos) -> "r" + pos.offset(), (stream, item) -> fanOut.writeRepaired(stream, item), (ms, task) -> { });
  EdgeStats stats;

  @BeforeEach
  void wire(Vertx vertx) {
    stats = new EdgeStats("t", NodeMetrics.detached("t"));
    fanOut = new FanOut(mirror, gaps, stats);
  }

  ClientSession socketOf(String u, String... channels) {
    LocalUser lu = mirror.user(u) == null ? mirror.addUser(u) : mirror.user(u);
    ClientSession s = FakeIo.session();
    mirror.addSocket(lu, s);
    for (String c : channels) {
      mirror.addChannel(u, lu, c);
    }
    return s;
  }

  @Test
  void aUserDeliveryReachesEverySocketOfTheUser() {
    ClientSession a = socketOf("u");
    ClientSession b = socketOf("u");
    assertEquals(2, fanOut.toUser("u", Buffer.buffer("f1"), "e", 1));
    assertEquals(0, fanOut.toUser("nobody", Buffer.buffer("f1"), "e", 1));
    assertEquals(List.of("f1"), FakeIo.written(a));
    assertEquals(List.of("f1"), FakeIo.written(b));
    assertEquals(2L, stats.toJson().getLong("delivered"));
  }

  @Test
  void aChannelDeliveryIsWrittenOnceInOrderAndHeldBehindAGap() {
    ClientSession a = socketOf("u", "news");
    ClientSession b = socketOf("v", "news");
    assertEquals(2, fanOut.toChannel("news", Buffer.buffer("f5"), "e", 5));
    assertEquals(0, fanOut.toChannel("news", Buffer.buffer("f5"), "e", 5)); // written before
    assertEquals(2, fanOut.toChannel("news", Buffer.buffer("f8"), "e", 8)); // held: 6 and 7 are read first
    assertEquals(1, reads.size());
    assertEquals(List.of("f5"), FakeIo.written(a));
    assertEquals(List.of("f5"), FakeIo.written(b));
    assertEquals(0, fanOut.toChannel("empty", Buffer.buffer("x"), "e", 1));
    assertEquals(2L, stats.toJson().getLong("delivered"));
  }

  @Test
  void aClosedSocketIsNotWrittenNorCounted() {
    ClientSession a = socketOf("u", "news");
    socketOf("v", "news");
    a.markClosed();
    assertEquals(1, fanOut.toChannel("news", Buffer.buffer("f1"), null, -1));
  }
}
