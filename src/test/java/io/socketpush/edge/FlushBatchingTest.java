package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.socketpush.testing.Await;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flushes of a socket are batched per turn of its event loop; a lone frame goes out on the next turn. A real event
 * loop and Netty's in-process transport (EmbeddedChannel runs its pending tasks after every operation: a turn per
 * write, which would hide the batching).
 */
class FlushBatchingTest {
  /** Counts the flushes that reach the transport (it sits between the batching handler and the channel). */
  static final class Flushes extends ChannelOutboundHandlerAdapter {
    volatile int count;

    @Override
    public void flush(ChannelHandlerContext ctx) {
      count++;
      ctx.flush();
    }
  }

  private final EventLoopGroup loop = new DefaultEventLoopGroup(1);
  private final List<Object> received = new CopyOnWriteArrayList<>();
  private final Flushes flushes = new Flushes();
  private Channel server;
  private Channel client;

  @BeforeEach
  void connect() throws Exception {
    LocalAddress addr = new LocalAddress("flush-batching-" + UUID.randomUUID());
    server = new ServerBootstrap().group(loop).channel(LocalServerChannel.class).childHandler(new ChannelInitializer<LocalChannel>() {
      @Override
      protected void initChannel(LocalChannel ch) {
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received.add(msg);
          }
        });
      }
    }).bind(addr).sync().channel();
    client = new Bootstrap().group(loop).channel(LocalChannel.class).handler(new ChannelInitializer<LocalChannel>() {
      @Override
      protected void initChannel(LocalChannel ch) {
        FlushBatching.install(ch.pipeline());
        FlushBatching.install(ch.pipeline()); // twice is once
        ch.pipeline().addFirst("count", flushes);
      }
    }).connect(addr).sync().channel();
    assertTrue(FlushBatching.installed(client.pipeline()));
    assertEquals(List.of("count", FlushBatching.HANDLER), client.pipeline().names().subList(0, 2));
  }

  @AfterEach
  void close() throws Exception {
    client.close().sync();
    server.close().sync();
    loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
  }

  /** Writes {@code n} frames with a flush each in one task of the loop; the flushes that left during that task. */
  private int writeInOneTurn(int n) throws Exception {
    return loop.submit(() -> {
      for (int i = 0; i < n; i++) {
        client.writeAndFlush(i);
      }
      return flushes.count;
    }).get();
  }

  private void awaitReceived(int n) {
    Await.until(() -> received.size() == n, 5_000, n + " frames received, have " + received.size());
  }

  @Test
  void framesWrittenInOneTurnLeaveInOneFlush() throws Exception {
    assertEquals(0, writeInOneTurn(3), "flushed before the loop's turn ended");
    awaitReceived(3);
    assertEquals(1, flushes.count);
    assertEquals(List.of(0, 1, 2), received);
  }

  @Test
  void aLoneFrameGoesOutOnTheNextTurn() throws Exception {
    writeInOneTurn(1);
    awaitReceived(1);
    assertEquals(1, flushes.count);
    writeInOneTurn(1);
    awaitReceived(2);
    assertEquals(2, flushes.count, "each turn with a frame flushes once");
  }

  @Test
  void aLongBurstIsFlushedEveryMaxFrames() throws Exception {
    int n = 2 * FlushBatching.MAX_FRAMES_PER_FLUSH + 1;
    assertEquals(2, writeInOneTurn(n), "a flush every " + FlushBatching.MAX_FRAMES_PER_FLUSH + " frames within the turn");
    awaitReceived(n);
    assertEquals(3, flushes.count);
    assertEquals(java.util.stream.IntStream.range(0, n).boxed().toList(), received);
  }
}
