package io.animus.datapilot.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.animus.datapilot.testing.BlobBackend;
import io.animus.datapilot.testing.Multipart;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class FileDatasetsHttpTest extends DatasetsHttpContract {
  @Override
  BlobBackend backend() {
    return BlobBackend.file();
  }

  @Test
  void versionsCannotBeUpdatedOrDeletedInTheDatabase() throws SQLException {
    String datasetId = newDataset();
    String versionId = upload(datasetId, Multipart.sdk().file("file", "a", "text/plain", new byte[] {1}))
        .json().get("version_id").asText();
    try (var c = DriverManager.getConnection(server.databaseUrl(), "postgres", "");
         var s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeUpdate("UPDATE dataset_versions SET size_bytes = 0 WHERE version_id = '"
          + versionId + "'")).hasMessageContaining("append-only");
      assertThatThrownBy(() -> s.executeUpdate("DELETE FROM dataset_versions WHERE version_id = '" + versionId + "'"))
          .hasMessageContaining("append-only");
    }
    assertThat(client.get("/api/dataset-registry/dataset-versions/" + versionId).json().get("size_bytes").asLong())
        .isEqualTo(1);
  }
}
