package io.animus.datapilot.execution;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The images of the Docker executor's engine: how a reference resolves (docs/protocol.md §8.3) and the pull of a pinned one. */
final class DockerImages {
  private static final Logger LOG = LoggerFactory.getLogger(DockerImages.class);
  static final long PULL_MINUTES = 30;
  private final DockerClient client;

  DockerImages(DockerClient client) {
    this.client = client;
  }

  /**
   * §8.3: a pinned reference is used as given; otherwise the local image's id is both the reference
   * and the digest, and nothing is pulled.
   */
  Executor.Image resolve(String imageRef) {
    Optional<String> digest = new ImageRef(imageRef).digest();
    if (digest.isPresent()) {
      return new Executor.Image(imageRef, digest.get());
    }
    try {
      String id = client.inspectImageCmd(imageRef).exec().getId();
      return new Executor.Image(id, new ImageRef(id).digest().orElse(null));
    } catch (NotFoundException e) {
      throw new ApiException(ErrorCode.IMAGE_REF_NOT_FOUND, "image " + imageRef + " is not present on the "
          + "Docker host; pull it there or send a digest-pinned reference (name@sha256:...)");
    } catch (RuntimeException e) {
      LOG.warn("cannot inspect image {}: {}", imageRef, DockerContainers.readable(e));
      throw new ApiException(ErrorCode.IMAGE_REF_RESOLUTION_FAILED, "the Docker host could not resolve the "
          + "image reference");
    }
  }

  /** Whether the engine has the image; a SubmitException when it does not answer. */
  boolean present(String imageRef) throws Executor.SubmitException {
    try {
      client.inspectImageCmd(imageRef).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    } catch (RuntimeException e) {
      throw new Executor.SubmitException("the Docker engine does not answer: " + DockerContainers.readable(e));
    }
  }

  /** Pulls a pinned reference ({@code name[:tag]@sha256:…}) by its digest. */
  void pull(String imageRef) throws InterruptedException, Executor.SubmitException {
    ImageRef ref = new ImageRef(imageRef);
    Optional<String> repository = ref.repository();
    if (repository.isEmpty()) {
      throw new Executor.SubmitException("image " + imageRef + " is not present and a bare digest cannot be pulled");
    }
    PullProgress progress = client.pullImageCmd(repository.get()).withTag(ref.pinnedPart().orElseThrow())
        .exec(new PullProgress());
    if (!progress.awaitCompletion(PULL_MINUTES, TimeUnit.MINUTES)) {
      try {
        progress.close();
      } catch (IOException e) {
        LOG.debug("closing the pull of {}: {}", imageRef, e.getMessage());
      }
      throw new Executor.SubmitException("the pull of " + imageRef + " took longer than " + PULL_MINUTES + " minutes");
    }
    if (progress.error != null) {
      throw new Executor.SubmitException("image " + imageRef + " could not be pulled: " + progress.error);
    }
    try {
      client.inspectImageCmd(imageRef).exec();
    } catch (NotFoundException e) {
      throw new Executor.SubmitException("image " + imageRef + " is still absent after its pull");
    }
  }

  /** Keeps the error a pull reports in its progress stream (the engine answers 200 and then fails). */
  private static final class PullProgress extends ResultCallback.Adapter<PullResponseItem> {
    volatile String error;

    @Override
    public void onNext(PullResponseItem item) {
      if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
        error = item.getErrorDetail().getMessage();
      } else if (item.isErrorIndicated() && error == null) {
        error = "the engine reported an error without a message";
      }
    }
  }
}
