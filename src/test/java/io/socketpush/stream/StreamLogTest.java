package io.socketpush.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.config.StreamRules;
import io.socketpush.testing.Await;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The owner's offsets, on the local history map. */
class StreamLogTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void afterARingChangeAnOwnerNeverGivesOutAnOffsetAgainEvenWhenTheMetaItReadsIsOlder() {
    StreamStore store = Await.result(StreamStore.open(vertx));
    StreamLog log = new StreamLog(store, StreamRules::defaults, "t");
    String stream = "channel.o";
    Position p3 = null;
    for (int i = 1; i <= 3; i++) {
      p3 = Await.result(log.append(stream, "m"));
    }
    assertEquals(3, p3.offset());
    // the meta as a copy the last writes had not reached would answer it after a ring change (RoleFaultsIT lost 75
    // acknowledged messages in a row, with no log line, around a ring change)
    Await.result(store.write(stream, StreamRules.DEFAULT, p3.epoch(), List.of(), 1));
    log.reset();
    Position next = Await.result(log.append(stream, "m"));
    assertEquals(p3.epoch(), next.epoch());
    assertEquals(4, next.offset(), "offsets 2 and 3 were given out already: not again");
  }
}
