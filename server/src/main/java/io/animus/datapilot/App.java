package io.animus.datapilot;

import io.animus.datapilot.artifacts.ArtifactRemoval;
import io.animus.datapilot.artifacts.ArtifactResource;
import io.animus.datapilot.artifacts.ArtifactService;
import io.animus.datapilot.artifacts.ArtifactStore;
import io.animus.datapilot.artifacts.RunAccess;
import io.animus.datapilot.audit.AuditLog;
import io.animus.datapilot.audit.AuditStore;
import io.animus.datapilot.auth.AccessPolicy;
import io.animus.datapilot.auth.ApiTokenService;
import io.animus.datapilot.auth.ApiTokenStore;
import io.animus.datapilot.auth.AuthResource;
import io.animus.datapilot.auth.Authenticator;
import io.animus.datapilot.auth.RunTokens;
import io.animus.datapilot.ci.CiResource;
import io.animus.datapilot.ci.CiService;
import io.animus.datapilot.ci.CiStore;
import io.animus.datapilot.ci.CiVerifier;
import io.animus.datapilot.common.Clock;
import io.animus.datapilot.config.Config;
import io.animus.datapilot.console.ConsoleResource;
import io.animus.datapilot.datasets.DatasetRemovalService;
import io.animus.datapilot.deletion.DeletionResource;
import io.animus.datapilot.deletion.DeletionService;
import io.animus.datapilot.deletion.DeletionStore;
import io.animus.datapilot.deletion.Sweeper;
import io.animus.datapilot.datasets.DatasetResource;
import io.animus.datapilot.datasets.DatasetVersionUsers;
import io.animus.datapilot.datasets.DatasetService;
import io.animus.datapilot.datasets.DatasetStore;
import io.animus.datapilot.datasets.DatasetVersion;
import io.animus.datapilot.datasets.DatasetVersionLookup;
import io.animus.datapilot.datasets.QualityGate;
import io.animus.datapilot.datasets.QualityService;
import io.animus.datapilot.datasets.QualityStore;
import io.animus.datapilot.execution.ExecutionReconciler;
import io.animus.datapilot.execution.ExecutionResource;
import io.animus.datapilot.execution.Executor;
import io.animus.datapilot.experiments.ExperimentResource;
import io.animus.datapilot.experiments.ExperimentService;
import io.animus.datapilot.experiments.ExperimentStore;
import io.animus.datapilot.experiments.RunQueries;
import io.animus.datapilot.experiments.RunRemovalResource;
import io.animus.datapilot.experiments.RunRemovalService;
import io.animus.datapilot.experiments.RunResource;
import io.animus.datapilot.experiments.RunSearchStore;
import io.animus.datapilot.experiments.RunService;
import io.animus.datapilot.experiments.RunLookup;
import io.animus.datapilot.experiments.RunStatusService;
import io.animus.datapilot.experiments.RunStore;
import io.animus.datapilot.experiments.RunTouch;
import io.animus.datapilot.http.AuditSink;
import io.animus.datapilot.http.BlobDownload;
import io.animus.datapilot.http.HttpServer;
import io.animus.datapilot.http.Idempotency;
import io.animus.datapilot.http.IdempotencyStore;
import io.animus.datapilot.http.Router;
import io.animus.datapilot.ops.HttpMetrics;
import io.animus.datapilot.ops.OpsResource;
import io.animus.datapilot.projects.ProjectResource;
import io.animus.datapilot.projects.ProjectService;
import io.animus.datapilot.projects.ProjectStore;
import io.animus.datapilot.storage.BlobStore;
import io.animus.datapilot.storage.BlobStores;
import io.animus.datapilot.storage.Database;
import io.animus.datapilot.telemetry.EventResource;
import io.animus.datapilot.telemetry.EventService;
import io.animus.datapilot.telemetry.EventStore;
import io.animus.datapilot.telemetry.MetricResource;
import io.animus.datapilot.telemetry.MetricService;
import io.animus.datapilot.telemetry.LatestPoints;
import io.animus.datapilot.telemetry.MetricStore;
import io.animus.datapilot.telemetry.PointsFromRows;
import io.animus.datapilot.telemetry.Notifier;
import io.animus.datapilot.telemetry.StreamHub;
import io.animus.datapilot.telemetry.StreamLimits;
import io.animus.datapilot.telemetry.StreamResource;
import io.animus.datapilot.upload.UploadReceiver;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.io.IOException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where long-lived objects are constructed and wired. */
public final class App implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(App.class);
  private final Config config;
  private final Database database;
  private final Optional<Database> pointsDatabase;
  private final HttpServer http;
  private final StreamHub hub;
  private final RunTokens runTokens;
  private final BlobStore blobs;
  private final AuditLog audit;
  private final MetricService metricWrites;
  private final EventService eventWrites;
  private final Optional<ExecutionReconciler> reconciler;
  private final Optional<Executor> executor;
  private final Router router;
  private final Sweeper sweeper;
  /** How often the sweeper looks for pending deletions (and it wakes at once after a new one). */
  private static final long SWEEP_EVERY_SECONDS = 5;

  private App(Config config, Database database, Optional<Database> pointsDatabase, Wired wired) {
    this.config = config;
    this.database = database;
    this.pointsDatabase = pointsDatabase;
    this.http = wired.http();
    this.hub = wired.hub();
    this.runTokens = wired.runTokens();
    this.blobs = wired.blobs();
    this.audit = wired.audit();
    this.metricWrites = wired.metricWrites();
    this.eventWrites = wired.eventWrites();
    this.reconciler = wired.reconciler();
    this.executor = wired.executor();
    this.router = wired.router();
    this.sweeper = wired.sweeper();
  }

  /** What {@link #wire} builds that the app must start and stop. */
  private record Wired(HttpServer http, StreamHub hub, RunTokens runTokens, BlobStore blobs, AuditLog audit,
                       MetricService metricWrites, EventService eventWrites,
                       Optional<Executor> executor, Optional<ExecutionReconciler> reconciler,
                       AtomicReference<String> datapilotUrl, Router router, Sweeper sweeper) {}

  /** Opens storage, wires every component and starts listening. */
  public static App start(Config config) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new io.animus.datapilot.config.ConfigException("DATAPILOT_DATA_DIR " + config.dataDir()
          + " cannot be created: " + e.getMessage());
    }
    Database database;
    Optional<Database> points = Optional.empty();
    if (config.pointsDatabase().isPresent()) {
      database = Database.openMetadata(config.database(), config.dataDir());
      try {
        PointsFromRows.refusePointsLeftBehind(database);
        points = Optional.of(Database.openPoints(config.pointsDatabase().get(), new PointsFromRows()));
      } catch (RuntimeException e) {
        database.close();
        throw e;
      }
    } else {
      database = Database.open(config.database(), config.dataDir(), new PointsFromRows());
    }
    try {
      Wired wired = wire(config, database, points);
      HttpServer http = wired.http();
      wired.hub().start();
      try {
        http.start(config.http().host(), config.http().port());
      } catch (RuntimeException e) {
        wired.hub().close();
        wired.metricWrites().close();
        wired.eventWrites().close();
        wired.executor().ifPresent(Executor::close);
        wired.sweeper().close();
        closeQuietly(wired.blobs());
        throw e;
      }
      wired.datapilotUrl().set(config.http().publicUrl().orElse("http://localhost:" + http.port()));
      wired.reconciler().ifPresent(ExecutionReconciler::start);
      wired.sweeper().start(SWEEP_EVERY_SECONDS);
      App app = new App(config, database, points, wired);
      LOG.info("DataPilot listening on http://{}:{} (auth mode {}, data dir {})", config.http().host(), http.port(),
          config.auth().mode().name().toLowerCase(java.util.Locale.ROOT), config.dataDir());
      return app;
    } catch (RuntimeException e) {
      points.ifPresent(Database::close);
      database.close();
      throw e;
    }
  }

  private static Wired wire(Config config, Database database, Optional<Database> points) {
    Jdbi jdbi = database.jdbi();
    Jdbi pointsJdbi = points.map(Database::jdbi).orElse(jdbi);
    Clock clock = Clock.system();
    HttpMetrics metrics = new HttpMetrics();

    ApiTokenService tokens = new ApiTokenService(jdbi, new ApiTokenStore(), clock);
    ExperimentStore experimentStore = new ExperimentStore();
    RunStore runStore = new RunStore();
    RunTokens runTokens = RunTokens.load(config.trust().runTokenSecret(), config.dataDir());
    Authenticator authenticator = new Authenticator(config.auth(), tokens, runTokens,
        runId -> jdbi.withHandle(h -> runStore.standing(h, runId))
            .map(s -> new Authenticator.RunStanding(s.terminal(), s.terminalAt())),
        config.trust().runTokenGrace(), clock);
    if (config.auth().mode() == Config.AuthMode.TOKEN && config.auth().adminToken().isEmpty()) {
      LOG.warn("token auth mode without DATAPILOT_ADMIN_TOKEN: set it to create the first API tokens");
    }
    DatasetStore datasetStore = new DatasetStore();
    QualityStore qualityStore = new QualityStore();
    QualityGate qualityGate = new QualityGate(config.requireQualityGate(), datasetStore, qualityStore);
    MetricStore metricStore = new MetricStore();
    DatasetVersionLookup datasetVersions = (h, id) -> datasetStore.findVersion(h, id).map(DatasetVersion::projectId);
    RunService runService = new RunService(jdbi, runStore, experimentStore, clock, config.runStaleAfter(),
        qualityGate, datasetVersions);
    LatestPoints latestPoints = new LatestPoints(metricStore, pointsJdbi, points.isEmpty());
    RunQueries runQueries = new RunQueries(jdbi, new RunSearchStore(), experimentStore, latestPoints,
        SearchWiring.filters(latestPoints, jdbi), clock, config.runStaleAfter());

    BlobStore blobs = BlobStores.open(config);
    OpsResource ops = new OpsResource(database, metrics, config.auth().mode(),
        () -> jdbi.withHandle(runStore::countByStatus));
    ops.addCheck("blob_store", blobs::ping);
    points.ifPresent(p -> ops.addCheck("points_database", () -> p.ping(1)));
    AuthResource authResource = new AuthResource(tokens);
    ExperimentService experimentService = new ExperimentService(jdbi, experimentStore, clock);
    ExperimentResource experimentResource = new ExperimentResource(experimentService);
    RunResource runResource = new RunResource(runService, runQueries);
    CiService ciService = new CiService(jdbi, new CiStore(), (h, runId) -> runStore.projectOf(h, runId).isPresent(),
        clock);
    CiResource ciResource = new CiResource(ciService,
        new CiVerifier(config.trust().ciWebhookSecret(), clock));
    ProjectResource projectResource = new ProjectResource(new ProjectService(jdbi, new ProjectStore(),
        experimentStore::tallyPerProject, datasetStore::tallyPerProject));

    RunLookup runLookup = new RunLookup(jdbi, runStore);
    RunTouch runTouch = new RunTouch(runStore);
    Notifier notifier = new Notifier();
    EventStore eventStore = new EventStore();
    StreamHub hub = new StreamHub(database, pointsJdbi, eventStore, metricStore);
    MetricService metricService = new MetricService(jdbi, pointsJdbi, metricStore, runLookup, runTouch, notifier, clock,
        n -> metrics.samplesInserted().increment(n));
    MetricResource metricResource = new MetricResource(metricService);
    EventService events = new EventService(jdbi, eventStore, runLookup, runTouch, notifier, clock);
    RunStatusService lifecycle = new RunStatusService(jdbi, runStore, runLookup, events, clock);
    EventResource eventResource = new EventResource(events, lifecycle, runService);
    StreamResource streamResource = new StreamResource(hub, runLookup, runService, events, metricService,
        new StreamLimits(config.streams().maxOpen(), config.streams().maxPerPrincipal(), metrics.sseConnections(),
            metrics::sseRefused));

    UploadReceiver receiver = new UploadReceiver(blobs);
    BlobDownload downloads = new BlobDownload(blobs);
    RunAccess runAccess = (h, runId) -> runStore.placement(h, runId).map(r -> new RunAccess.RunRef(r.runId(),
        r.experimentId(), r.projectId(), r.artifactsPrefix()));
    ArtifactService artifacts = new ArtifactService(jdbi, new ArtifactStore(), runAccess, receiver, clock,
        config.uploads().artifactMaxBytes());
    ArtifactResource artifactResource = new ArtifactResource(artifacts, downloads);
    DatasetService datasets = new DatasetService(jdbi, datasetStore, receiver, qualityGate, clock,
        config.uploads().datasetMaxBytes());
    DatasetRemovalService datasetRemoval = new DatasetRemovalService(jdbi, datasetStore, qualityStore, datasets,
        new DatasetVersionUsers() {
          @Override
          public List<java.util.UUID> using(org.jdbi.v3.core.Handle h, java.util.Collection<java.util.UUID> ids) {
            return runStore.usingVersions(h, ids, false);
          }

          @Override
          public void markDeleted(org.jdbi.v3.core.Handle h, java.util.Collection<java.util.UUID> ids) {
            runStore.usingVersions(h, ids, true);
          }
        }, blobs, clock);
    DatasetResource datasetResource = new DatasetResource(datasets, new QualityService(jdbi, datasets, qualityStore,
        clock), downloads, datasetRemoval);
    RunRemovalService runRemoval = new RunRemovalService(jdbi, runStore, experimentStore, runService,
        experimentService, runLookup, clock);

    AtomicReference<String> datapilotUrl = new AtomicReference<>();
    ExecutionWiring.Wired execution = ExecutionWiring.wire(config, jdbi, clock, blobs, runStore, experimentStore,
        qualityGate, datasetVersions, artifacts, events, lifecycle, runLookup, runTokens, datapilotUrl::get);
    ExecutionResource executionResource = new ExecutionResource(execution.service());

    AuditLog audit = new AuditLog(new AuditStore(jdbi));
    DeletionService deletionService = new DeletionService(jdbi, new DeletionStore(), runRemoval, datasetRemoval,
        execution.service(), clock);
    Sweeper sweeper = new Sweeper(jdbi, new DeletionStore(), deletionService, new Sweeper.Steps(runRemoval,
        datasetRemoval, new ArtifactRemoval(jdbi, new ArtifactStore(), blobs), metricService, events, ciService,
        execution.service()), audit, clock, config.retention().archivedDays(), config.retention().sweepStepPause());
    Router router = ApiRoutes.table(new ApiRoutes.Resources(ops, new ConsoleResource(), authResource,
        projectResource, experimentResource, runResource, metricResource, eventResource, streamResource,
        artifactResource, datasetResource, ciResource, executionResource, new RunRemovalResource(runRemoval),
        new DeletionResource(deletionService)));
    HttpServer.Features features = new HttpServer.Features(authenticator::authenticate, new AccessPolicy(router),
        auditSink(audit), metrics::record);
    return new Wired(new HttpServer(router, new Idempotency(new IdempotencyStore(jdbi), clock), features), hub,
        runTokens, blobs, audit, metricService, events, execution.executor(), execution.reconciler(), datapilotUrl,
        router, sweeper);
  }

  /** The dispatcher's audit events, written as audit entries. */
  private static AuditSink auditSink(AuditLog audit) {
    return e -> audit.append(new AuditStore.Entry(e.requestId(), e.actor(), e.action(), e.path(), e.status(),
        e.outcome(), e.projectId(), e.details()));
  }

  private static void closeQuietly(BlobStore blobs) {
    if (blobs instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("closing the blob store failed", e);
      }
    }
  }

  public int port() {
    return http.port();
  }

  public Config config() {
    return config;
  }

  /** Issues and verifies run tokens (the executor hands them to jobs). */
  public RunTokens runTokens() {
    return runTokens;
  }

  public Database database() {
    return database;
  }

  /** The route table, every route with its declared access. */
  public List<Router.Route> routes() {
    return router.routes();
  }

  /** Drains requests, then stops the database (the embedded PostgreSQL shuts down cleanly). */
  @Override
  public void close() {
    sweeper.close();
    reconciler.ifPresent(ExecutionReconciler::close);
    executor.ifPresent(Executor::close);
    hub.close();
    http.stop();
    metricWrites.close();
    eventWrites.close();
    audit.close();
    closeQuietly(blobs);
    pointsDatabase.ifPresent(Database::close);
    database.close();
  }
}
