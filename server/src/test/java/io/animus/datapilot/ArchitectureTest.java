package io.animus.datapilot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of docs/architecture.md, made to fail the build: one-way Resource → Service → Store,
 * a neutral kernel, no package cycle, one owning feature per table, small classes.
 */
class ArchitectureTest {
  private static final String ROOT = "io.animus.datapilot";
  private static final int MAX_CLASS_LINES = 400;
  /**
   * Accepted exceptions to the size and table-ownership rules, by name; none today. An exception must be
   * argued in review and recorded in docs/architecture.md; an entry that no longer breaks its rule fails.
   */
  private static final Set<String> KNOWN_LONG_CLASSES = Set.of();
  private static final Set<String> KNOWN_FOREIGN_SQL = Set.of();
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(ROOT);
  }

  @Test
  void featurePackagesFormNoCycle() {
    slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void theKernelDependsOnNothingElseOfOurs() {
    noClasses().that().resideInAPackage(ROOT + ".kernel..")
        .should().dependOnClassesThat().resideOutsideOfPackages(ROOT + ".kernel..", "java..",
            "com.fasterxml.jackson..")
        .check(main);
  }

  @Test
  void sharedLayersDoNotImportHttpOrFeatures() {
    noClasses().that().resideInAnyPackage(ROOT + ".common..", ROOT + ".storage..", ROOT + ".config..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".http..", ROOT + ".auth..",
            ROOT + ".experiments..", ROOT + ".telemetry..", ROOT + ".artifacts..", ROOT + ".datasets..",
            ROOT + ".ci..", ROOT + ".execution..", ROOT + ".projects..", ROOT + ".audit..", ROOT + ".ops..",
            ROOT + ".console..")
        .check(main);
  }

  @Test
  void httpDependsOnNoFeature() {
    noClasses().that().resideInAPackage(ROOT + ".http..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".auth..", ROOT + ".experiments..",
            ROOT + ".telemetry..", ROOT + ".artifacts..", ROOT + ".datasets..", ROOT + ".ci..",
            ROOT + ".execution..", ROOT + ".projects..", ROOT + ".audit..", ROOT + ".ops..",
            ROOT + ".console..", ROOT + ".upload..")
        .check(main);
  }

  @Test
  void servicesAndStoresImportNothingFromHttp() {
    noClasses().that(com.tngtech.archunit.base.DescribedPredicate.describe("Services and Stores outside http",
            (com.tngtech.archunit.core.domain.JavaClass c) -> !c.getPackageName().startsWith(ROOT + ".http")
                && (c.getSimpleName().endsWith("Service") || c.getSimpleName().endsWith("Store"))))
        .should().dependOnClassesThat().resideInAPackage(ROOT + ".http..")
        .because("Resources turn HTTP into typed commands; Services and Stores never see HTTP")
        .check(main);
  }

  @Test
  void resourcesHoldNoStoreAndRunNoSql() {
    noClasses().that().haveSimpleNameEndingWith("Resource")
        .should().dependOnClassesThat().haveSimpleNameEndingWith("Store")
        .orShould().dependOnClassesThat().resideInAnyPackage("org.jdbi..", "java.sql..")
        .because("a Resource calls its feature's Service; SQL lives in Stores")
        .check(main);
  }

  @Test
  void onlyStoresAndTheStorageLayerTalkToJdbiHandles() {
    noClasses().that().resideOutsideOfPackages(ROOT + ".storage..")
        .and().haveSimpleNameNotEndingWith("Store")
        .should().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
            com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo("org.jdbi.v3.core.Handle"))))
        .because("Services open transactions (Jdbi.inTransaction) but leave the statements to Stores")
        .check(main);
  }

  @Test
  void noMainClassIsOverFourHundredLines() throws IOException {
    List<String> tooLong = new ArrayList<>();
    for (Path sources : List.of(Path.of("src/main/java"), Path.of("../sdk/java/src/main/java"),
        Path.of("../cli/src/main/java"))) {
      if (!Files.isDirectory(sources)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(sources)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          long lines;
          try (Stream<String> all = Files.lines(file)) {
            lines = all.count();
          }
          boolean known = KNOWN_LONG_CLASSES.contains(file.getFileName().toString());
          if ((lines > MAX_CLASS_LINES) != known) {
            tooLong.add(file + " (" + lines + " lines" + (known ? ", listed as known: remove it from the list" : "")
                + ")");
          }
        }
      }
    }
    assertThat(tooLong).as("main classes over %d lines: split them", MAX_CLASS_LINES).isEmpty();
  }

  /**
   * Every table named in the migrations has exactly one owning feature, declared in docs/architecture.md;
   * only that feature's Store writes it, and no other feature's code names it in SQL.
   */
  @Test
  void everyTableHasOneOwnerAndOnlyItsStoreTouchesIt() throws IOException {
    Set<String> tables = migrationTables();
    Map<String, String[]> declared = declaredOwners();
    assertThat(declared.keySet()).as("tables in docs/architecture.md vs the migrations").isEqualTo(tables);

    Pattern touch = Pattern.compile("\\b(INSERT INTO|UPDATE|DELETE FROM|COPY|FROM|JOIN)\\s+((?:points\\.)?[a-z_]+)\\b");
    Map<String, Set<String>> writers = new TreeMap<>();
    List<String> foreign = new ArrayList<>();
    Set<String> seenKnown = new TreeSet<>();
    Path sources = Path.of("src/main/java/io/animus/datapilot");
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String feature = sources.relativize(file).getNameCount() > 1
            ? sources.relativize(file).getName(0).toString() : "(root)";
        String className = file.getFileName().toString().replace(".java", "");
        String source = Files.readString(file);
        // a Flyway Java migration moves its feature's rows between layouts: it may write them
        boolean migration = source.contains("implements JavaMigration");
        Matcher m = touch.matcher(source);
        while (m.find()) {
          String table = m.group(2);
          if (!tables.contains(table)) {
            continue;
          }
          String[] owner = declared.get(table);
          String breach = feature + "/" + className + " " + m.group(1) + " " + table;
          if (!owner[0].equals(feature)) {
            seenKnown.add(breach);
            if (!KNOWN_FOREIGN_SQL.contains(breach)) {
              foreign.add(breach + " (owned by " + owner[0] + ")");
            }
          }
          if (!m.group(1).equals("FROM") && !m.group(1).equals("JOIN") && !migration) {
            writers.computeIfAbsent(table, t -> new TreeSet<>()).add(feature + "/" + className);
          }
        }
      }
    }
    assertThat(foreign).as("SQL naming another feature's table: call its Service or exported interface")
        .isEmpty();
    assertThat(seenKnown).as("known breaches still present (remove fixed ones from KNOWN_FOREIGN_SQL)")
        .isEqualTo(KNOWN_FOREIGN_SQL);
    writers.forEach((table, classes) -> assertThat(classes).as("writers of %s", table)
        .containsExactly(declared.get(table)[0] + "/" + declared.get(table)[1]));
  }

  private static Set<String> migrationTables() throws IOException {
    Set<String> tables = new TreeSet<>();
    Pattern create = Pattern.compile("CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)");
    // the metadata schema's tables, and the points store's (docs/adr/0034) in schema points
    for (String[] location : new String[][] {{"src/main/resources/db/migration", ""},
        {"src/main/resources/db/points", "points."}}) {
      try (Stream<Path> files = Files.list(Path.of(location[0]))) {
        files.filter(f -> f.toString().endsWith(".sql")).forEach(f -> {
          try {
            Matcher m = create.matcher(Files.readString(f));
            while (m.find()) {
              tables.add(location[1] + m.group(1));
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
    return tables;
  }

  /** Rows {@code | `table` | `feature` | `Store` |} of the ownership table in docs/architecture.md. */
  private static Map<String, String[]> declaredOwners() throws IOException {
    Map<String, String[]> owners = new TreeMap<>();
    Pattern row = Pattern.compile("^\\|\\s*`((?:points\\.)?[a-z_]+)`\\s*\\|\\s*`([a-z]+)`\\s*\\|\\s*`([A-Za-z]+)`\\s*\\|",
        Pattern.MULTILINE);
    Matcher m = row.matcher(Files.readString(Path.of("../docs/architecture.md")));
    while (m.find()) {
      assertThat(owners.put(m.group(1), new String[] {m.group(2), m.group(3)}))
          .as("table %s declared twice in docs/architecture.md", m.group(1)).isNull();
    }
    return owners;
  }
}
