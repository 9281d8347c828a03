package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.stream.StreamStore;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The handover's repair: an owner's answer to the announcement names stream tops, and the edge reads from history what
 * it did not write of each stream it delivers. (The announcement itself runs against real owners in EdgeResumeTest.)
 */
class HandoverTest {
  final List<String> reads = new ArrayList<>();
  final StreamGaps gaps = new StreamGaps("t", 100, (stream, since, limit) -> {
    reads.add(stream + " since " + since + " limit " + limit);
    return Promise.<StreamStore.History>promise().future();
  }, (stream, message, pos) -> "r" + pos.offset(), (stream, item) -> { }, (ms, task) -> { });
  final Handover handover = new Handover("t", null, null, gaps, (code, reason) -> { });

  @Test
  void topsBeyondWhatTheEdgeWroteAreReadFromHistory() {
    gaps.seed("channel.a", "e", 2);
    gaps.seed("channel.b", "e", 7);
    handover.catchUp(new JsonObject().put("channel.a", "e:5").put("channel.b", "e:7").put("channel.c", "e:9")
        .put("channel.bad", "no position").put("channel.num", 12));
    // b is up to date, c is not delivered here, the malformed tops are ignored
    assertEquals(List.of("channel.a since 2 limit 3"), reads);
  }
}
