package io.animus.datapilot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One in-process S3 server (s3proxy, filesystem backend) for the whole test JVM. The server's
 * S3 store finds its credentials through the AWS default chain, here the {@code aws.*} system
 * properties.
 */
public final class S3Fixture {
  public static final String ACCESS_KEY = "datapilot-test";
  public static final String SECRET_KEY = "datapilot-test-secret";
  private static S3Fixture instance;
  private final S3Proxy proxy;
  private final Path dir;
  private final S3Client client;

  private S3Fixture(S3Proxy proxy, Path dir, S3Client client) {
    this.proxy = proxy;
    this.dir = dir;
    this.client = client;
  }

  public static synchronized S3Fixture get() {
    if (instance == null) {
      instance = start();
    }
    return instance;
  }

  private static S3Fixture start() {
    try {
      Path dir = Files.createTempDirectory("datapilot-s3");
      Properties props = new Properties();
      props.setProperty("jclouds.filesystem.basedir", dir.toString());
      S3Proxy proxy = S3Proxy.builder()
          .blobStore(BlobStores.create("filesystem", props))
          .endpoint(URI.create("http://127.0.0.1:0"))
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
          .build();
      proxy.start();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      System.setProperty("aws.accessKeyId", ACCESS_KEY);
      System.setProperty("aws.secretAccessKey", SECRET_KEY);
      S3Client client = S3Client.builder()
          .httpClient(UrlConnectionHttpClient.create())
          .endpointOverride(URI.create("http://127.0.0.1:" + proxy.getPort()))
          .region(Region.US_EAST_1)
          .forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
          .build();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          proxy.stop();
        } catch (Exception ignored) {
          // exiting
        }
      }));
      return new S3Fixture(proxy, dir, client);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("s3proxy did not start", e);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** Creates a fresh bucket and returns its name. */
  public String newBucket() {
    String name = "b" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    client.createBucket(b -> b.bucket(name));
    return name;
  }

  public S3Client client() {
    return client;
  }

  /** Keys of every object in a bucket. */
  public java.util.List<String> keys(String bucket) {
    return client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream()
        .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList();
  }

  /** Server settings that select this S3 server with a fresh bucket. */
  public Map<String, String> serverSettings(String bucket) {
    return Map.of("DATAPILOT_BLOB_STORE", "s3", "DATAPILOT_S3_BUCKET", bucket, "DATAPILOT_S3_PREFIX", "dp",
        "DATAPILOT_S3_ENDPOINT", endpoint(), "DATAPILOT_S3_PATH_STYLE", "true");
  }
}
