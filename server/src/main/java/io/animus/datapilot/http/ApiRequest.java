package io.animus.datapilot.http;

import io.animus.datapilot.kernel.ApiException;
import io.animus.datapilot.kernel.ErrorCode;
import io.animus.datapilot.kernel.Json;

import io.animus.datapilot.kernel.Principal;
import io.animus.datapilot.common.ProjectScope;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One API call as handlers see it: path parameters, query, body, caller and project. */
public final class ApiRequest {
  private final Context ctx;
  private final Map<String, String> pathParams;
  private final String requestId;
  private final Principal principal;
  private final ProjectScope project;
  private final long maxBodyBytes;
  private byte[] body;

  public ApiRequest(Context ctx, Map<String, String> pathParams, String requestId, Principal principal,
                    ProjectScope project, long maxBodyBytes) {
    this.ctx = ctx;
    this.pathParams = Map.copyOf(pathParams);
    this.requestId = requestId;
    this.principal = principal;
    this.project = project;
    this.maxBodyBytes = maxBodyBytes;
  }

  public Context context() {
    return ctx;
  }

  public String path(String name) {
    String value = pathParams.get(name);
    if (value == null) {
      throw new IllegalStateException("route has no path parameter " + name);
    }
    return value;
  }

  public Optional<String> query(String name) {
    return Optional.ofNullable(ctx.queryParam(name));
  }

  /**
   * Refuses a query parameter the route does not take (400 {@code unknown_parameter}), so that a
   * misspelt filter is an error rather than silently ignored; {@code project_id} is taken everywhere
   * (docs/protocol.md §1.6). Call it first in every list handler.
   */
  public ApiRequest allowOnly(String... names) {
    Set<String> allowed = Set.of(names);
    for (String name : ctx.queryParamMap().keySet()) {
      if (!name.equals("project_id") && !allowed.contains(name)) {
        throw new ApiException(ErrorCode.UNKNOWN_PARAMETER, "unknown query parameter \"" + name + "\"; this list takes "
            + (names.length == 0 ? "none" : String.join(", ", new java.util.TreeSet<>(allowed))),
            Map.of("parameter", name));
      }
    }
    return this;
  }

  /** Every value of a query parameter that may be repeated ({@code ?a=1&a=2}), in order; empty when absent. */
  public List<String> queries(String name) {
    return List.copyOf(ctx.queryParams(name));
  }

  /**
   * A query parameter compared with stored text: PostgreSQL refuses U+0000 in a text parameter (a
   * 500 if it reached the database), so such a value is a 400 naming the parameter.
   */
  public Optional<String> textQuery(String name) {
    Optional<String> value = query(name);
    value.flatMap(Json::unstorableText).ifPresent(why -> {
      throw new ApiException(ErrorCode.INVALID_JSON, "query parameter \"" + name + "\" " + why,
          Map.of("field", name));
    });
    return value;
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(ctx.header(name));
  }

  public String requestId() {
    return requestId;
  }

  public Principal principal() {
    return principal;
  }

  public ProjectScope project() {
    return project;
  }

  /** The whole body, read at most once and refused past the route's limit. */
  public byte[] body() {
    return body(ErrorCode.INVALID_JSON);
  }

  /** As {@link #body()}, naming the error code for a body that cannot be read. */
  public byte[] body(ErrorCode unreadable) {
    if (body == null) {
      body = readLimited(unreadable);
    }
    return body;
  }

  /** The declared Content-Length, or -1 when the body is chunked or absent. */
  public long declaredLength() {
    return ctx.req().getContentLengthLong();
  }

  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  public JsonBody json(Set<String> allowedFields) {
    return JsonBody.of(body(), allowedFields);
  }

  /** As {@link #json}, where an empty body means {@code {}}. */
  public JsonBody jsonOptional(Set<String> allowedFields) {
    return JsonBody.ofOptional(body(), allowedFields);
  }

  private byte[] readLimited(ErrorCode unreadable) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      throw tooLarge();
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
      if (bytes.length > maxBodyBytes) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw new ApiException(unreadable, "request body could not be read");
    }
  }

  public ApiException tooLarge() {
    return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
        "request body is larger than " + maxBodyBytes + " bytes", Map.of("max_bytes", maxBodyBytes));
  }
}
