package io.animus.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SDK's public signatures name no Jackson type, so users are not pinned to a Jackson version: every public or
 * protected method, constructor and field, and every record component, of every public type in io.animus.sdk.
 */
class PublicApiTest {
  private static final String FORBIDDEN = "com.fasterxml.";

  @Test
  void noPublicSignatureMentionsJackson() throws Exception {
    List<Class<?>> types = publicTypes();
    assertThat(types).contains(RunTelemetryLogger.class, RunTelemetryLogger.Builder.class, Run.class,
        StreamFrame.Other.class, AnimusApiException.class);
    List<String> offending = new ArrayList<>();
    for (Class<?> c : types) {
      check(offending, c + " extends", c.getGenericSuperclass());
      for (Type t : c.getGenericInterfaces()) {
        check(offending, c + " implements", t);
      }
      for (Method m : c.getDeclaredMethods()) {
        if (visible(m.getModifiers()) && !m.isSynthetic()) {
          check(offending, m.toGenericString(), m.getGenericReturnType());
          for (Type t : m.getGenericParameterTypes()) {
            check(offending, m.toGenericString(), t);
          }
          for (Type t : m.getGenericExceptionTypes()) {
            check(offending, m.toGenericString(), t);
          }
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (visible(k.getModifiers()) && !k.isSynthetic()) {
          for (Type t : k.getGenericParameterTypes()) {
            check(offending, k.toGenericString(), t);
          }
        }
      }
      for (Field f : c.getDeclaredFields()) {
        if (visible(f.getModifiers()) && !f.isSynthetic()) {
          check(offending, f.toGenericString(), f.getGenericType());
        }
      }
      if (c.isRecord()) {
        for (RecordComponent rc : c.getRecordComponents()) {
          check(offending, c.getName() + "." + rc.getName(), rc.getGenericType());
        }
      }
    }
    assertThat(offending).as("public SDK signatures naming a Jackson type").isEmpty();
  }

  @Test
  void theCheckSeesJacksonTypesWhereverTheyHide() throws Exception {
    Method m = Sample.class.getDeclaredMethod("nested");
    List<String> found = new ArrayList<>();
    check(found, "sample", m.getGenericReturnType());
    assertThat(found).hasSize(1);
  }

  /** A signature the check must catch: a Jackson type as a type argument of a type argument. */
  private static final class Sample {
    @SuppressWarnings("unused")
    static List<java.util.Map<String, com.fasterxml.jackson.databind.JsonNode>> nested() {
      return List.of();
    }
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static void check(List<String> offending, String where, Type type) {
    if (mentionsJackson(type, 0)) {
      offending.add(where);
    }
  }

  private static boolean mentionsJackson(Type type, int depth) {
    if (type == null || depth > 8) {
      return false;
    }
    if (type instanceof Class<?> c) {
      return c.isArray() ? mentionsJackson(c.getComponentType(), depth + 1) : c.getName().startsWith(FORBIDDEN);
    }
    if (type instanceof ParameterizedType p) {
      return mentionsJackson(p.getRawType(), depth + 1)
          || Stream.of(p.getActualTypeArguments()).anyMatch(a -> mentionsJackson(a, depth + 1));
    }
    if (type instanceof GenericArrayType g) {
      return mentionsJackson(g.getGenericComponentType(), depth + 1);
    }
    if (type instanceof WildcardType w) {
      return Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds()))
          .anyMatch(b -> mentionsJackson(b, depth + 1));
    }
    if (type instanceof TypeVariable<?> v) {
      return Stream.of(v.getBounds()).anyMatch(b -> mentionsJackson(b, depth + 1));
    }
    return false;
  }

  /** Every public type (nested ones only when all enclosing types are public) compiled into the SDK. */
  private static List<Class<?>> publicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(RunTelemetryLogger.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path dir = root.resolve("io/animus/sdk");
    List<Class<?>> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    }
    for (Path p : files) {
      String simple = p.getFileName().toString().replace(".class", "");
      Class<?> c = Class.forName("io.animus.sdk." + simple, false, PublicApiTest.class.getClassLoader());
      if (isPublicAllTheWay(c)) {
        out.add(c);
      }
    }
    return out;
  }

  private static boolean isPublicAllTheWay(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }
}
