package io.animus.datapilot.execution;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file but keeps it under twice {@code keep} bytes: past that, only its last {@code keep} + 1
 * bytes stay, so that the job-log capture, which keeps the last {@code keep}, still sees it was cut.
 */
final class TailFile extends OutputStream {
  private final Path file;
  private final long keep;
  private FileChannel channel;
  private long size;

  TailFile(Path file, long keep) throws IOException {
    this.file = file;
    this.keep = keep;
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int off, int len) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes, off, len);
    while (buffer.hasRemaining()) {
      size += channel.write(buffer);
    }
    if (size > 2 * keep) {
      compact();
    }
  }

  private void compact() throws IOException {
    Path tail = file.resolveSibling(file.getFileName() + ".tail");
    try (FileChannel out = FileChannel.open(tail, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long position = size - (keep + 1);
      while (position < size) {
        position += channel.transferTo(position, size - position, out);
      }
    }
    channel.close();
    Files.move(tail, file, StandardCopyOption.REPLACE_EXISTING);
    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    channel.position(channel.size());
    size = keep + 1;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
