package io.animus.datapilot.storage;

import io.animus.datapilot.config.Config;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Blobs as objects of one S3 bucket under {@code <prefix>/<area>/<key>}. Small blobs are one
 * PutObject; larger ones a multipart upload of fixed-size parts buffered one at a time (constant
 * memory), aborted on any failure, so an object exists only once the upload completed.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
  static final int PART_SIZE = 8 << 20;
  private static final long MAX_SINGLE_COPY = 5L << 30;
  private static final long COPY_PART = 1L << 30;
  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  /** Connection settings (docs/protocol.md §5.4); credentials come from the AWS default chain. */
  public S3BlobStore(Config.S3 settings) {
    S3ClientBuilder builder = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(Region.of(settings.region()))
        .credentialsProvider(DefaultCredentialsProvider.builder().build())
        .forcePathStyle(settings.pathStyle())
        // S3-compatible stores (MinIO, s3proxy) differ in their support of the newer checksums;
        // content integrity is checked with our own SHA-256 anyway.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    settings.endpoint().ifPresent(e -> builder.endpointOverride(URI.create(e)));
    this.s3 = builder.build();
    this.bucket = settings.bucket();
    String p = settings.prefix().replaceAll("^/+|/+$", "");
    this.prefix = p.isEmpty() ? "" : p + "/";
  }

  String objectName(Area area, String key) {
    BlobStore.checkKey(key);
    return prefix + area.dir() + "/" + key;
  }

  @Override
  public Written put(Area area, String key, InputStream source) {
    String name = objectName(area, key);
    HashingReader reader = new HashingReader(source);
    byte[] part = new byte[PART_SIZE];
    int n = Math.max(0, reader.fill(part, 0, PART_SIZE));
    try {
      if (n < PART_SIZE) {
        s3.putObject(b -> b.bucket(bucket).key(name).contentLength((long) n),
            RequestBody.fromInputStream(new ByteArrayInputStream(part, 0, n), n));
        return reader.result();
      }
    } catch (SdkException e) {
      throw new BlobStoreException("S3 PutObject failed", e);
    }
    return putMultipart(name, reader, part, n);
  }

  private Written putMultipart(String name, HashingReader reader, byte[] part, int first) {
    String uploadId;
    try {
      uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(name)).uploadId();
    } catch (SdkException e) {
      throw new BlobStoreException("S3 CreateMultipartUpload failed", e);
    }
    boolean completed = false;
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int n = first;
      int number = 1;
      while (n > 0) {
        int partNumber = number++;
        int length = n;
        String etag = s3.uploadPart(b -> b.bucket(bucket).key(name).uploadId(uploadId).partNumber(partNumber)
                .contentLength((long) length),
            RequestBody.fromInputStream(new ByteArrayInputStream(part, 0, length), length)).eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        n = Math.max(0, reader.fill(part, 0, PART_SIZE));
      }
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(name).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));
      completed = true;
      return reader.result();
    } catch (SdkException e) {
      throw new BlobStoreException("S3 multipart upload failed", e);
    } finally {
      if (!completed) {
        abortQuietly(name, uploadId);
      }
    }
  }

  private void abortQuietly(String name, String uploadId) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(name).uploadId(uploadId));
    } catch (SdkException ignored) {
      // the bucket's lifecycle rule for incomplete uploads is the last resort
    }
  }

  @Override
  public void move(Area area, String fromKey, String toKey) {
    String from = objectName(area, fromKey);
    String to = objectName(area, toKey);
    try {
      long size = s3.headObject(b -> b.bucket(bucket).key(from)).contentLength();
      if (size <= MAX_SINGLE_COPY) {
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to));
      } else {
        copyMultipart(from, to, size);
      }
      s3.deleteObject(b -> b.bucket(bucket).key(from));
    } catch (SdkException e) {
      throw new BlobStoreException("S3 copy failed", e);
    }
  }

  /** CopyObject is limited to 5 GiB; larger objects are copied part by part. */
  private void copyMultipart(String from, String to, long size) {
    String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(to)).uploadId();
    boolean completed = false;
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long start = 0; start < size; start += COPY_PART) {
        long end = Math.min(size, start + COPY_PART) - 1;
        int partNumber = number++;
        String range = "bytes=" + start + "-" + end;
        String etag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
            .destinationKey(to).uploadId(uploadId).partNumber(partNumber).copySourceRange(range))
            .copyPartResult().eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
      }
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(to).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));
      completed = true;
    } finally {
      if (!completed) {
        abortQuietly(to, uploadId);
      }
    }
  }

  @Override
  public Optional<Long> size(Area area, String key) {
    String name = objectName(area, key);
    try {
      return Optional.of(s3.headObject(b -> b.bucket(bucket).key(name)).contentLength());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw new BlobStoreException("S3 HeadObject failed", e);
    } catch (SdkException e) {
      throw new BlobStoreException("S3 HeadObject failed", e);
    }
  }

  @Override
  public InputStream open(Area area, String key, long offset, long length) {
    String name = objectName(area, key);
    if (length == 0) {
      return InputStream.nullInputStream();
    }
    try {
      String range = "bytes=" + offset + "-" + (offset + length - 1);
      return s3.getObject(b -> b.bucket(bucket).key(name).range(range));
    } catch (SdkException e) {
      throw new BlobStoreException("S3 GetObject failed", e);
    }
  }

  @Override
  public void deleteQuietly(Area area, String key) {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(objectName(area, key)));
    } catch (RuntimeException ignored) {
      // best effort: a leftover object is never referenced by a row
    }
  }

  @Override
  public boolean ping() {
    try {
      s3.headBucket(b -> b.bucket(bucket));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public String kind() {
    return "s3";
  }

  @Override
  public void close() {
    s3.close();
  }
}
