package io.animus.sdk;

/**
 * What a download wrote: the server's {@code Content-Type}, the byte count and the lower-case hex sha256, both
 * computed by this client over the file it renamed into place.
 */
public record DownloadResult(String contentType, long sizeBytes, String sha256) {}
