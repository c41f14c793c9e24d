package io.trtfleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for tests: servers to start there, or endpoints where nothing listens. */
public final class LoopbackPorts {

  private LoopbackPorts() {}

  /** A loopback port nothing listens on right now (bound once, then closed again). */
  public static int unused() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
