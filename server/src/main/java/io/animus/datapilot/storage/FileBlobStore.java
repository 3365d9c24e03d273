package io.animus.datapilot.storage;

import io.animus.datapilot.common.BoundedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * Blobs as files under {@code <root>/<area>/<key>}. A write goes to a temporary file in the
 * target's directory, is fsynced, then renamed atomically (and the directory fsynced), so a
 * reader sees either nothing or the whole blob. The writer holds a file lock on its temporary file
 * until the rename, so a temporary file that nobody holds locked was left by a writer that died (the
 * kernel drops a dead process's locks), which {@link #sweepTemporaryFiles} removes.
 */
public final class FileBlobStore implements BlobStore {
  private static final int CHUNK = 1 << 20;
  private static final String TEMP_PREFIX = ".tmp-";
  private static final java.util.regex.Pattern TEMP_NAME = java.util.regex.Pattern.compile(
      "\\.tmp-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  /**
   * This process's temporary files being written: the sweep must not even open them, since closing
   * any descriptor of a file drops all of the process's POSIX locks on it.
   */
  private static final java.util.Set<Path> WRITING = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileBlobStore.class);
  private final Path root;

  public FileBlobStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    try {
      for (Area area : Area.values()) {
        Files.createDirectories(this.root.resolve(area.dir()));
      }
    } catch (IOException e) {
      throw new BlobStoreException("blob directory " + this.root + " cannot be created", e);
    }
  }

  Path resolve(Area area, String key) {
    BlobStore.checkKey(key);
    Path base = root.resolve(area.dir());
    Path path = base.resolve(key).normalize();
    if (!path.startsWith(base)) {
      throw new IllegalArgumentException("object key escapes its area");
    }
    return path;
  }

  @Override
  public Written put(Area area, String key, InputStream source) {
    Path target = resolve(area, key);
    Path temp = null;
    try {
      Files.createDirectories(target.getParent());
      temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
      WRITING.add(temp);
      HashingReader reader = new HashingReader(source);
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        // held until the channel closes, after the rename (closing the channel releases it)
        out.lock();
        byte[] buf = new byte[CHUNK];
        ByteBuffer view = ByteBuffer.wrap(buf);
        int n;
        while ((n = reader.fill(buf, 0, CHUNK)) > 0) {
          view.clear().limit(n);
          while (view.hasRemaining()) {
            out.write(view);
          }
        }
        out.force(true);
        // renamed while still locked, so a sweeper never sees it unlocked under its temporary name
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        WRITING.remove(temp);
        temp = null;
      }
      syncDirectory(target.getParent());
      return reader.result();
    } catch (IOException e) {
      throw new BlobStoreException("writing blob failed", e);
    } finally {
      if (temp != null) {
        WRITING.remove(temp);
        deleteFile(temp);
        pruneEmptyParents(area, target.getParent());
      }
    }
  }

  /**
   * Removes the temporary files of writes that died with their process (an upload cut by a crash):
   * only names this store gives its temporary files, and only those no live writer holds locked, so
   * another server sharing the directory keeps its uploads in progress. Returns how many it removed.
   */
  public int sweepTemporaryFiles() {
    int removed = 0;
    for (Area area : Area.values()) {
      java.util.List<Path> temps;
      try (java.util.stream.Stream<Path> files = Files.walk(root.resolve(area.dir()))) {
        temps = files.filter(p -> TEMP_NAME.matcher(p.getFileName().toString()).matches())
            .filter(Files::isRegularFile).toList();
      } catch (IOException | java.io.UncheckedIOException e) {
        LOG.warn("cannot look for leftover temporary files under {}: {}", root.resolve(area.dir()), e.getMessage());
        continue;
      }
      for (Path temp : temps) {
        if (sweepIfAbandoned(temp)) {
          removed++;
          pruneEmptyParents(area, temp.getParent());
        }
      }
    }
    if (removed > 0) {
      LOG.info("removed {} temporary file(s) of uploads cut short by an earlier crash under {}", removed, root);
    }
    return removed;
  }

  private static boolean sweepIfAbandoned(Path temp) {
    if (WRITING.contains(temp)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
         java.nio.channels.FileLock lock = channel.tryLock()) {
      if (lock == null) {
        return false; // another process is writing it
      }
      return Files.deleteIfExists(temp);
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return false; // a write of this process
    } catch (IOException e) {
      return false; // gone meanwhile (renamed into place) or unreadable: leave it
    }
  }

  @Override
  public void move(Area area, String fromKey, String toKey) {
    Path from = resolve(area, fromKey);
    Path to = resolve(area, toKey);
    try {
      Files.createDirectories(to.getParent());
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(to.getParent());
      pruneEmptyParents(area, from.getParent());
    } catch (IOException e) {
      throw new BlobStoreException("moving blob failed", e);
    }
  }

  @Override
  public Optional<Long> size(Area area, String key) {
    Path path = resolve(area, key);
    try {
      return Files.isRegularFile(path) ? Optional.of(Files.size(path)) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new BlobStoreException("reading blob size failed", e);
    }
  }

  @Override
  public InputStream open(Area area, String key, long offset, long length) {
    try {
      FileChannel channel = FileChannel.open(resolve(area, key), StandardOpenOption.READ);
      channel.position(offset);
      return new BoundedInputStream(Channels.newInputStream(channel), length);
    } catch (IOException e) {
      throw new BlobStoreException("opening blob failed", e);
    }
  }

  @Override
  public Optional<Path> localFile(Area area, String key) {
    return Optional.of(resolve(area, key));
  }

  @Override
  public void deleteQuietly(Area area, String key) {
    try {
      Path path = resolve(area, key);
      deleteFile(path);
      pruneEmptyParents(area, path.getParent());
    } catch (RuntimeException ignored) {
      // cleanup is best effort; a leftover file is never referenced by a row
    }
  }

  @Override
  public boolean ping() {
    Path probe = root.resolve(Area.ARTIFACTS.dir());
    return Files.isDirectory(probe) && Files.isWritable(probe);
  }

  @Override
  public String kind() {
    return "file";
  }

  private static void deleteFile(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** Removes directories left empty by a failed or moved blob, up to the area's root. */
  private void pruneEmptyParents(Area area, Path dir) {
    Path base = root.resolve(area.dir());
    Path current = dir;
    while (current != null && current.startsWith(base) && !current.equals(base)) {
      try {
        Files.deleteIfExists(current);
      } catch (DirectoryNotEmptyException e) {
        return;
      } catch (IOException e) {
        return;
      }
      current = current.getParent();
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // some file systems refuse to sync directories; the rename itself is still atomic
    }
  }
}
