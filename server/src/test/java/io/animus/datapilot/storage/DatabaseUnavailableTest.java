package io.animus.datapilot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.animus.datapilot.storage.DatabaseUnavailable.Reason;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.transaction.TransactionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/** Which failures mean "the database cannot serve now" (503), read through the wrappers. */
class DatabaseUnavailableTest {

  @Test
  void aPoolTimeoutWithoutACauseIsABusyPool() {
    var timeout = new SQLTransientConnectionException("datapilot - Connection is not available, request timed out");
    assertThat(DatabaseUnavailable.of(new ConnectionException(timeout))).contains(Reason.BUSY);
  }

  @Test
  void aPoolTimeoutCausedByARefusedConnectionIsDown() {
    var refused = new PSQLException("Connection to 127.0.0.1:5432 refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT);
    var timeout = new SQLTransientConnectionException("request timed out", null, refused);
    assertThat(DatabaseUnavailable.of(new ConnectionException(timeout))).contains(Reason.DOWN);
  }

  @Test
  void brokenConnectionsAndShutdownsAreDownWhereverTheyAreInTheChain() {
    for (String state : new String[] {"08000", "08001", "08003", "08006", "57P01", "57P02", "57P03"}) {
      var sql = new SQLException("server said no", state);
      assertThat(DatabaseUnavailable.of(new UnableToExecuteStatementException(sql, null))).as(state)
          .contains(Reason.DOWN);
      assertThat(DatabaseUnavailable.of(new RuntimeException(new TransactionException("commit failed", sql))))
          .as(state).contains(Reason.DOWN);
    }
  }

  @Test
  void tooManyConnectionsIsBusy() {
    var full = new SQLException("sorry, too many clients already", "53300");
    assertThat(DatabaseUnavailable.of(new ConnectionException(full))).contains(Reason.BUSY);
  }

  @Test
  void everythingElseIsNotUnavailability() {
    assertThat(DatabaseUnavailable.of(new UnableToExecuteStatementException(
        new SQLException("duplicate key", "23505"), null))).isEmpty();
    assertThat(DatabaseUnavailable.of(new UnableToExecuteStatementException(
        new SQLException("canceling statement due to statement timeout", "57014"), null))).isEmpty();
    assertThat(DatabaseUnavailable.of(new SQLException("no state"))).isEmpty();
    assertThat(DatabaseUnavailable.of(new IllegalStateException("bug"))).isEmpty();
    assertThat(DatabaseUnavailable.of(null)).isEqualTo(Optional.empty());
  }

  @Test
  void aCauseCycleEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(DatabaseUnavailable.of(a)).isEmpty();
  }
}
